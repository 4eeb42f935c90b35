/* test_onnx_io.c — loading every dtype and attribute type, save/load round trips, external
 * data (and its escape checks), and corrupt buffers that must fail cleanly. */
#include "onnx_io.h"
#include "tensor_proto.h"
#include "test.h"
#include "validate.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static xc_model *load_fixture(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", test_fixtures ? test_fixtures : "build/fixtures", name);
    xc_model *m = NULL;
    CHECK_OK(xc_model_load(path, &m));
    return m;
}

static const xc_tensor *init(const xc_model *m, const char *name)
{
    const xc_tensor *t = NULL;
    xc_graph_find_initializer(m->graph, name, &t);
    return t;
}

TEST(load_every_dtype_raw_and_typed)
{
    xc_model *m = load_fixture("roundtrip.onnx");
    if (!m) return;
    static const char *names[] = {"float32", "float16", "float64", "int8",   "int16",  "int32",
                                  "int64",   "uint8",   "uint16",  "uint32", "uint64", "bool"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "w_raw_%s", names[i]);
        snprintf(b, sizeof b, "w_typed_%s", names[i]);
        const xc_tensor *raw = init(m, a), *typed = init(m, b);
        CHECK(raw && typed);
        if (!raw || !typed) continue;
        CHECK(raw->dtype == typed->dtype && xc_dtype_name(raw->dtype) && !strcmp(xc_dtype_name(raw->dtype), names[i]));
        CHECK(raw->rank == 2 && raw->dims[0] == 2 && raw->dims[1] == 3);
        CHECK(raw->nbytes == typed->nbytes && !memcmp(raw->data, typed->data, raw->nbytes));
        CHECK(raw->kind == XC_DATA_BORROWED); /* raw_data is not copied */
    }
    const xc_tensor *i32 = init(m, "w_raw_int32"), *bf = init(m, "w_bfloat16");
    CHECK(i32 && ((int32_t *)i32->data)[0] == -5 && ((int32_t *)i32->data)[5] == 10);
    CHECK(bf && bf->dtype == XC_BFLOAT16 && xc_load_f32(XC_BFLOAT16, bf->data, 1) == -2.5f);
    xc_model_free(m);
}

static void check_attrs(const xc_node *n)
{
    CHECK(!strcmp(n->domain, "com.example") && !strcmp(n->name, "custom_node"));
    CHECK(n->doc_string && !strcmp(n->doc_string, "node doc"));
    CHECK(xc_attr_float(n, "f", 0) == 1.5f);
    CHECK(xc_attr_int(n, "i", 0) == -7);
    CHECK(!strcmp(xc_attr_string(n, "s", ""), "text"));
    const xc_attr *t = xc_node_attr(n, "t"), *g = xc_node_attr(n, "g"), *ss = xc_node_attr(n, "strings");
    CHECK(t && t->type == XC_ATTR_TENSOR && t->t->dtype == XC_INT64 && ((int64_t *)t->t->data)[1] == 2);
    CHECK(g && g->type == XC_ATTR_GRAPH && g->g->n_nodes == 1 && !strcmp(g->g->nodes[0].op_type, "Identity"));
    const int64_t *ints;
    const float *floats;
    size_t n_ints, n_floats;
    CHECK(xc_attr_ints(n, "ints", &ints, &n_ints) && n_ints == 3 && ints[2] == 3);
    CHECK(xc_attr_floats(n, "floats", &floats, &n_floats) && n_floats == 2 && floats[1] == 0.25f);
    CHECK(ss && ss->type == XC_ATTR_STRINGS && ss->n == 2 && !strcmp(ss->strings[1], "bc"));
    const xc_attr *ts = xc_node_attr(n, "tensors");
    CHECK(ts && ts->type == XC_ATTR_TENSORS && ts->n == 1 && ((float *)ts->tensors[0]->data)[0] == 3.0f);
}

static void check_model(const xc_model *m)
{
    const xc_graph *g = m->graph;
    CHECK(g->n_nodes == 2 && g->n_initializers == 25 && g->n_inputs == 1 && g->n_outputs == 1 && g->n_value_info == 1);
    CHECK(m->n_metadata == 2 && !strcmp(m->metadata[1].key, "purpose") && !strcmp(m->metadata[1].value, "round trip"));
    CHECK(m->doc_string && !strcmp(m->doc_string, "model doc") && g->doc_string && !strcmp(g->doc_string, "graph doc"));
    CHECK(!strcmp(m->producer_name, "crosscheck-fixtures") && m->n_opsets == 2);
    CHECK(xc_model_opset(m, "com.example") == 1 && xc_model_opset(m, "") == 17);
    CHECK(g->inputs[0].rank == 2 && g->inputs[0].dims[0] == -1 && !strcmp(g->inputs[0].dim_params[0], "batch"));
    CHECK(g->inputs[0].dims[1] == 4 && g->inputs[0].dtype == XC_FLOAT);
    check_attrs(&g->nodes[0]);
}

TEST(roundtrip_preserves_everything)
{
    xc_model *m = load_fixture("roundtrip.onnx");
    if (!m) return;
    check_model(m);
    char path[4096];
    snprintf(path, sizeof path, "%s/roundtrip_saved.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    CHECK_OK(xc_model_save(m, path));
    xc_model *again = NULL;
    CHECK_OK(xc_model_load(path, &again));
    if (again) {
        check_model(again);
        for (int i = 0; i < m->graph->n_initializers; i++) {
            const xc_tensor *a = m->graph->initializers[i], *b = again->graph->initializers[i];
            CHECK(!strcmp(a->name, b->name) && a->dtype == b->dtype && a->nbytes == b->nbytes
                  && !memcmp(a->data, b->data, a->nbytes));
        }
    }
    xc_model_free(again);
    xc_model_free(m);
}

TEST(external_data_is_mapped)
{
    xc_model *m = load_fixture("ext/model.onnx");
    if (!m) return;
    const xc_tensor *w = init(m, "w");
    CHECK(w && w->kind == XC_DATA_MAPPED && w->nbytes == 48);
    CHECK(w && ((float *)w->data)[11] == 2.75f);
    xc_model_free(m);
}

TEST(external_data_cannot_escape_the_model_folder)
{
    char dir[] = "/tmp/xc_ext_XXXXXX", *out = NULL, link[4200], file[4200];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(file, sizeof file, "%s/inside.bin", dir);
    FILE *f = fopen(file, "w");
    if (f) fclose(f);
    snprintf(link, sizeof link, "%s/escape.bin", dir);
    CHECK(symlink("/etc/hostname", link) == 0);
    CHECK(xc_external_path(dir, "inside.bin", &out) == XC_OK);
    free(out);
    CHECK(xc_external_path(dir, "/etc/hostname", &out) == XC_ERR_MODEL);
    CHECK(strstr(xc_error_message(), "absolute") != NULL);
    CHECK(xc_external_path(dir, "../etc/hostname", &out) == XC_ERR_MODEL);
    CHECK(xc_external_path(dir, "sub/../../x", &out) == XC_ERR_MODEL);
    CHECK(xc_external_path(dir, "escape.bin", &out) == XC_ERR_MODEL);
    CHECK(strstr(xc_error_message(), "outside") != NULL);
    CHECK(xc_external_path(NULL, "inside.bin", &out) == XC_ERR_MODEL);
    unlink(link);
    unlink(file);
    rmdir(dir);
}

/* Every truncation and many byte corruptions of a valid model either load or fail cleanly. */
TEST(corrupt_buffers_never_crash)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/roundtrip.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    xc_mapping *map;
    if (xc_read_file(path, &map) != XC_OK) {
        CHECK(0);
        return;
    }
    unsigned char *buf = malloc(map->len);
    int failures = 0;
    for (size_t len = 0; len < map->len; len++) {
        xc_model *m = NULL;
        if (xc_model_load_buffer(map->addr, len, NULL, &m) != XC_OK) failures++;
        xc_model_free(m);
    }
    CHECK(failures > 0);
    uint64_t state = 12345;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, map->addr, map->len);
        for (int k = 0; k < 4; k++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            buf[(state >> 33) % map->len] = (unsigned char)(state >> 17);
        }
        xc_model *m = NULL;
        xc_status s = xc_model_load_buffer(buf, map->len, NULL, &m);
        CHECK((s == XC_OK) == (m != NULL));
        xc_model_free(m);
    }
    free(buf);
    xc_mapping_release(map);
}

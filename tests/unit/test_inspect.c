/* test_inspect.c — inspect's library views: value statistics against hand-computed numbers for
 * several dtypes, --show parsing, attribute JSON, diff-tactics on hand-made replays, and the
 * engine inspector's JSON on a built engine. */
#include "inspect.h"
#include "inspect_tactics.h"
#include "ocl/engine.h"
#include "ocl/inspect_engine.h"
#include "onnx_io.h"
#include "test.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static xc_value_stats stats_of(xc_dtype dt, int64_t n, const void *data)
{
    xc_tensor *t = NULL;
    xc_value_stats s = {0};
    CHECK_OK(xc_tensor_wrap(dt, 1, &n, (void *)data, &t));
    if (t) CHECK_OK(xc_value_stats_compute(t, &s));
    xc_tensor_free(t);
    return s;
}

TEST(inspect_stats_float_with_nan_and_inf)
{
    /* finite values 1,-2,0,3,0,4: mean 1, deviations 0,-3,-1,2,-1,3 -> variance 24/6, std 2 */
    const float v[] = {1, -2, 0, NAN, INFINITY, 3, 0, 4};
    xc_value_stats s = stats_of(XC_FLOAT, 8, v);
    CHECK(s.count == 8 && s.finite == 6 && s.nan == 1 && s.inf == 1);
    CHECK_NEAR(s.min, -2, 0);
    CHECK_NEAR(s.max, 4, 0);
    CHECK_NEAR(s.mean, 1, 1e-15);
    CHECK_NEAR(s.std, 2, 1e-15);
    CHECK_NEAR(s.zero_fraction, 0.25, 0);
}

TEST(inspect_stats_other_dtypes)
{
    const uint16_t h[] = {0x3c00, 0xc000, 0x7e00, 0xfc00}; /* 1, -2, NaN, -Inf as float16 */
    xc_value_stats s = stats_of(XC_FLOAT16, 4, h);
    CHECK(s.finite == 2 && s.nan == 1 && s.inf == 1);
    CHECK_NEAR(s.mean, -0.5, 0);
    CHECK_NEAR(s.std, 1.5, 0);
    const int64_t big[] = {INT64_C(1) << 50, -(INT64_C(1) << 50)};
    s = stats_of(XC_INT64, 2, big);
    CHECK_NEAR(s.min, -1125899906842624.0, 0);
    CHECK_NEAR(s.mean, 0, 0);
    CHECK_NEAR(s.std, 1125899906842624.0, 1);
    const uint8_t b[] = {1, 0, 0, 1, 1};
    s = stats_of(XC_BOOL, 5, b);
    CHECK_NEAR(s.mean, 0.6, 1e-15);
    CHECK_NEAR(s.zero_fraction, 0.4, 1e-15);
    const double huge[] = {1e300, -1e300}; /* squares would overflow without scaling */
    s = stats_of(XC_DOUBLE, 2, huge);
    CHECK_NEAR(s.std, 1e300, 1e285);
    const float nans[] = {NAN, NAN};
    s = stats_of(XC_FLOAT, 2, nans);
    CHECK(s.finite == 0 && s.nan == 2 && isnan(s.min) && isnan(s.std));
    s = stats_of(XC_FLOAT, 0, NULL);
    CHECK(s.count == 0 && s.zero_fraction == 0);
}

TEST(inspect_show_parsing)
{
    unsigned f = 0;
    CHECK_OK(xc_inspect_parse_show("layers,weights", &f));
    CHECK(f == (XC_SHOW_LAYERS | XC_SHOW_WEIGHTS));
    CHECK_OK(xc_inspect_parse_show("attrs", &f));
    CHECK(f == (XC_SHOW_LAYERS | XC_SHOW_ATTRS));
    CHECK(xc_inspect_parse_show("layers,wieghts", &f) == XC_ERR_USAGE && strstr(xc_error_message(), "wieghts"));
    CHECK(xc_inspect_parse_show("", &f) == XC_ERR_USAGE);
}

TEST(inspect_attribute_json)
{
    int64_t ints[] = {1, 2, 3};
    xc_graph sub = {.n_nodes = 4};
    xc_attr eps = {.name = "epsilon", .type = XC_ATTR_FLOAT, .f = 1e-5f};
    xc_attr list = {.name = "pads", .type = XC_ATTR_INTS, .n = 3, .ints = ints};
    xc_attr body = {.name = "body", .type = XC_ATTR_GRAPH, .g = &sub};
    cJSON *j = xc_inspect_attr_json(&eps);
    CHECK(cJSON_IsNumber(j) && j->valuedouble == 1e-5); /* the float's shortest decimal, not its double expansion */
    cJSON_Delete(j);
    j = xc_inspect_attr_json(&list);
    CHECK(cJSON_GetArraySize(j) == 3 && cJSON_GetArrayItem(j, 2)->valuedouble == 3);
    cJSON_Delete(j);
    j = xc_inspect_attr_json(&body);
    CHECK(cJSON_IsString(j) && !strcmp(j->valuestring, "<subgraph 4 nodes>"));
    cJSON_Delete(j);
}

static void write_replay(const char *path, const char *conv_tactic, const char *gemm_tactic)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fprintf(f,
            "{\"format\":\"crosscheck-tactics-1\",\"layers\":[{\"name\":\"conv\",\"tactic\":\"%s\"},"
            "{\"name\":\"gemm\",\"tactic\":\"%s\"},{\"name\":\"pool\",\"tactic\":\"pool.direct\"}]}",
            conv_tactic, gemm_tactic);
    fclose(f);
}

TEST(inspect_diff_tactics_names_the_bad_only_tactic)
{
    char dir[] = "/tmp/xc-inspect-XXXXXX", g1[64], g2[64], b1[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(g1, sizeof g1, "%s/g1.json", dir);
    snprintf(g2, sizeof g2, "%s/g2.json", dir);
    snprintf(b1, sizeof b1, "%s/b1.json", dir);
    write_replay(g1, "conv.direct", "gemm.naive");
    write_replay(g2, "conv.winograd", "gemm.naive");
    write_replay(b1, "conv.winograd", "gemm.tiled");
    const char *good[] = {g1, g2}, *bad[] = {b1};
    cJSON *d = NULL;
    CHECK_OK(xc_diff_tactics(good, 2, bad, 1, &d));
    const cJSON *layers = cJSON_GetObjectItem(d, "layers");
    CHECK(cJSON_GetArraySize(layers) == 1);
    const cJSON *l = cJSON_GetArrayItem(layers, 0), *sus = cJSON_GetObjectItem(l, "suspects");
    CHECK(l && !strcmp(cJSON_GetObjectItem(l, "name")->valuestring, "gemm"));
    CHECK(cJSON_GetArraySize(sus) == 1
          && !strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(sus, 0), "tactic")->valuestring, "gemm.tiled"));
    cJSON_Delete(d);
    /* the bad build alone on both sides: nothing is suspect */
    CHECK_OK(xc_diff_tactics(bad, 1, bad, 1, &d));
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(d, "layers")) == 0);
    cJSON_Delete(d);
    CHECK(xc_diff_tactics(good, 2, bad, 0, &d) == XC_ERR_USAGE && d == NULL);
    unlink(g1);
    unlink(g2);
    unlink(b1);
    rmdir(dir);
}

TEST(inspect_engine_lists_every_layer)
{
    char path[4096];
    xc_model *m = NULL;
    xc_engine *e = NULL;
    xc_ocl_build_options o = xc_ocl_build_defaults();
    snprintf(path, sizeof path, "%s/pointwise.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    CHECK_OK(xc_model_load(path, &m));
    if (m && xc_ocl_build(m, &o, &e) != XC_OK) {
        fprintf(stderr, "  (no OpenCL engine: %s)\n", xc_error_message());
        xc_model_free(m);
        return;
    }
    cJSON *d = e ? xc_inspect_engine(e, NULL) : NULL, *l = NULL;
    const cJSON *layers = cJSON_GetObjectItem(d, "Layers");
    int live = 0;
    for (int i = 0; e && i < e->n_layers; i++) {
        if (e->layers[i].dead) continue;
        l = cJSON_GetArrayItem(layers, live++);
        CHECK(l && !strcmp(cJSON_GetObjectItem(l, "Name")->valuestring, e->layers[i].name));
        CHECK(l && !strcmp(cJSON_GetObjectItem(l, "TacticName")->valuestring, e->layers[i].variant));
        CHECK(l && cJSON_GetArraySize(cJSON_GetObjectItem(l, "Nodes")) == e->layers[i].n_nodes);
    }
    CHECK(live > 0 && cJSON_GetArraySize(layers) == live);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(d, "Bindings")) >= 2);
    cJSON_Delete(d);
    xc_engine_free(e);
    xc_model_free(m);
}

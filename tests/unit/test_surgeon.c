/* test_surgeon.c — the surgeon library: argument parsing, copies independent of their source,
 * and extraction in a loop from one in-memory model (what `debug reduce` does), checked
 * against the values the full model computes. */
#include "backend.h"
#include "dataset.h"
#include "onnx_io.h"
#include "surgeon.h"
#include "test.h"
#include <stdlib.h>
#include <string.h>

TEST(surgeon_io_specs_split_names_shapes_and_dtypes)
{
    char text[] = "onnx::Add_3:[1,?,W]:float16,b:auto,c,d:[]:int64,e:[2,3]";
    xc_io_spec sp[8];
    int n = 0;
    CHECK_OK(xc_io_spec_parse_list(text, 1, sp, 8, &n));
    CHECK(n == 5);
    CHECK(!strcmp(sp[0].name, "onnx::Add_3") && sp[0].dtype == XC_FLOAT16 && sp[0].rank == 3);
    CHECK(sp[0].dims[0] == 1 && sp[0].dims[1] == -1 && sp[0].dims[2] == -1 && !strcmp(sp[0].dim_params[2], "W"));
    CHECK(!strcmp(sp[1].name, "b") && sp[1].dtype == XC_UNDEFINED && sp[1].rank == -1);
    CHECK(!strcmp(sp[2].name, "c") && sp[2].rank == -1);
    CHECK(!strcmp(sp[3].name, "d") && sp[3].rank == 0 && sp[3].dtype == XC_INT64);
    CHECK(!strcmp(sp[4].name, "e") && sp[4].rank == 2 && sp[4].dims[1] == 3 && sp[4].dtype == XC_UNDEFINED);
    char outs[] = "y:float32,onnx::Mul_7";
    CHECK_OK(xc_io_spec_parse_list(outs, 0, sp, 8, &n));
    CHECK(n == 2 && sp[0].dtype == XC_FLOAT && !strcmp(sp[1].name, "onnx::Mul_7"));
    char bad[] = "x:[1,-5]";
    CHECK(xc_io_spec_parse_list(bad, 1, sp, 8, &n) == XC_ERR_USAGE);
    char unsupported[] = "x:[1]:complex64";
    CHECK(xc_io_spec_parse_list(unsupported, 1, sp, 8, &n) == XC_ERR_USAGE);
    char too_many[] = "a,b,c";
    CHECK(xc_io_spec_parse_list(too_many, 1, sp, 2, &n) == XC_ERR_USAGE);
}

TEST(surgeon_attributes_follow_the_schema_or_the_text)
{
    xc_attr *a;
    int n;
    /* LeakyRelu's alpha is FLOAT: "1" must not become an INT */
    CHECK_OK(xc_attr_parse_list("alpha=1", "LeakyRelu", 17, &a, &n));
    CHECK(n == 1 && a[0].type == XC_ATTR_FLOAT && a[0].f == 1.0f);
    xc_attr_clear(&a[0]);
    free(a);
    CHECK_OK(xc_attr_parse_list("pads=[0,1,0,1],mode='reflect'", "Pad", 10, &a, &n));
    CHECK(n == 2 && a[0].type == XC_ATTR_INTS && a[0].n == 4 && a[0].ints[1] == 1);
    CHECK(a[1].type == XC_ATTR_STRING && !strcmp(a[1].s, "reflect"));
    for (int i = 0; i < n; i++) xc_attr_clear(&a[i]);
    free(a);
    CHECK(xc_attr_parse_list("alpha=x", "LeakyRelu", 17, &a, &n) == XC_ERR_USAGE);
    CHECK(xc_attr_parse_list("nope=1", "Relu", 17, &a, &n) == XC_ERR_USAGE);
    CHECK(xc_attr_parse_list("alpha", "LeakyRelu", 17, &a, &n) == XC_ERR_USAGE);
    xc_attr at;
    CHECK_OK(xc_attr_parse("v", "[0.5,2]", XC_ATTR_UNDEFINED, &at));
    CHECK(at.type == XC_ATTR_FLOATS && at.n == 2 && at.floats[0] == 0.5f);
    xc_attr_clear(&at);
    CHECK_OK(xc_attr_parse("v", "[a,b,c]", XC_ATTR_UNDEFINED, &at));
    CHECK(at.type == XC_ATTR_STRINGS && at.n == 3 && !strcmp(at.strings[2], "c"));
    xc_attr_clear(&at);
    CHECK_OK(xc_attr_parse("v", "7", XC_ATTR_INTS, &at)); /* one value for a list attribute */
    CHECK(at.type == XC_ATTR_INTS && at.n == 1 && at.ints[0] == 7);
    xc_attr_clear(&at);
    CHECK(xc_attr_parse("v", "[1,2]", XC_ATTR_INT, &at) == XC_ERR_USAGE);
}

/* Every tensor the full model computes, kept by name. */
typedef struct seen {
    xc_tensor_list t;
} seen;

static xc_status keep_tensor(void *user, const char *name, const xc_tensor *t, const char *layer)
{
    (void)layer;
    xc_tensor *c;
    XC_TRY(xc_tensor_clone(t, &c));
    XC_TRY(xc_tensor_set_name(c, name));
    return xc_tensor_list_push(&((seen *)user)->t, c);
}

static const xc_tensor *find(const seen *s, const char *name)
{
    for (int i = 0; i < s->t.n; i++)
        if (!strcmp(s->t.t[i]->name, name)) return s->t.t[i];
    return NULL;
}

static int bit_equal(const xc_tensor *a, const xc_tensor *b)
{
    return a && b && a->dtype == b->dtype && xc_shape_equal(a->rank, a->dims, b->rank, b->dims)
           && !memcmp(a->data, b->data, a->nbytes);
}

/* Runs m on the reference; returns its first output (caller frees). */
static xc_tensor *run_on(const xc_model *m, const xc_tensor *in0, const xc_tensor *in1)
{
    xc_backend *b;
    xc_tensor *out[4] = {0};
    if (xc_ref_backend_create(m, &b) != XC_OK) return NULL;
    const xc_tensor *ins[2] = {in0, in1};
    xc_status s = xc_backend_run(b, ins, out, NULL);
    xc_backend_destroy(b);
    return s == XC_OK ? out[0] : NULL;
}

TEST(surgeon_extract_in_a_loop_matches_the_full_model)
{
    xc_model *m;
    CHECK_OK(xc_model_load("models/small_cnn/model.onnx", &m));
    if (!m) return;
    xc_tensor *x;
    CHECK_OK(xc_tensor_load_pb("models/small_cnn/test_data_set_0/input_0.pb", &x));
    seen s = {{0}};
    xc_backend *b;
    xc_tensor *out[1] = {0};
    CHECK_OK(xc_ref_backend_create(m, &b));
    xc_observer obs = {keep_tensor, &s};
    const xc_tensor *ins[1] = {x};
    CHECK_OK(xc_backend_run(b, ins, out, &obs));
    xc_backend_destroy(b);
    /* every intermediate tensor T: [input -> T] reproduces T, and [T -> probs] fed with T
     * reproduces the model's output, bit for bit. Inside the residual block the tail also
     * needs the skip connection's source, stem_relu. */
    int checked = 0;
    for (int k = 0; k < m->graph->n_nodes; k++) {
        const char *t = m->graph->nodes[k].outputs[0];
        const xc_tensor *want = find(&s, t);
        int inside = k >= 3 && k <= 7;
        xc_io_spec in = {.name = "input", .rank = -1}, probs = {.name = "probs", .rank = -1};
        xc_io_spec mid[2] = {{.name = t, .rank = -1}, {.name = "stem_relu", .rank = -1}};
        xc_model *head = NULL, *tail = NULL;
        CHECK_OK(xc_surgeon_extract(m, &in, 1, mid, 1, &head));
        CHECK_OK(xc_surgeon_extract(m, mid, inside ? 2 : 1, &probs, 1, &tail));
        xc_tensor *got_head = head ? run_on(head, x, NULL) : NULL;
        xc_tensor *got_tail = tail && want ? run_on(tail, want, find(&s, "stem_relu")) : NULL;
        CHECK(bit_equal(got_head, want));
        CHECK(bit_equal(got_tail, out[0]));
        CHECK(head && head->graph->n_nodes == k + 1); /* small_cnn is a chain plus one skip */
        checked += bit_equal(got_head, want) && bit_equal(got_tail, out[0]);
        xc_tensor_free(got_head);
        xc_tensor_free(got_tail);
        xc_model_free(head);
        xc_model_free(tail);
    }
    CHECK(checked == m->graph->n_nodes);
    xc_tensor_list_free(&s.t);
    xc_tensor_free(out[0]);
    xc_tensor_free(x);
    xc_model_free(m);
}

TEST(surgeon_copies_outlive_their_source)
{
    xc_model *m, *c = NULL;
    CHECK_OK(xc_model_load("models/small_transformer/model.onnx", &m));
    if (!m) return;
    CHECK_OK(xc_model_clone(m, &c));
    int nodes = m->graph->n_nodes;
    xc_model_free(m); /* the copy must not point into the freed protobuf or weights */
    if (!c) return;
    CHECK(c->graph->n_nodes == nodes);
    char path[512];
    snprintf(path, sizeof path, "%s/surgeon_clone.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    CHECK_OK(xc_model_save(c, path));
    xc_model *back;
    CHECK_OK(xc_model_load(path, &back));
    CHECK(back && back->graph->n_nodes == nodes && back->graph->n_initializers == c->graph->n_initializers);
    xc_model_free(back);
    xc_model_free(c);
}

TEST(surgeon_bad_requests_fail_naming_the_tensor)
{
    xc_model *m, *r = NULL;
    CHECK_OK(xc_model_load("models/small_cnn/model.onnx", &m));
    if (!m) return;
    xc_io_spec in = {.name = "block_conv1_relu", .rank = -1}, outp = {.name = "block_relu", .rank = -1};
    /* block_relu also needs stem_relu (the skip connection), which is not given */
    CHECK(xc_surgeon_extract(m, &in, 1, &outp, 1, &r) == XC_ERR_USAGE && !r);
    CHECK(strstr(xc_error_message(), "'input'") != NULL);
    xc_io_spec nope = {.name = "nope", .rank = -1};
    CHECK(xc_surgeon_extract(m, &in, 1, &nope, 1, &r) == XC_ERR_USAGE && strstr(xc_error_message(), "'nope'"));
    xc_io_spec wrong_type = {.name = "stem_relu", .dtype = XC_INT64, .rank = -1};
    CHECK(xc_surgeon_extract(m, &wrong_type, 1, &outp, 1, &r) == XC_ERR_USAGE && strstr(xc_error_message(), "int64"));
    /* inserting a node whose input is computed from its own output is a cycle */
    const char *ins[] = {"block_relu"}, *outs[] = {"stem_relu"};
    CHECK(xc_surgeon_insert(m, ins, 1, outs, 1, "Relu", NULL, NULL, 0, &r) != XC_OK && !r);
    CHECK(strstr(xc_error_message(), "cycle") != NULL);
    CHECK(xc_surgeon_insert(m, ins, 1, (const char *[]){"pool"}, 1, "NoSuchOp", NULL, NULL, 0, &r) == XC_ERR_USAGE);
    CHECK(xc_surgeon_insert(m, ins, 1, (const char *[]){"input"}, 1, "Relu", NULL, NULL, 0, &r) == XC_ERR_USAGE);
    CHECK(xc_surgeon_prune_outputs(m, (const char *[]){"probs"}, 1, 0, &r) == XC_ERR_USAGE);
    CHECK(xc_surgeon_prune_outputs(m, (const char *[]){"pool"}, 1, 1, &r) == XC_ERR_USAGE);
    xc_model_free(m);
}

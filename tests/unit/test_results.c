/* test_results.c — the results writer and loader, .npy parsing and Polygraphy JSON import. */
#include "test.h"
#include "compare.h"
#include "npy.h"
#include "onnx_io.h"
#include "polygraphy_json.h"
#include "results.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static xc_tensor *make_f32(const char *name, int rank, const int64_t *dims, const float *v)
{
    xc_tensor *t = NULL;
    if (xc_tensor_new(XC_FLOAT, rank, dims, &t) != XC_OK) return NULL;
    memcpy(t->data, v, t->nbytes);
    xc_tensor_set_name(t, name);
    return t;
}

static int same_tensor(const xc_tensor *a, const xc_tensor *b)
{
    return a && b && a->dtype == b->dtype && xc_shape_equal(a->rank, a->dims, b->rank, b->dims) && a->nbytes == b->nbytes
           && (!a->nbytes || !memcmp(a->data, b->data, a->nbytes)) && !strcmp(a->name, b->name);
}

static cJSON *read_json(const char *path)
{
    xc_mapping *m;
    if (xc_read_file(path, &m) != XC_OK) return NULL;
    cJSON *j = cJSON_ParseWithLength(m->addr, m->len);
    xc_mapping_release(m);
    return j;
}

static void rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) fprintf(stderr, "  could not remove %s\n", dir);
}

TEST(results_writer_round_trip)
{
    char dir[] = "/tmp/xc_results_XXXXXX", path[4200];
    CHECK(mkdtemp(dir) != NULL);
    int64_t d6[1] = {6}, d23[2] = {2, 3};
    const float v[6] = {1, 2, 3, 4, NAN, INFINITY};
    const float w[6] = {0.5f, -1, 2, 8, 16, 32};
    /* tensor and runner names that must never become paths */
    xc_tensor *in = make_f32("../../etc/passwd", 1, d6, v), *out = make_f32("out/0", 2, d23, w),
              *layer = make_f32("conv", 2, d23, v);
    xc_compare_result cmp = {0};
    cmp.passed = 1;
    cmp.max_abs = 0.25;
    cmp.cosine = 0.999;
    cmp.max_ulp = NAN; /* JSON has no NaN: stored as null */
    xc_results_writer *wr;
    CHECK_OK(xc_results_open(dir, &wr));
    CHECK_OK(xc_results_add(wr, "onnxrt/01:02", 0, "input", in, NULL));
    CHECK_OK(xc_results_add(wr, "onnxrt/01:02", 0, "output", out, &cmp));
    CHECK_OK(xc_results_add(wr, "onnxrt_01_02", 0, "output", in, NULL)); /* same stem: must not collide */
    CHECK_OK(xc_results_add(wr, "ocl", 1, "layer", layer, NULL));
    CHECK(xc_results_add(wr, "ocl", 1, "weights", layer, NULL) == XC_ERR_USAGE);
    CHECK(xc_results_add(wr, "ocl", -1, "layer", layer, NULL) == XC_ERR_USAGE);
    CHECK_OK(xc_results_close(wr));

    snprintf(path, sizeof path, "%s/onnxrt_01_02_it0_input_0.pb", dir);
    CHECK(access(path, F_OK) == 0);
    snprintf(path, sizeof path, "%s/onnxrt_01_02_r1_it0_output_0.pb", dir);
    CHECK(access(path, F_OK) == 0);
    /* the first runner's iteration 0 still reads as a test_data_set */
    xc_tensor_list ins = {0}, outs = {0};
    CHECK_OK(xc_dataset_load(dir, &ins, &outs));
    CHECK(ins.n == 1 && outs.n == 1 && same_tensor(ins.t[0], in) && same_tensor(outs.t[0], out));
    xc_tensor_list_free(&ins);
    xc_tensor_list_free(&outs);

    /* value statistics of [1,2,3,4,NaN,Inf]: over the finite values 1..4 */
    snprintf(path, sizeof path, "%s/index.json", dir);
    cJSON *idx = read_json(path);
    CHECK(idx != NULL);
    cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(idx, "tensors"), 0), *st = cJSON_GetObjectItem(e0, "stats");
    CHECK_NEAR(cJSON_GetObjectItem(st, "min")->valuedouble, 1, 0);
    CHECK_NEAR(cJSON_GetObjectItem(st, "max")->valuedouble, 4, 0);
    CHECK_NEAR(cJSON_GetObjectItem(st, "mean")->valuedouble, 2.5, 1e-12);
    CHECK_NEAR(cJSON_GetObjectItem(st, "std")->valuedouble, sqrt(1.25), 1e-12);
    CHECK_NEAR(cJSON_GetObjectItem(st, "nan")->valuedouble, 1, 0);
    CHECK_NEAR(cJSON_GetObjectItem(st, "inf")->valuedouble, 1, 0);
    CHECK(!strcmp(cJSON_GetObjectItem(e0, "tensor")->valuestring, "../../etc/passwd"));
    cJSON *c1 = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(idx, "tensors"), 1), "compare");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(c1, "passed")) && cJSON_IsNull(cJSON_GetObjectItem(c1, "max_ulp")));
    CHECK_NEAR(cJSON_GetObjectItem(c1, "max_abs")->valuedouble, 0.25, 0);
    cJSON_Delete(idx);

    xc_results *r = NULL;
    CHECK_OK(xc_results_load(dir, &r));
    if (r) {
        CHECK(r->n == 4 && !strcmp(r->format, "crosscheck-results-1"));
        CHECK(r->n == 4 && same_tensor(r->e[0].t, in) && same_tensor(r->e[1].t, out) && same_tensor(r->e[3].t, layer));
        CHECK(r->n == 4 && r->e[1].compare && !r->e[0].compare && r->e[3].role == XC_ROLE_LAYER && r->e[3].iteration == 1);
        const char **names;
        int n = 0;
        CHECK_OK(xc_results_runners(r, &names, &n));
        CHECK(n == 3 && !strcmp(names[0], "onnxrt/01:02") && !strcmp(names[1], "onnxrt_01_02") && !strcmp(names[2], "ocl"));
        free(names);
        CHECK(xc_results_iterations(r, "ocl") == 2 && xc_results_iterations(r, "nobody") == 0);
        CHECK(same_tensor(xc_results_find(r, "onnxrt/01:02", 0, XC_ROLE_OUTPUT, "out/0"), out));
        CHECK(xc_results_find(r, "onnxrt/01:02", 1, XC_ROLE_OUTPUT, "out/0") == NULL);
        xc_tensor_list sel = {0};
        CHECK_OK(xc_results_select(r, "onnxrt_01_02", 0, XC_ROLE_OUTPUT, &sel));
        CHECK(sel.n == 1 && same_tensor(sel.t[0], in));
        xc_tensor_list_free(&sel);
        CHECK(xc_results_select(r, "ocl", 0, XC_ROLE_OUTPUT, &sel) == XC_ERR_USAGE);
        CHECK_OK(xc_results_take(r, NULL, 0, XC_ROLE_OUTPUT, &sel)); /* first runner with outputs */
        CHECK(sel.n == 1 && same_tensor(sel.t[0], out) && r->n == 3);
        xc_tensor_list_free(&sel);
        xc_results_free(r);
    }
    /* a role filter reads only that role's files */
    const char *one[1] = {dir};
    CHECK_OK(xc_results_load_paths(one, 1, XC_ROLE_LAYER, &r));
    CHECK(r && r->n == 1 && same_tensor(r->e[0].t, layer));
    xc_results_free(r);
    /* --load-outputs DIR: the first runner's iteration-0 outputs */
    const char *paths[1] = {dir};
    xc_tensor_list got = {0};
    CHECK_OK(xc_tensor_files_load(paths, 1, "output", &got));
    CHECK(got.n == 1 && same_tensor(got.t[0], out));
    xc_tensor_list_free(&got);

    /* rewriting the folder removes the previous set's files */
    CHECK_OK(xc_results_save(dir, "ref", 0, NULL, &layer, 1));
    snprintf(path, sizeof path, "%s/ocl_it1_layer_0.pb", dir);
    CHECK(access(path, F_OK) != 0);
    snprintf(path, sizeof path, "%s/output_0.pb", dir);
    xc_tensor *back = NULL;
    CHECK_OK(xc_tensor_load_pb(path, &back));
    CHECK(same_tensor(back, layer));
    xc_tensor_free(back);
    xc_tensor_free(in);
    xc_tensor_free(out);
    xc_tensor_free(layer);
    rm_rf(dir);
}

/* An index that points outside its folder, or disagrees with its files, is refused. */
TEST(results_index_hostile)
{
    char dir[] = "/tmp/xc_results_XXXXXX", path[4200];
    CHECK(mkdtemp(dir) != NULL);
    int64_t d2[1] = {2};
    const float v[2] = {1, 2};
    xc_tensor *t = make_f32("x", 1, d2, v);
    CHECK_OK(xc_results_save(dir, "ref", 0, NULL, &t, 1));
    xc_tensor_free(t);
    static const char *bad[][2] = {
        {"{\"format\":\"crosscheck-results-1\",\"tensors\":[{\"runner\":\"r\",\"iteration\":0,\"role\":\"output\",\"file\":\"../"
         "x.pb\"}]}",
         "not a plain name"},
        {"{\"format\":\"crosscheck-results-1\",\"tensors\":[{\"runner\":\"r\",\"iteration\":0,\"role\":\"output\",\"file\":"
         "\"ref_it0_output_0.pb\","
         "\"dtype\":\"int64\",\"shape\":[2]}]}",
         "but the index says int64[2]"},
        {"{\"format\":\"crosscheck-results-1\",\"tensors\":[{\"runner\":\"r\",\"iteration\":0,\"role\":\"output\",\"file\":"
         "\"ref_it0_output_0.pb\","
         "\"tensor\":\"y\"}]}",
         "holds tensor 'x' but the index says 'y'"},
        {"{\"format\":\"crosscheck-results-1\",\"tensors\":[{\"runner\":\"r\",\"iteration\":-3,\"role\":\"output\",\"file\":\"a."
         "pb\"}]}",
         "bad iteration"},
        {"{\"format\":\"crosscheck-results-1\",\"tensors\":[{\"runner\":\"r\",\"iteration\":0,\"role\":\"weights\",\"file\":\"a."
         "pb\"}]}",
         "unknown role"},
        {"{\"format\":\"crosscheck-results-1\",\"tensors\":[{\"runner\":7}]}", "needs string runner"},
        {"{\"format\":\"other\"}", "not a crosscheck results index"},
        {"{\"format\":\"crosscheck-results-1\",\"tensors\":[{\"runner\":\"r\",\"iteration\":0,\"role\":\"output\",\"file\":"
         "\"missing.pb\"}]}",
         "missing.pb"},
        {"[1,", "not valid JSON"},
    };
    snprintf(path, sizeof path, "%s/index.json", dir);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_OK(xc_write_file(path, bad[i][0], strlen(bad[i][0])));
        xc_results *r = NULL;
        xc_status s = xc_results_load(dir, &r);
        if (s == XC_OK || !strstr(xc_error_message(), bad[i][1]) || !strstr(xc_error_message(), "index.json")) {
            fprintf(stderr, "  case %zu: %s\n", i, s == XC_OK ? "loaded" : xc_error_message());
            test_failures++;
        }
        xc_results_free(r);
    }
    rm_rf(dir);
}

/* A .npy image built by hand: magic, version, padded header, data. Returns its length. */
static size_t make_npy(uint8_t *buf, int major, const char *header, const void *data, size_t n)
{
    size_t pre = major == 1 ? 10 : 12, hl = strlen(header);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (uint8_t)major;
    buf[7] = 0;
    buf[8] = (uint8_t)hl;
    buf[9] = (uint8_t)(hl >> 8);
    if (major > 1) buf[10] = buf[11] = 0;
    memcpy(buf + pre, header, hl);
    if (n) memcpy(buf + pre + hl, data, n);
    return pre + hl + n;
}

TEST(npy_every_dtype_and_version)
{
    static const struct {
        const char *descr;
        xc_dtype t;
    } types[] = {
        {"<f2", XC_FLOAT16}, {"<f4", XC_FLOAT},  {"<f8", XC_DOUBLE}, {"|i1", XC_INT8},  {"<i1", XC_INT8},
        {"<i2", XC_INT16},   {"<i4", XC_INT32},  {"<i8", XC_INT64},  {"|u1", XC_UINT8}, {"<u2", XC_UINT16},
        {"<u4", XC_UINT32},  {"<u8", XC_UINT64}, {"|b1", XC_BOOL},
    };
    uint8_t data[6 * 8], buf[512];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i % 2); /* valid for bool too */
    for (size_t k = 0; k < sizeof types / sizeof *types; k++)
        for (int major = 1; major <= 3; major++) {
            char header[128];
            snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (2, 3), }   \n", types[k].descr);
            size_t es = xc_dtype_size(types[k].t);
            size_t len = make_npy(buf, major, header, data, 6 * es);
            xc_tensor *t = NULL;
            CHECK_OK(xc_npy_parse(buf, len, &t));
            CHECK(t && t->dtype == types[k].t && t->rank == 2 && t->dims[0] == 2 && t->dims[1] == 3
                  && !memcmp(t->data, data, 6 * es));
            xc_tensor_free(t);
        }
    /* shapes () and (n,), key order free, double quotes */
    double pi = 3.25;
    uint8_t buf2[256];
    size_t len = make_npy(buf2, 1, "{\"shape\": (), \"fortran_order\": False, \"descr\": \"<f8\"}\n", &pi, 8);
    xc_tensor *t = NULL;
    CHECK_OK(xc_npy_parse(buf2, len, &t));
    CHECK(t && t->rank == 0 && t->nbytes == 8 && *(double *)t->data == 3.25);
    xc_tensor_free(t);
    int32_t four[4] = {1, -2, 3, -4};
    len = make_npy(buf2, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }\n", four, 16);
    CHECK_OK(xc_npy_parse(buf2, len, &t));
    CHECK(t && t->rank == 1 && t->dims[0] == 4 && ((int32_t *)t->data)[3] == -4);
    xc_tensor_free(t);
    len = make_npy(buf2, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }\n", NULL, 0);
    CHECK_OK(xc_npy_parse(buf2, len, &t));
    CHECK(t && t->rank == 2 && t->nbytes == 0);
    xc_tensor_free(t);
    /* bool bytes other than 0/1 become 1 */
    uint8_t b[2] = {0, 7};
    len = make_npy(buf2, 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }\n", b, 2);
    CHECK_OK(xc_npy_parse(buf2, len, &t));
    CHECK(t && ((uint8_t *)t->data)[0] == 0 && ((uint8_t *)t->data)[1] == 1);
    xc_tensor_free(t);
}

TEST(npy_hostile_images_fail_cleanly)
{
    static const struct {
        const char *header;
        size_t data;
        const char *expect;
    } cases[] = {
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4, "data holds 4 bytes but shape and dtype need 8"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12, "data holds 12 bytes"},
        {"{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8, "dtype '<c8' is not supported"},
        {"{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", 4, "big-endian"},
        {"{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", 4, "dtype '|f4' is not supported"},
        {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4, "structured"},
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", 4, "Fortran"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", 4, "not True or False"},
        {"{'descr': '<f4', 'shape': (1,), }", 4, "lacks 'fortran_order'"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4, "repeated key 'descr'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4, "non-negative integer"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 4, "overflows"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 4, "overflow"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 4, "rank above"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1 2), }", 4, "malformed 'shape'"},
        {"{'descr': '<f4, 'fortran_order': False, 'shape': (1,), }", 4, "dtype '<f4, ' is not supported"},
        {"{'descr': '<f4", 4, "unterminated string"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", 4, "not a dict literal"},
        {"['descr']", 4, "not a dict literal"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': 1, }", 4, "not a tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'order': 'C', 'shape': (1,), }", 4, "unexpected or repeated key 'order'"},
    };
    uint8_t buf[512], zero[16] = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = make_npy(buf, 1, cases[i].header, zero, cases[i].data);
        xc_tensor *t = NULL;
        xc_status s = xc_npy_parse(buf, len, &t);
        if (s == XC_OK || t || !strstr(xc_error_message(), cases[i].expect)) {
            fprintf(stderr, "  case %zu: %s\n", i, s == XC_OK ? "parsed" : xc_error_message());
            test_failures++;
        }
        xc_tensor_free(t);
    }
    /* structure around the header */
    size_t good = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", zero, 4);
    xc_tensor *t = NULL;
    CHECK(xc_npy_parse(buf, 9, &t) == XC_ERR_MODEL && !t);         /* shorter than the preamble */
    CHECK(xc_npy_parse(buf, good - 10, &t) == XC_ERR_MODEL && !t); /* header cut */
    buf[6] = 4;
    CHECK(xc_npy_parse(buf, good, &t) == XC_ERR_UNSUPPORTED && strstr(xc_error_message(), "version 4.0"));
    buf[6] = 2; /* 2.0 needs a 4-byte length */
    CHECK(xc_npy_parse(buf, 11, &t) == XC_ERR_MODEL && !t);
    buf[0] = 'X';
    CHECK(xc_npy_parse(buf, good, &t) == XC_ERR_MODEL && strstr(xc_error_message(), "bad magic"));
    /* the size limit holds before anything is allocated */
    size_t limit = xc_max_tensor_bytes();
    xc_set_max_tensor_bytes(1024);
    size_t len = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }", zero, 0);
    CHECK(xc_npy_parse(buf, len, &t) == XC_ERR_NOMEM && strstr(xc_error_message(), "exceeds the limit"));
    xc_set_max_tensor_bytes(limit);
}

/* base64 of a .npy holding float32 [2] = {1.5, -2} */
static char *b64_npy(void)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t buf[256];
    float v[2] = {1.5f, -2};
    size_t n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", v, 8);
    char *out = malloc(n / 3 * 4 + 8), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        unsigned x = (unsigned)buf[i] << 16 | (i + 1 < n ? (unsigned)buf[i + 1] << 8 : 0) | (i + 2 < n ? buf[i + 2] : 0);
        *o++ = tbl[x >> 18 & 63];
        *o++ = tbl[x >> 12 & 63];
        *o++ = i + 1 < n ? tbl[x >> 6 & 63] : '=';
        *o++ = i + 2 < n ? tbl[x & 63] : '=';
    }
    *o = 0;
    return out;
}

TEST(polygraphy_json_shapes)
{
    char *b = b64_npy(), json[2048];
    xc_results *r = NULL;
    /* current RunResults: IterationResult with LazyArray values */
    snprintf(json, sizeof json,
             "{\"lst\": [[\"trt-runner-N0-01/02/25\", [{\"outputs\": {\"y\": {\"values\": {\"array\": \"%s\", "
             "\"polygraphy_class\": \"ndarray\"},"
             " \"polygraphy_class\": \"LazyArray\"}}, \"runtime\": 0.1, \"runner_name\": \"trt\", \"polygraphy_class\": "
             "\"IterationResult\"},"
             " {\"outputs\": {}, \"polygraphy_class\": \"IterationResult\"}]]], \"polygraphy_class\": \"RunResults\"}",
             b);
    CHECK_OK(xc_results_new("mem", "?", &r));
    CHECK_OK(xc_polygraphy_json_parse(json, strlen(json), r));
    CHECK(r->n == 1 && !strcmp(r->e[0].runner, "trt-runner-N0-01/02/25") && r->e[0].role == XC_ROLE_OUTPUT
          && !strcmp(r->e[0].t->name, "y") && ((float *)r->e[0].t->data)[1] == -2 && !strcmp(r->format, "polygraphy-RunResults"));
    xc_results_free(r);
    /* legacy: plain iteration dicts, legacy type markers */
    snprintf(
        json, sizeof json,
        "{\"lst\": [[\"a\", [{\"y\": {\"array\": \"%s\", \"__polygraphy_encoded_ndarray\": \"polygraphy_serialized_json_type\"}},"
        " {\"y\": {\"array\": \"%s\"}}]]], \"__polygraphy_encoded_RunResults\": \"polygraphy_serialized_json_type\"}",
        b, b);
    CHECK_OK(xc_results_new("mem", "?", &r));
    CHECK_OK(xc_polygraphy_json_parse(json, strlen(json), r));
    CHECK(r->n == 2 && r->e[1].iteration == 1 && xc_results_iterations(r, "a") == 2);
    xc_results_free(r);
    /* --save-inputs: a list of feed dicts */
    snprintf(json, sizeof json, "[{\"x\": {\"array\": \"%s\", \"polygraphy_class\": \"ndarray\"}}, {\"x\": {\"array\": \"%s\"}}]",
             b, b);
    CHECK_OK(xc_results_new("mem", "?", &r));
    CHECK_OK(xc_polygraphy_json_parse(json, strlen(json), r));
    CHECK(r->n == 2 && r->e[0].role == XC_ROLE_INPUT && !strcmp(r->e[0].runner, "inputs")
          && !strcmp(r->format, "polygraphy-inputs"));
    xc_results_free(r);
    /* hostile structures: each fails with its message, nothing leaks */
    static const char *bad[][2] = {
        {"{\"lst\": [[\"a\", [{\"outputs\": 5}]]]}", "'outputs' is not an object"},
        {"{\"lst\": [[5, []]]}", "not [runner name, [iterations]]"},
        {"{\"lst\": [[\"a\", {}]]}", "not [runner name, [iterations]]"},
        {"{\"lst\": [[\"a\", [{\"y\": {\"values\": {\"values\": {\"values\": {\"values\": {\"values\": 1}}}}}}]]]}",
         "no \"array\" string"},
        {"{\"lst\": [[\"a\", [{\"y\": {\"array\": \"\\u0093NUMPY\"}}]]]}", "latin-1"},
        {"{\"lst\": [[\"a\", [{\"y\": {\"array\": \"====\"}}]]]}", "not valid base64"},
        {"{\"lst\": [[\"a\", [{\"y\": {\"array\": \"\"}}]]]}", "bad magic"},
        {"\"just a string\"", "not a Polygraphy RunResults"},
        {"", "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_OK(xc_results_new("mem", "?", &r));
        xc_status s = xc_polygraphy_json_parse(bad[i][0], strlen(bad[i][0]), r);
        if (s == XC_OK || !strstr(xc_error_message(), bad[i][1])) {
            fprintf(stderr, "  case %zu: %s\n", i, s == XC_OK ? "parsed" : xc_error_message());
            test_failures++;
        }
        xc_results_free(r);
    }
    /* nesting deep enough to exhaust a recursive parser's stack is refused by cJSON's limit */
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = 0;
    CHECK_OK(xc_results_new("mem", "?", &r));
    CHECK(xc_polygraphy_json_parse(deep, 2 * depth, r) == XC_ERR_MODEL);
    xc_results_free(r);
    free(deep);
    free(b);
}

/* --load-inputs on a test_data_set without input_K.pb (a model that takes no inputs) gives
 * none; a results folder or Polygraphy file without the role is an error naming it. */
TEST(tensor_files_load_missing_role)
{
    char dir[] = "/tmp/xc_results_XXXXXX", path[4200];
    CHECK(mkdtemp(dir) != NULL);
    int64_t d2[1] = {2};
    const float v[2] = {1, 2};
    xc_tensor *t = make_f32("y", 1, d2, v);
    snprintf(path, sizeof path, "%s/output_0.pb", dir);
    CHECK_OK(xc_tensor_save_pb(t, path));
    const char *paths[1] = {dir};
    xc_tensor_list got = {0};
    CHECK_OK(xc_tensor_files_load(paths, 1, "input", &got));
    CHECK(got.n == 0);
    CHECK_OK(xc_results_save(dir, "ref", 0, NULL, &t, 1));
    CHECK(xc_tensor_files_load(paths, 1, "input", &got) == XC_ERR_USAGE && strstr(xc_error_message(), "no input tensors")
          && strstr(xc_error_message(), dir));
    CHECK_OK(xc_tensor_files_load(paths, 1, "output", &got));
    CHECK(got.n == 1 && same_tensor(got.t[0], t));
    xc_tensor_list_free(&got);
    xc_tensor_free(t);
    rm_rf(dir);
}

/* test_ocl.c — the OpenCL engine's runtime guarantees: results match the reference, contexts
 * share an engine from two threads, plans reload the same engine bit for bit, a second build
 * with a timing cache times nothing, canaries catch out-of-bounds writes. Runs on whatever
 * OpenCL device there is (PoCL in CI); skips with a note when there is none. */
#include "compare.h"
#include "ocl/build.h"
#include "ocl/program.h"
#include "ocl/runtime.h"
#include "ocl/tactics_file.h"
#include "onnx_io.h"
#include "test.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int have_device(void)
{
    xc_ocl_device *d;
    if (xc_ocl_device_open(NULL, &d) != XC_OK) {
        fprintf(stderr, "  (no OpenCL device: %s)\n", xc_error_message());
        return 0;
    }
    xc_ocl_device_close(d);
    return 1;
}

static const char *fixture(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", test_fixtures ? test_fixtures : "build/fixtures", name);
    return buf;
}

/* The pointwise fixture and an engine built from it with default options (NULLs on failure). */
static void pointwise_engine(xc_model **m, xc_engine **e)
{
    char path[4096];
    xc_ocl_build_options o = xc_ocl_build_defaults();
    *m = NULL;
    *e = NULL;
    CHECK_OK(xc_model_load(fixture("pointwise.onnx", path, sizeof path), m));
    if (*m) CHECK_OK(xc_ocl_build(*m, &o, e));
}

static xc_tensor *ramp(void)
{
    int64_t dims[] = {2, 3, 4};
    xc_tensor *x;
    xc_tensor_new(XC_FLOAT, 3, dims, &x);
    for (int i = 0; i < 24; i++) ((float *)x->data)[i] = (float)i / 7.0f - 1.5f;
    return x;
}

static xc_tensor *run_ref(const xc_model *m, const xc_tensor *x)
{
    xc_backend *b = NULL;
    xc_tensor *y = NULL;
    const xc_tensor *in[] = {x};
    if (xc_ref_backend_create(m, &b) == XC_OK) xc_backend_run(b, in, &y, NULL);
    xc_backend_destroy(b);
    return y;
}

static int close_to(const xc_tensor *a, const xc_tensor *b)
{
    xc_tolerance t = xc_tolerance_default();
    t.rtol = 1e-4;
    xc_compare_result r;
    return a && b && xc_compare(a, b, &t, &r) == XC_OK && r.passed;
}

typedef struct job {
    xc_engine *e;
    const xc_tensor *x, *want;
    int ok;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    xc_backend *b = NULL;
    j->ok = xc_ocl_backend_create(j->e, &b) == XC_OK;
    for (int it = 0; j->ok && it < 20; it++) {
        xc_tensor *y = NULL;
        const xc_tensor *in[] = {j->x};
        j->ok = xc_backend_run(b, in, &y, NULL) == XC_OK && close_to(y, j->want);
        xc_tensor_free(y);
    }
    xc_backend_destroy(b);
    return NULL;
}

TEST(ocl_engine_matches_reference_and_shares_weights_across_threads)
{
    if (!have_device()) return;
    xc_model *m;
    xc_engine *e;
    pointwise_engine(&m, &e);
    xc_tensor *x = ramp(), *want = run_ref(m, x);
    if (e && want) {
        CHECK(e->n_layers >= 3);
        job jobs[2] = {{e, x, want, 0}, {e, x, want, 0}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, worker, &jobs[i]);
        for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
        CHECK(jobs[0].ok && jobs[1].ok);
    }
    xc_tensor_free(x);
    xc_tensor_free(want);
    xc_engine_free(e);
    xc_model_free(m);
}

TEST(ocl_plan_reload_is_bit_identical)
{
    if (!have_device()) return;
    char path[4096], plan[] = "/tmp/xc_test_plan_XXXXXX";
    int fd = mkstemp(plan);
    if (fd >= 0) close(fd);
    xc_model *m = NULL;
    CHECK_OK(xc_model_load(fixture("pointwise.onnx", path, sizeof path), &m));
    xc_ocl_build_options o = xc_ocl_build_defaults();
    o.fp16 = 1;
    xc_engine *a = NULL, *b = NULL;
    CHECK_OK(xc_ocl_build(m, &o, &a));
    if (a) CHECK_OK(xc_ocl_plan_save(a, plan));
    xc_ocl_build_options plain = xc_ocl_build_defaults(); /* the plan's own options must win */
    CHECK_OK(xc_ocl_plan_load(m, plan, &plain, &b));
    xc_tensor *x = ramp(), *ya = NULL, *yb = NULL;
    const xc_tensor *in[] = {x};
    xc_backend *ba = NULL, *bb = NULL;
    if (a && b && xc_ocl_backend_create(a, &ba) == XC_OK && xc_ocl_backend_create(b, &bb) == XC_OK) {
        CHECK_OK(xc_backend_run(ba, in, &ya, NULL));
        CHECK_OK(xc_backend_run(bb, in, &yb, NULL));
        CHECK(ya && yb && !memcmp(ya->data, yb->data, ya->nbytes));
        CHECK(b->opt.fp16 == 1 && b->n_timed == 0);
    }
    xc_backend_destroy(ba);
    xc_backend_destroy(bb);
    xc_tensor_free(ya);
    xc_tensor_free(yb);
    xc_tensor_free(x);
    xc_engine_free(a);
    xc_engine_free(b);
    unlink(plan);
    xc_model_free(m);
}

TEST(ocl_canary_catches_out_of_bounds_writes)
{
    if (!have_device()) return;
    xc_model *m;
    xc_engine *e;
    pointwise_engine(&m, &e);
    if (!e) {
        xc_model_free(m);
        return;
    }
    /* replace the last layer's kernel by one that writes one element past its output */
    xc_layer *l = &e->layers[e->n_layers - 1];
    cl_program p;
    const char *bad =
        "__kernel void overrun(__global float *out, int n) { int i = get_global_id(0); out[i] = 1.0f; "
        "if (i == 0) out[n] = 7.0f; }\n";
    CHECK_OK(xc_ocl_program(e->dev, NULL, bad, "", "test.overrun", &p));
    l->n_launches = 0;
    xc_launch *k = xc_layer_add_launch(l, p, "overrun");
    size_t n = xc_et_numel(&e->tensors[l->out[0]]);
    xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, (int64_t)n);
    xc_launch_range(k, 1, &n, NULL);
    xc_ocl_ctx *c = NULL;
    CHECK_OK(xc_ocl_ctx_create(e, 1, &c));
    if (c) {
        c->canary = 1;
        xc_tensor *x = ramp(), *y = NULL;
        const xc_tensor *in[] = {x};
        CHECK(xc_ocl_ctx_run(c, in, &y, NULL) == XC_ERR_RUNTIME && strstr(xc_error_message(), "wrote past the end"));
        xc_tensor_free(y);
        xc_tensor_free(x);
    }
    xc_ocl_ctx_free(c);
    xc_engine_free(e);
    xc_model_free(m);
}

TEST(ocl_device_selection_errors)
{
    if (!have_device()) return;
    xc_ocl_device *d = NULL;
    CHECK(xc_ocl_device_open("no-such-device-anywhere", &d) == XC_ERR_USAGE && !d);
    CHECK(strstr(xc_error_message(), "matches none") != NULL);
    CHECK(xc_ocl_device_open("0", &d) == XC_OK && d);
    xc_ocl_device_close(d);
}

TEST(ocl_programs_come_back_from_the_disk_cache)
{
    if (!have_device()) return;
    char path[4096], dir[] = "/tmp/xc_cl_cache_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    setenv("CROSSCHECK_CACHE_DIR", dir, 1);
    xc_model *m = NULL;
    CHECK_OK(xc_model_load(fixture("pointwise.onnx", path, sizeof path), &m));
    xc_ocl_build_options o = xc_ocl_build_defaults();
    int built0, disk0, mem0, built1, disk1, mem1, built2, disk2, mem2;
    xc_ocl_program_stats(&built0, &disk0, &mem0);
    xc_engine *e = NULL;
    CHECK_OK(xc_ocl_build(m, &o, &e));
    xc_engine_free(e); /* closes the device: its in-memory programs go too */
    xc_ocl_program_stats(&built1, &disk1, &mem1);
    CHECK_OK(xc_ocl_build(m, &o, &e));
    xc_engine_free(e);
    xc_ocl_program_stats(&built2, &disk2, &mem2);
    CHECK(built1 > built0);                   /* first build compiled from source */
    CHECK(built2 == built1 && disk2 > disk1); /* second one loaded every binary from disk */
    unsetenv("CROSSCHECK_CACHE_DIR");
    xc_model_free(m);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* The signature of the only live layer of the fixture's engine (whole), or NULL. */
static char *live_signature(const char *name)
{
    char path[4096];
    xc_model *m = NULL;
    xc_engine *e = NULL;
    xc_ocl_build_options o = xc_ocl_build_defaults();
    xc_text t = {0};
    CHECK_OK(xc_model_load(fixture(name, path, sizeof path), &m));
    if (m) CHECK_OK(xc_ocl_build(m, &o, &e));
    int live = 0;
    for (int l = 0; e && l < e->n_layers; l++)
        if (!e->layers[l].dead) live++, xc_layer_signature(e, &e->layers[l], &t);
    CHECK(live == 1 && !t.failed);
    xc_engine_free(e);
    xc_model_free(m);
    return t.s;
}

/* The timing-cache key of a layer is its whole signature: a 300-node fused chain's runs past
 * 4096 characters, where the tuner's buffer used to cut it, so two chains differing only in the
 * last node's alpha shared one key (and one timing-cache entry). */
TEST(ocl_layer_signature_is_whole)
{
    if (!have_device()) return;
    char *a = live_signature("long_chain_a.onnx"), *b = live_signature("long_chain_b.onnx");
    int nodes = 0;
    for (const char *p = a; p && (p = strstr(p, "LeakyRelu{")); p++) nodes++;
    CHECK(a && b && strlen(a) > 4096 && nodes == 300);
    CHECK(a && b && strcmp(a, b) != 0);
    CHECK(a && strstr(a, "alpha=0.5;}|in") && b && strstr(b, "alpha=0.25;}|in")); /* the last node, then the shapes */
    free(a);
    free(b);
}

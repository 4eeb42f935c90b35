/* test_interp.c — the reference interpreter keeps only the live set, reports every tensor it
 * materializes in execution order, and is deterministic. */
#include "backend.h"
#include "onnx_io.h"
#include "test.h"
#include <string.h>

typedef struct seen {
    int count;
    size_t peak_during;
    char last[64];
} seen;

static xc_status on_tensor(void *user, const char *name, const xc_tensor *t, const char *layer)
{
    seen *s = user;
    (void)t;
    (void)layer;
    s->count++;
    snprintf(s->last, sizeof s->last, "%s", name);
    if (xc_tensor_live_bytes() > s->peak_during) s->peak_during = xc_tensor_live_bytes();
    return XC_OK;
}

static xc_status stop_at_third(void *user, const char *name, const xc_tensor *t, const char *layer)
{
    (void)name;
    (void)t;
    (void)layer;
    return ++*(int *)user == 3 ? xc_fail(XC_ERR_RUNTIME, "stopped by observer") : XC_OK;
}

TEST(interpreter_memory_is_the_live_set)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/chain.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    xc_model *m = NULL;
    xc_backend *b = NULL;
    CHECK_OK(xc_model_load(path, &m));
    if (!m) return;
    CHECK_OK(xc_ref_backend_create(m, &b));
    int64_t dims[] = {256, 1024};
    xc_tensor *x = NULL, *y = NULL;
    CHECK_OK(xc_tensor_new(XC_FLOAT, 2, dims, &x));
    if (!b || !x) goto out;
    for (size_t i = 0; i < 256 * 1024; i++) ((float *)x->data)[i] = (float)i - 1000.0f;
    const size_t mib = 256 * 1024 * 4, base = xc_tensor_live_bytes();
    xc_tensor_reset_peak();
    seen s = {0, 0, ""};
    xc_observer obs = {on_tensor, &s};
    const xc_tensor *in[] = {x};
    CHECK_OK(xc_backend_run(b, in, &y, &obs));
    /* 40 activations of 1 MiB were produced; at most input + two live ones may exist at once */
    CHECK(s.count == 40 && !strcmp(s.last, "y"));
    CHECK(xc_tensor_peak_bytes() - base <= 2 * mib);
    CHECK(xc_tensor_live_bytes() - base == mib); /* only the returned output remains */
    /* 20 Neg/Relu pairs: relu(-x) applied repeatedly, so y = max(-x, 0) after the first pair,
     * then max(-max(-x,0), 0) = 0 ... the chain ends with Relu of a non-positive value: 0 */
    int all_zero = 1;
    for (size_t i = 0; y && i < 256 * 1024; i++) all_zero &= ((float *)y->data)[i] == 0.0f;
    CHECK(y && all_zero);
    xc_tensor_free(y);
    y = NULL;
    int calls = 0;
    xc_observer stop = {stop_at_third, &calls};
    CHECK(xc_backend_run(b, in, &y, &stop) == XC_ERR_RUNTIME && y == NULL);
    CHECK(xc_tensor_live_bytes() == base); /* nothing leaked on the error path */
out:
    xc_tensor_free(x);
    xc_backend_destroy(b);
    xc_model_free(m);
}

TEST(reference_is_deterministic)
{
    xc_model *m = NULL;
    xc_backend *b = NULL;
    CHECK_OK(xc_model_load("models/small_cnn/model.onnx", &m));
    if (!m) return;
    CHECK_OK(xc_ref_backend_create(m, &b));
    xc_tensor *x = NULL;
    CHECK_OK(xc_tensor_load_pb("models/small_cnn/test_data_set_0/input_0.pb", &x));
    if (b && x) {
        const xc_tensor *in[] = {x};
        xc_tensor *y1 = NULL, *y2 = NULL;
        CHECK_OK(xc_backend_run(b, in, &y1, NULL));
        CHECK_OK(xc_backend_run(b, in, &y2, NULL));
        CHECK(y1 && y2 && y1->nbytes == y2->nbytes && !memcmp(y1->data, y2->data, y1->nbytes));
        xc_tensor_free(y1);
        xc_tensor_free(y2);
    }
    xc_tensor_free(x);
    xc_backend_destroy(b);
    xc_model_free(m);
}

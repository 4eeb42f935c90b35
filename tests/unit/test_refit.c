/* test_refit.c — xc_engine_refit through the public API: an engine of refit_a.onnx (Conv 3x3 on
 * the Winograd tactic + BatchNormalization + Clip, whose bound initializer is compiled into the
 * fused kernel) refit with refit_b.onnx's weights gives, on a backend made before the refit (its
 * kernels of the old program must go), outputs bit-identical to a fresh build of refit_b.onnx with the
 * same tactics, and different from before; a model of another structure is refused in one line
 * and leaves the engine as it was. An engine loaded from a plan refits with the plan's options
 * (--layer-precision names included, which pointed into the freed plan before). Skips with a note when there is no OpenCL device. */
#include "crosscheck/crosscheck.h"
#include "error.h"
#include "ocl/engine.h"
#include "test.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *fixture(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", test_fixtures ? test_fixtures : "build/fixtures", name);
    return buf;
}

static xc_tensor *input(void)
{
    int64_t dims[] = {1, 4, 6, 6};
    xc_tensor *x = NULL;
    if (xc_tensor_new(XC_FLOAT, 4, dims, &x) != XC_OK) return NULL;
    for (int i = 0; i < 144; i++) ((float *)x->data)[i] = (float)((i * 37) % 23) / 11.0f - 1.0f;
    return x;
}

static xc_tensor *run_on(xc_backend *b, const xc_tensor *x)
{
    const xc_tensor *in[] = {x};
    xc_tensor *y = NULL;
    if (!b || xc_backend_run(b, in, &y, NULL) != XC_OK) {
        fprintf(stderr, "  run: %s\n", xc_error_message());
        return NULL;
    }
    return y;
}

static int same_bits(const xc_tensor *a, const xc_tensor *b)
{
    return a && b && a->nbytes == b->nbytes && !memcmp(a->data, b->data, a->nbytes);
}

static int on_winograd(const xc_engine *e)
{
    for (int l = 0; l < e->n_layers; l++)
        if (!e->layers[l].dead && strstr(e->layers[l].variant, "winograd")) return 1;
    return 0;
}

TEST(refit_engine_in_process)
{
    char pa[4096], pb[4096], pp[4096], plan[] = "/tmp/xc_refit_XXXXXX";
    xc_ocl_build_options o = xc_ocl_build_defaults();
    CHECK_OK(xc_name_list_add(&o.tactic_filter, "conv2d.winograd_f2x2_3x3*"));
    o.timing_iterations = 1;
    xc_model *a = NULL, *b = NULL, *other = NULL;
    xc_engine *e = NULL, *fresh = NULL;
    if (xc_model_load(fixture("refit_a.onnx", pa, sizeof pa), &a) != XC_OK
        || xc_model_load(fixture("refit_b.onnx", pb, sizeof pb), &b) != XC_OK
        || xc_model_load(fixture("pointwise.onnx", pp, sizeof pp), &other) != XC_OK) {
        fprintf(stderr, "  (fixtures missing: %s)\n", xc_error_message());
        test_failures++;
        goto done;
    }
    if (xc_ocl_build(a, &o, &e) != XC_OK) {
        fprintf(stderr, "  (no OpenCL engine: %s)\n", xc_error_message());
        goto done;
    }
    int fd = mkstemp(plan);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    CHECK_OK(xc_engine_save_plan(e, plan)); /* A's tactics, for the fresh build of B */
    CHECK(on_winograd(e));
    xc_backend *ctx = NULL;
    CHECK_OK(xc_engine_backend_create(e, &ctx));
    xc_tensor *x = input(), *ya = run_on(ctx, x);

    CHECK_OK(xc_engine_refit(e, b));
    xc_tensor *yr = run_on(ctx, x); /* the context made before the refit sees the new weights */
    CHECK(on_winograd(e));
    CHECK(xc_engine_model(e) == b);

    xc_name_list_free(&o.tactic_filter);
    o.load_tactics = plan;
    CHECK_OK(xc_ocl_build(b, &o, &fresh));
    xc_backend *fctx = NULL;
    if (fresh) CHECK_OK(xc_engine_backend_create(fresh, &fctx));
    xc_tensor *yf = run_on(fctx, x);
    CHECK(same_bits(yr, yf));
    CHECK(ya && yr && !same_bits(ya, yr));

    /* another structure: refused in one line naming the difference, the engine unchanged */
    CHECK(xc_engine_refit(e, other) != XC_OK);
    CHECK(strstr(xc_error_message(), "not the structure") && !strchr(xc_error_message(), '\n'));
    xc_tensor *y2 = run_on(ctx, x);
    CHECK(same_bits(y2, yr));
    CHECK(xc_engine_model(e) == b);

    xc_tensor_free(y2);
    xc_tensor_free(yf);
    xc_tensor_free(yr);
    xc_tensor_free(ya);
    xc_tensor_free(x);
    xc_backend_destroy(fctx);
    xc_backend_destroy(ctx);
    unlink(plan);
done:
    xc_ocl_options_free(&o);
    xc_engine_free(fresh);
    xc_engine_free(e);
    xc_model_free(other);
    xc_model_free(b);
    xc_model_free(a);
}

/* A layer kept in fp32 (--layer-precision conv:fp32) in an fp16 plan stays fp32 through a
 * load and a refit: the plan's names belong to the engine after loading. */
TEST(refit_engine_loaded_from_a_plan)
{
    char pa[4096], pb[4096], plan[] = "/tmp/xc_refit_XXXXXX";
    xc_ocl_build_options o = xc_ocl_build_defaults();
    o.fp16 = 1;
    CHECK_OK(xc_ocl_constrain_layer(&o, "conv", XC_LAYER_PREC_FP32));
    o.opt_level = 0;
    xc_model *a = NULL, *b = NULL;
    xc_engine *e = NULL, *loaded = NULL;
    CHECK_OK(xc_model_load(fixture("refit_a.onnx", pa, sizeof pa), &a));
    CHECK_OK(xc_model_load(fixture("refit_b.onnx", pb, sizeof pb), &b));
    if (!a || !b || xc_ocl_build(a, &o, &e) != XC_OK) {
        fprintf(stderr, "  (no OpenCL engine: %s)\n", xc_error_message());
        goto done;
    }
    int fd = mkstemp(plan);
    if (fd >= 0) close(fd);
    CHECK_OK(xc_engine_save_plan(e, plan));
    xc_ocl_build_options given = xc_ocl_build_defaults();
    CHECK_OK(xc_ocl_plan_load(a, plan, &given, &loaded));
    if (loaded) {
        char big[4096];
        memset(big, 'x', sizeof big - 1); /* reuses what the plan's header freed, if anything still pointed there */
        big[sizeof big - 1] = 0;
        char *noise = strdup(big);
        CHECK_OK(xc_engine_refit(loaded, b));
        free(noise);
        int conv_fp32 = 0;
        for (int l = 0; l < loaded->n_layers; l++)
            if (!loaded->layers[l].dead && strstr(loaded->layers[l].name, "conv")) conv_fp32 = !loaded->layers[l].fp16;
        CHECK(conv_fp32);
        CHECK(loaded->opt.fp32_layers.n == 1 && !strcmp(loaded->opt.fp32_layers.v[0], "conv"));
    }
    unlink(plan);
done:
    xc_ocl_options_free(&o);
    xc_engine_free(loaded);
    xc_engine_free(e);
    xc_model_free(b);
    xc_model_free(a);
}

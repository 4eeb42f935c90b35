/* test_tf32.c — the TF32 tensor-core tactics' guard and judgement: only an NVIDIA GPU of compute
 * capability >= 8.0 is offered gemm.tf32 and conv2d.winograd_gemm_tf32 (a faked device description stands in for one), --no-tf32
 * withdraws it, PoCL never reports a compute capability; layers that ran TF32 are compared with
 * TF32's tolerance, which passes a TF32-sized error that fp32's tolerance fails. */
#include "compare.h"
#include "ocl/build.h"
#include "ocl/engine.h"
#include "test.h"
#include "tolerance_spec.h"
#include <string.h>

extern const xc_layer_kind xc_kind_gemm, xc_kind_conv; /* layers/gemm.c, layers/conv.c */

static xc_ocl_device fake_device(const char *vendor, int is_gpu, int major)
{
    xc_ocl_device d;
    memset(&d, 0, sizeof d);
    snprintf(d.vendor, sizeof d.vendor, "%s", vendor);
    d.is_gpu = is_gpu;
    d.nv_cc_major = major;
    return d;
}

static const xc_tactic *kind_tactic(const xc_layer_kind *kind, const char *name)
{
    for (int k = 0; kind->tactics[k]; k++)
        if (!strcmp(kind->tactics[k]->name, name)) return kind->tactics[k];
    return NULL;
}

static const xc_tactic *gemm_tactic(const char *name) { return kind_tactic(&xc_kind_gemm, name); }

/* An engine with default options and an empty layer: what a tactic's guard sees before it looks
 * at the layer. */
static void blank_engine(xc_engine *e, xc_layer *l)
{
    memset(e, 0, sizeof *e);
    memset(l, 0, sizeof *l);
    e->opt = xc_ocl_build_defaults();
}

TEST(tf32_offered_only_on_nvidia_ampere_and_newer)
{
    xc_ocl_device h100 = fake_device("NVIDIA Corporation", 1, 9), a100 = fake_device("NVIDIA Corporation", 1, 8),
                  t4 = fake_device("NVIDIA Corporation", 1, 7), pocl = fake_device("The pocl project", 0, 0),
                  other = fake_device("Advanced Micro Devices, Inc.", 1, 9), nv_cpu = fake_device("NVIDIA Corporation", 0, 9);
    CHECK(xc_ocl_device_tf32(&h100) && xc_ocl_device_tf32(&a100));
    CHECK(!xc_ocl_device_tf32(&t4)); /* Turing: no TF32 mma */
    CHECK(!xc_ocl_device_tf32(&pocl));
    CHECK(!xc_ocl_device_tf32(&other)); /* a capability from another vendor means nothing */
    CHECK(!xc_ocl_device_tf32(&nv_cpu));
    const xc_tactic *t = gemm_tactic("gemm.tf32");
    CHECK(t && t->applicable && xc_tactic_tf32(t));
    CHECK(!xc_tactic_tf32(gemm_tactic("gemm.vec4")) && !xc_tactic_tf32(NULL));
    xc_engine e;
    xc_layer l;
    memset(&e, 0, sizeof e);
    memset(&l, 0, sizeof l);
    e.opt = xc_ocl_build_defaults();
    e.dev = &h100;
    CHECK(xc_engine_tf32(&e) && t && t->applicable(&e, &l)); /* on by default, as TensorRT */
    e.opt.no_tf32 = 1;
    CHECK(!xc_engine_tf32(&e) && t && !t->applicable(&e, &l));
    const xc_tactic *w = kind_tactic(&xc_kind_conv, "conv2d.winograd_gemm_tf32");
    CHECK(w && w->applicable && xc_tactic_tf32(w) && !w->applicable(&e, &l)); /* --no-tf32: never asks the layer */
    e.opt.no_tf32 = 0;
    e.dev = &pocl;
    CHECK(!xc_engine_tf32(&e) && t && !t->applicable(&e, &l));
    CHECK(w && !w->applicable(&e, &l));
    CHECK(!xc_tactic_tf32(kind_tactic(&xc_kind_conv, "conv2d.winograd_gemm")));
}

/* The conv GEMM's own TF32 tactics (1x1 and implicit): registered in the conv kind's table, judged
 * as TF32, and refused before the layer is even looked at off NVIDIA and under --no-tf32. */
TEST(mma_conv_and_fp16_tactics_guarded)
{
    xc_ocl_device h100 = fake_device("NVIDIA Corporation", 1, 9), pocl = fake_device("The pocl project", 0, 0);
    xc_engine e;
    xc_layer l;
    blank_engine(&e, &l);
    const char *names[] = {"conv2d.1x1_tf32", "conv2d.implicit_tf32"};
    for (int i = 0; i < 2; i++) {
        const xc_tactic *t = kind_tactic(&xc_kind_conv, names[i]);
        CHECK(t && t->applicable && t->variants && xc_tactic_tf32(t));
        if (!t) continue;
        e.dev = &pocl;
        CHECK(!t->applicable(&e, &l));
        e.dev = &h100;
        e.opt.no_tf32 = 1;
        CHECK(!t->applicable(&e, &l));
        e.opt.no_tf32 = 0;
    }
    /* the FP16 mma tactics: half-storage layers on such devices only; --no-tf32 keeps them */
    const xc_tactic *f[] = {kind_tactic(&xc_kind_conv, "conv2d.1x1_mma_fp16"),
                            kind_tactic(&xc_kind_conv, "conv2d.implicit_mma_fp16"), gemm_tactic("gemm.mma_fp16")};
    for (int i = 0; i < 3; i++) {
        CHECK(f[i] && f[i]->applicable && f[i]->variants && !xc_tactic_tf32(f[i]));
        if (!f[i]) continue;
        e.dev = &h100;
        l.fp16 = 0;
        CHECK(!f[i]->applicable(&e, &l)); /* fp32 layer */
        l.fp16 = 1;
        e.dev = &pocl;
        CHECK(!f[i]->applicable(&e, &l));
    }
    e.dev = &h100;
    l.fp16 = 1;
    e.opt.no_tf32 = 1;
    CHECK(xc_layer_mma_fp16(&e, &l) && f[2] && f[2]->applicable(&e, &l));
    l.half_format = XC_HALF_BF16; /* bf16 storage: the FP16 mma would read its bits as halves */
    for (int i = 0; i < 3; i++) CHECK(!xc_layer_mma_fp16(&e, &l) && f[i] && !f[i]->applicable(&e, &l));
}

/* The cp.async tactics (gemm.tf32_async, gemm.tf32_splitk: TF32; gemm.mma_fp16_async,
 * gemm.mma_fp16_splitk: FP16) are guarded as the register-staged ones, before the layer is looked
 * at: never off NVIDIA, the TF32 ones never under --no-tf32, the FP16 ones never on fp32 layers. */
TEST(mma_async_tactics_guarded)
{
    xc_ocl_device h100 = fake_device("NVIDIA Corporation", 1, 9), pocl = fake_device("The pocl project", 0, 0);
    xc_engine e;
    xc_layer l;
    blank_engine(&e, &l);
    const char *tf32[] = {"gemm.tf32_async", "gemm.tf32_splitk"}, *fp16[] = {"gemm.mma_fp16_async", "gemm.mma_fp16_splitk"};
    for (int i = 0; i < 2; i++) {
        const xc_tactic *t = gemm_tactic(tf32[i]), *f = gemm_tactic(fp16[i]);
        CHECK(t && t->applicable && t->variants && xc_tactic_tf32(t));
        CHECK(f && f->applicable && f->variants && !xc_tactic_tf32(f));
        if (!t || !f) continue;
        l.fp16 = 0;
        e.dev = &pocl;
        CHECK(!t->applicable(&e, &l) && !f->applicable(&e, &l));
        e.dev = &h100;
        e.opt.no_tf32 = 1;
        CHECK(!t->applicable(&e, &l));
        CHECK(!f->applicable(&e, &l)); /* fp32 layer */
        e.opt.no_tf32 = 0;
        l.fp16 = 1;
        CHECK(!t->applicable(&e, &l)); /* TF32 reads float storage only */
        e.dev = &pocl;
        CHECK(!f->applicable(&e, &l));
    }
}

TEST(tf32_real_device_reports_no_capability_off_nvidia)
{
    xc_ocl_device *d;
    if (xc_ocl_device_open(NULL, &d) != XC_OK) {
        fprintf(stderr, "  (no OpenCL device: %s)\n", xc_error_message());
        xc_error_clear();
        return;
    }
    if (!strstr(d->vendor, "NVIDIA")) CHECK(d->nv_cc_major == 0 && !xc_ocl_device_tf32(d));
    xc_ocl_device_close(d);
}

TEST(rounded_layers_get_tf32_tolerance)
{
    int64_t n = 4096;
    xc_tensor *ref = NULL, *out = NULL;
    CHECK(xc_tensor_new(XC_FLOAT, 1, &n, &ref) == XC_OK && xc_tensor_new(XC_FLOAT, 1, &n, &out) == XC_OK);
    if (!ref || !out) return;
    float *r = (float *)ref->data, *o = (float *)out->data;
    for (int64_t i = 0; i < n; i++) { /* O(1) values, each off by 8e-4 of the RMS: TF32-sized */
        r[i] = (float)((i % 7) - 3) + 0.5f;
        o[i] = r[i] + ((i & 1) ? 8e-4f : -8e-4f) * 2.0f;
    }
    xc_tolerance_spec s = xc_tolerance_spec_default();
    xc_tolerance t32 = xc_tolerance_for(&s, "y", ref, XC_MATH_TF32, 0), f32 = xc_tolerance_for(&s, "y", ref, XC_MATH_FP32, 0),
                 f16 = xc_tolerance_for(&s, "y", ref, XC_MATH_FP16, 0);
    CHECK_NEAR(t32.rtol, XC_TF32_RTOL, 0);
    CHECK_NEAR(t32.atol, XC_TF32_RTOL * t32.ref_rms, 1e-12);
    CHECK(f32.rtol < t32.rtol && t32.rtol < f16.rtol); /* between exact fp32 and half storage */
    CHECK(!t32.half_storage && f16.half_storage);
    xc_compare_result a, b;
    CHECK(xc_compare(out, ref, &t32, &a) == XC_OK && a.passed);
    CHECK(xc_compare(out, ref, &f32, &b) == XC_OK && !b.passed);
    /* after 16 TF32 layers the errors of all 16 are in the value: 4x one layer's (sqrt), and
     * depths 0 and 1 both mean one layer's */
    xc_tolerance d16 = xc_tolerance_for(&s, "y", ref, XC_MATH_TF32, 16), d1 = xc_tolerance_for(&s, "y", ref, XC_MATH_TF32, 1);
    CHECK_NEAR(d16.rtol, 4 * XC_TF32_RTOL, 1e-15);
    CHECK_NEAR(d16.atol, 4 * XC_TF32_RTOL * d16.ref_rms, 1e-12);
    CHECK(d1.rtol == t32.rtol && xc_tolerance_for(&s, "y", ref, XC_MATH_FP32, 16).rtol == f32.rtol); /* fp32 never */
    CHECK(d16.rounded_layers == 16 && d1.rounded_layers == 1 && !f32.rounded_layers);
    /* 16-bit storage: its base covers XC_HALF_FREE_LAYERS product layers, then grows as TF32's */
    xc_tolerance h4 = xc_tolerance_for(&s, "y", ref, XC_MATH_FP16, XC_HALF_FREE_LAYERS),
                 h16 = xc_tolerance_for(&s, "y", ref, XC_MATH_FP16, 16), b16 = xc_tolerance_for(&s, "y", ref, XC_MATH_BF16, 16),
                 b0 = xc_tolerance_for(&s, "y", ref, XC_MATH_BF16, 0);
    CHECK(h4.rtol == f16.rtol && !h4.rounded_layers && !f16.rounded_layers);
    CHECK_NEAR(h16.rtol, 2 * f16.rtol, 1e-15); /* sqrt(16 / 4) */
    CHECK_NEAR(h16.atol, 2 * f16.rtol * h16.ref_rms, 1e-12);
    CHECK_NEAR(b16.rtol, 2 * b0.rtol, 1e-15);
    CHECK(h16.rounded_layers == 16 && b16.rounded_layers == 16);
    s.preset = XC_TOL_POLYGRAPHY; /* explicit presets are not loosened */
    CHECK(xc_tolerance_for(&s, "y", ref, XC_MATH_TF32, 0).rtol == 1e-5);
    CHECK(xc_tolerance_for(&s, "y", ref, XC_MATH_TF32, 16).rtol == 1e-5);
    CHECK(xc_tolerance_for(&s, "y", ref, XC_MATH_FP16, 16).rtol == 1e-5);
    xc_tensor_free(ref);
    xc_tensor_free(out);
}

/* The tuner's finalists (tuner.c): candidates within 10 % of the fastest, failed ones (< 0) never;
 * one alone is no round. */
TEST(tuner_finalists_within_ten_percent)
{
    const double ms[] = {1.0, 1.05, 1.2, -1.0, 1.1, 1.1001};
    CHECK(xc_tuner_finalist(1.0, 1.0) && xc_tuner_finalist(1.1, 1.0) && !xc_tuner_finalist(1.1001, 1.0));
    CHECK(!xc_tuner_finalist(-1.0, 1.0) && !xc_tuner_finalist(1.2, 1.0));
    CHECK(xc_tuner_finalists(ms, 6, 1.0) == 3);
    const double apart[] = {1.0, 2.0, -1.0};
    CHECK(xc_tuner_finalists(apart, 3, 1.0) == 1);
}

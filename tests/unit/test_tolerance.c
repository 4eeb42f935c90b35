/* test_tolerance.c — which tolerance applies to which tensor: dtype-aware defaults scaled by the
 * reference's RMS, Polygraphy's preset, per-name entries, parse errors; and the score. */
#include "test.h"
#include "tolerance_spec.h"
#include <string.h>

static xc_tensor *filled(xc_dtype t, float v)
{
    int64_t d = 4;
    xc_tensor *x = NULL;
    xc_tensor_new(t, 1, &d, &x);
    for (int i = 0; x && i < 4; i++) xc_store_f64(t, x->data, i, v);
    return x;
}

TEST(tolerance_auto_defaults_follow_dtype_and_scale)
{
    xc_tolerance_spec s = xc_tolerance_spec_default();
    xc_tensor *small = filled(XC_FLOAT, 0.5f), *big = filled(XC_FLOAT, 300.0f), *h = filled(XC_FLOAT16, 2.0f),
              *i = filled(XC_INT64, 7);
    xc_tolerance t = xc_tolerance_for(&s, "y", small, 0, 0);
    CHECK_NEAR(t.atol, 1e-4 * 0.5, 1e-18); /* RMS 0.5: scaled down too (it was max(1, RMS)) */
    CHECK_NEAR(t.rtol, 1e-4, 0);
    t = xc_tolerance_for(&s, "y", big, 0, 0);
    CHECK_NEAR(t.atol, 1e-4 * 300, 1e-12);      /* RMS 300 */
    t = xc_tolerance_for(&s, "y", small, 1, 0); /* an fp16-storage runner */
    CHECK_NEAR(t.atol, 1e-2 * 0.5, 1e-15);
    t = xc_tolerance_for(&s, "y", h, 0, 0);
    CHECK_NEAR(t.atol, 2e-2, 1e-12);
    CHECK_NEAR(t.rtol, 1e-2, 0);
    t = xc_tolerance_for(&s, "y", i, 0, 0);
    CHECK(t.atol == 0 && t.rtol == 0); /* integers: exact */
    s.preset = XC_TOL_POLYGRAPHY;
    t = xc_tolerance_for(&s, "y", big, 1, 0);
    CHECK(t.atol == 1e-5 && t.rtol == 1e-5 && t.stat == XC_STAT_ELEMWISE && t.quantile == 0.99);
    CHECK(!t.equal_nan && !t.equal_inf && t.atol_base == 0); /* Polygraphy: NaN never matches */
    s.infinities_equal = 1;
    t = xc_tolerance_for(&s, "y", big, 1, 0);
    CHECK(!t.equal_nan && t.equal_inf);
    xc_tensor_free(small);
    xc_tensor_free(big);
    xc_tensor_free(h);
    xc_tensor_free(i);
}

/* Outputs of magnitude 1e-9 (a random-weight export): an atol of 1e-4 * max(1, RMS) exceeded
 * every value, so an output with every element wrong passed. atol now follows the RMS; only an
 * all-zero reference falls back to the base. */
TEST(tolerance_auto_scales_tiny_tensors_down)
{
    xc_tolerance_spec s = xc_tolerance_spec_default();
    xc_tensor *tiny = filled(XC_FLOAT, 1e-9f), *zero = filled(XC_FLOAT, 0), *wrong = filled(XC_FLOAT, 4e-9f);
    xc_tolerance t = xc_tolerance_for(&s, "y", tiny, 0, 0);
    CHECK_NEAR(t.atol, 1e-13, 1e-20);
    CHECK(t.atol_base == 1e-4 && t.equal_nan && t.equal_inf);
    xc_compare_result r;
    CHECK_OK(xc_compare(wrong, tiny, &t, &r)); /* 4x wrong, as a doubled Gemm twice */
    CHECK(!r.passed);
    t = xc_tolerance_for(&s, "y", zero, 0, 0);
    CHECK_NEAR(t.atol, 1e-4, 0);
    char a[] = "0.5";
    CHECK_OK(xc_tolerance_spec_add(&s, "atol", a)); /* a given atol is not scaled */
    t = xc_tolerance_for(&s, "y", tiny, 0, 0);
    CHECK(t.atol == 0.5 && t.atol_base == 0);
    xc_tensor_free(tiny);
    xc_tensor_free(zero);
    xc_tensor_free(wrong);
}

TEST(tolerance_named_entries_win_over_global_ones)
{
    xc_tolerance_spec s = xc_tolerance_spec_default();
    char a[] = "0.5", b[] = "logits:0.25", c[] = "a:b:3", d[] = "median", e[] = "probs:quantile", f[] = "probs:0.9";
    CHECK_OK(xc_tolerance_spec_add(&s, "atol", a));
    CHECK_OK(xc_tolerance_spec_add(&s, "atol", b));
    CHECK_OK(xc_tolerance_spec_add(&s, "rtol", c)); /* names may hold ':' */
    CHECK_OK(xc_tolerance_spec_add(&s, "check-error-stat", d));
    CHECK_OK(xc_tolerance_spec_add(&s, "check-error-stat", e));
    CHECK_OK(xc_tolerance_spec_add(&s, "error-quantile", f));
    xc_tensor *x = filled(XC_FLOAT, 1);
    xc_tolerance t = xc_tolerance_for(&s, "logits", x, 0, 0);
    CHECK(t.atol == 0.25 && t.rtol == 1e-4 && t.stat == XC_STAT_MEDIAN);
    t = xc_tolerance_for(&s, "a:b", x, 0, 0);
    CHECK(t.atol == 0.5 && t.rtol == 3);
    t = xc_tolerance_for(&s, "probs", x, 0, 0);
    CHECK(t.stat == XC_STAT_QUANTILE && t.quantile == 0.9);
    xc_tensor_free(x);
    char bad1[] = "x:-1", bad2[] = "nope", bad3[] = "1.5";
    CHECK(xc_tolerance_spec_add(&s, "atol", bad1) == XC_ERR_USAGE);
    CHECK(xc_tolerance_spec_add(&s, "check-error-stat", bad2) == XC_ERR_USAGE);
    CHECK(xc_tolerance_spec_add(&s, "error-quantile", bad3) == XC_ERR_USAGE);
}

TEST(compare_score_measures_distance_to_tolerance)
{
    int64_t d = 3;
    xc_tensor *o = NULL, *r = NULL;
    CHECK_OK(xc_tensor_new(XC_FLOAT, 1, &d, &o));
    CHECK_OK(xc_tensor_new(XC_FLOAT, 1, &d, &r));
    if (!o || !r) return;
    float ov[] = {1.0f, 2.0f, 10.5f}, rv[] = {1.0f, 2.0f, 10.0f};
    memcpy(o->data, ov, sizeof ov);
    memcpy(r->data, rv, sizeof rv);
    xc_tolerance tol = xc_tolerance_default();
    tol.atol = 1.0; /* abs 0.5 -> 0.5; rel 0.05 with rtol 0.01 -> 5: the element's score is the min */
    tol.rtol = 0.01;
    xc_compare_result res;
    CHECK_OK(xc_compare(o, r, &tol, &res));
    CHECK_NEAR(res.score, 0.5, 1e-12);
    CHECK(res.passed);
    tol.atol = 0.25; /* 2 and 5: fails, score 2 */
    CHECK_OK(xc_compare(o, r, &tol, &res));
    CHECK_NEAR(res.score, 2, 1e-12);
    CHECK(!res.passed);
    xc_tensor_free(o);
    xc_tensor_free(r);
}

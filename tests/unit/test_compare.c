/* test_compare.c — the comparison rules on hand-computed cases. */
#include "compare.h"
#include "test.h"
#include <math.h>
#include <string.h>

static xc_tensor *vec(const float *v, int n)
{
    int64_t d = n;
    xc_tensor *t;
    xc_tensor_new(XC_FLOAT, 1, &d, &t);
    memcpy(t->data, v, sizeof(float) * n);
    return t;
}

/* out = [1, 2, 4.5] vs ref = [1, 2, 4]: abs = [0, 0, .5], rel = [0, 0, .125] (all exact). */
static xc_compare_result run3(xc_tolerance tol)
{
    float o[] = {1, 2, 4.5f}, r[] = {1, 2, 4};
    xc_tensor *a = vec(o, 3), *b = vec(r, 3);
    xc_compare_result res;
    xc_compare(a, b, &tol, &res);
    xc_tensor_free(a);
    xc_tensor_free(b);
    return res;
}

TEST(compare_statistics_hand_computed)
{
    xc_compare_result r = run3(xc_tolerance_default());
    CHECK_NEAR(r.max_abs, 0.5, 0);
    CHECK_NEAR(r.mean_abs, 0.5 / 3, 1e-15);
    CHECK_NEAR(r.median_abs, 0, 0);
    CHECK_NEAR(r.max_rel, 0.125, 0);
    CHECK_NEAR(r.mean_rel, 0.125 / 3, 1e-15);
    CHECK(r.worst_index == 2);
    CHECK_NEAR(r.worst_out, 4.5, 0);
    CHECK_NEAR(r.min_atol, 0.5, 0);
    CHECK_NEAR(r.min_rtol, 0.125, 0);
    CHECK(r.count == 3 && r.n_failed == 1 && !r.passed);
    CHECK_NEAR(r.nmse, 0.25 / 21, 1e-15);
    CHECK(r.abs_hist[0] == 2 && r.abs_hist[9] == 1);
}

TEST(compare_elemwise_needs_both_atol_and_rtol_exceeded)
{
    xc_tolerance t = xc_tolerance_default();
    t.atol = 0.5; /* abs 0.5 is not > 0.5 */
    CHECK(run3(t).passed);
    t = xc_tolerance_default();
    t.rtol = 0.125;
    CHECK(run3(t).passed);
    t.rtol = 0.124;
    CHECK(!run3(t).passed);
}

TEST(compare_stat_rules)
{
    xc_tolerance t = xc_tolerance_default();
    t.stat = XC_STAT_MEDIAN; /* median abs 0 */
    CHECK(run3(t).passed);
    t.stat = XC_STAT_MEAN;
    t.atol = 0.1;
    t.rtol = 0.1; /* mean abs .1667 > .1 but mean rel .0417 <= .1 */
    CHECK(run3(t).passed);
    t.rtol = 0.01;
    CHECK(!run3(t).passed);
    t.stat = XC_STAT_MAX;
    t.atol = 0.5;
    CHECK(run3(t).passed);
    t.atol = 0.49;
    CHECK(!run3(t).passed);
    t.stat = XC_STAT_QUANTILE;
    t.quantile = 0.5; /* interpolated median of [0, 0, .5] = 0 */
    CHECK(run3(t).passed);
    t.quantile = 0.75; /* 0 + (0.5 - 0) * 0.5 = 0.25 abs; rel .0625 > .01 */
    xc_compare_result r = run3(t);
    CHECK_NEAR(r.quantile_abs, 0.25, 1e-15);
    t.atol = 0.3;
    CHECK(run3(t).passed);
}

TEST(compare_zero_reference_uses_epsilon)
{
    float z = 0, small = 1e-20f, big = 1e-3f;
    xc_tensor *ref = vec(&z, 1), *a = vec(&small, 1), *b = vec(&big, 1);
    xc_tolerance t = xc_tolerance_default();
    xc_compare_result r;
    xc_compare(a, ref, &t, &r);
    CHECK(r.passed);
    CHECK_NEAR(r.max_rel, (double)small / 2.22e-16, 1e-9);
    xc_compare(b, ref, &t, &r);
    CHECK(!r.passed);
    xc_tensor_free(ref);
    xc_tensor_free(a);
    xc_tensor_free(b);
}

/* The friendly default (auto preset, library callers) matches NaN with NaN and Inf with the
 * same Inf; Polygraphy's rule (equal_nan = equal_inf = 0) matches neither. Statistics are over
 * the finite pairs now (they were NaN as soon as one element was), with the NaN/Inf counted per
 * side and no healthy NMSE or cosine reported beside a non-finite mismatch. */
TEST(compare_nonfinite)
{
    float o[] = {NAN, 1, INFINITY}, r[] = {NAN, 1, INFINITY}, neg[] = {NAN, 1, -INFINITY}, one[] = {1, 1, INFINITY};
    xc_tensor *a = vec(o, 3), *b = vec(r, 3), *c = vec(neg, 3), *d = vec(one, 3);
    xc_tolerance t = xc_tolerance_default();
    xc_compare_result res;
    xc_compare(a, b, &t, &res);
    CHECK(res.passed && res.n_nonfinite_mismatch == 0 && res.n_nonfinite_match == 2 && res.n_finite == 1);
    xc_compare(a, c, &t, &res); /* +inf vs -inf */
    CHECK(!res.passed && res.n_nonfinite_mismatch == 1 && res.worst_index == 2);
    CHECK(res.inf_out == 1 && res.inf_ref == 1 && res.nan_out == 1 && res.nan_ref == 1);
    xc_compare(a, d, &t, &res); /* NaN vs 1 */
    CHECK(!res.passed && res.n_nonfinite_mismatch == 1 && res.worst_index == 0);
    CHECK(res.max_abs == 0 && res.median_abs == 0 && res.n_finite == 1); /* the finite pair alone */
    CHECK(isinf(res.nmse) && isnan(res.cosine) && isinf(res.min_atol));
    t.equal_nan = t.equal_inf = 0; /* strict Polygraphy: NaN never equals NaN, Inf - Inf is NaN */
    xc_compare(a, b, &t, &res);
    CHECK(!res.passed && res.n_failed == 2);
    t.equal_inf = 1; /* --infinities-compare-equal: only the NaN pair fails */
    xc_compare(a, b, &t, &res);
    CHECK(!res.passed && res.n_failed == 1);
    t.stat = XC_STAT_MEDIAN; /* numpy's median of a NaN-holding array is NaN: fails */
    xc_compare(a, b, &t, &res);
    CHECK(!res.passed && isnan(res.check_abs));
    xc_tensor_free(a);
    xc_tensor_free(b);
    xc_tensor_free(c);
    xc_tensor_free(d);
}

/* 19 of 32 elements Inf on one side: statistics describe the 13 finite pairs, the histogram
 * spans them, and the cosine of the finite pairs (1 here) is not reported as the verdict's. */
TEST(compare_nonfinite_statistics_over_finite_pairs)
{
    float o[32], r[32];
    for (int i = 0; i < 32; i++) {
        r[i] = (float)(i + 1);
        o[i] = i < 19 ? INFINITY : r[i] * 1.5f;
    }
    xc_tensor *a = vec(o, 32), *b = vec(r, 32);
    xc_tolerance t = xc_tolerance_default();
    xc_compare_result res;
    xc_compare(a, b, &t, &res);
    CHECK(!res.passed && res.inf_out == 19 && res.n_nonfinite_mismatch == 19 && res.n_finite == 13);
    CHECK_NEAR(res.max_abs, 16, 0);    /* 32 * 0.5 */
    CHECK_NEAR(res.median_abs, 13, 0); /* the 7th of 20..32, halved: 26 * 0.5 */
    size_t h = 0;
    for (int k = 0; k < XC_HIST_BINS; k++) h += res.abs_hist[k];
    CHECK(h == 13 && isfinite(res.max_abs));
    CHECK(isnan(res.cosine) && isinf(res.nmse));
    xc_tensor_free(a);
    xc_tensor_free(b);
}

/* Polygraphy's default --error-quantile is 0.99 (it was 0.5 here, a second median). */
TEST(compare_default_quantile_is_polygraphys)
{
    xc_tolerance t = xc_tolerance_default();
    CHECK_NEAR(t.quantile, 0.99, 0);
    float o[100], r[100];
    for (int i = 0; i < 100; i++) r[i] = 1, o[i] = i < 5 ? 2 : 1; /* 5% of elements 100% off */
    xc_tensor *a = vec(o, 100), *b = vec(r, 100);
    xc_compare_result res;
    t.stat = XC_STAT_QUANTILE;
    xc_compare(a, b, &t, &res);
    CHECK(!res.passed && res.check_abs == 1);
    xc_tensor_free(a);
    xc_tensor_free(b);
}

/* numpy's quantile interpolates as b - (b-a)*(1-t) or a + (b-a)*t: an Inf neighbour with a
 * fractional position gives NaN (fails), an Inf at the exact position gives Inf. */
TEST(compare_quantile_follows_numpy_with_infinities)
{
    float o[] = {1, 1, INFINITY}, r[] = {1, 1, 1};
    xc_tensor *a = vec(o, 3), *b = vec(r, 3);
    xc_tolerance t = xc_tolerance_default();
    t.stat = XC_STAT_QUANTILE;
    t.quantile = 0.75; /* position 1.5 between 0 and Inf: Inf - (Inf - 0) * .5 = NaN */
    xc_compare_result res;
    xc_compare(a, b, &t, &res);
    CHECK(isnan(res.check_abs) && !res.passed);
    t.quantile = 0.25; /* between 0 and 0 */
    xc_compare(a, b, &t, &res);
    CHECK(res.check_abs == 0 && res.passed);
    xc_tensor_free(a);
    xc_tensor_free(b);
}

/* Integer references keep their zeros (numpy divides): 0/0 is NaN, so a stat over reldiff is
 * NaN and the verdict rests on absdiff, as in Polygraphy. */
TEST(compare_integer_zero_reference)
{
    int64_t d = 3;
    xc_tensor *a, *b;
    xc_tensor_new(XC_INT64, 1, &d, &a);
    xc_tensor_new(XC_INT64, 1, &d, &b);
    int64_t av[] = {0, 1000001, 1000001}, bv[] = {0, 1000000, 1000000};
    memcpy(a->data, av, sizeof av);
    memcpy(b->data, bv, sizeof bv);
    xc_tolerance t = xc_tolerance_default();
    t.stat = XC_STAT_MEDIAN; /* median abs 1 > 1e-5; median rel NaN (would be 1e-6 with an epsilon) */
    xc_compare_result res;
    xc_compare(a, b, &t, &res);
    CHECK(!res.passed && isnan(res.check_rel));
    t.stat = XC_STAT_ELEMWISE; /* elementwise 1e-6 <= rtol: passes */
    xc_compare(a, b, &t, &res);
    CHECK(res.passed);
    xc_tensor_free(a);
    xc_tensor_free(b);
}

TEST(compare_allclose_rule)
{
    float r = 100, ok = 100.0625f, bad = 100.25f;
    xc_tensor *tr = vec(&r, 1), *tok = vec(&ok, 1), *tbad = vec(&bad, 1);
    xc_tolerance t = xc_tolerance_default();
    t.rule = XC_RULE_ALLCLOSE;
    t.atol = 1e-5;
    t.rtol = 1e-3; /* bound = 1e-5 + 0.1 */
    xc_compare_result res;
    xc_compare(tok, tr, &t, &res);
    CHECK(res.passed);
    xc_compare(tbad, tr, &t, &res);
    CHECK(!res.passed);
    xc_tensor_free(tr);
    xc_tensor_free(tok);
    xc_tensor_free(tbad);
}

TEST(compare_allclose_matched_nonfinite)
{
    /* conformance (allclose, NaN equal NaN): sqrt of a negative is NaN on both sides; the
     * bound atol + rtol * |NaN| is NaN, which must not fail a matched pair */
    float r[] = {NAN, 1, INFINITY}, o[] = {NAN, 1, INFINITY};
    xc_tensor *tr = vec(r, 3), *to = vec(o, 3);
    xc_tolerance t = xc_tolerance_default();
    t.rule = XC_RULE_ALLCLOSE;
    xc_compare_result res;
    xc_compare(to, tr, &t, &res);
    CHECK(res.passed && res.n_failed == 0);
    t.equal_nan = 0;
    xc_compare(to, tr, &t, &res);
    CHECK(!res.passed && res.n_failed == 1);
    xc_tensor_free(tr);
    xc_tensor_free(to);
}

TEST(compare_shape_mismatch_and_mixed_dtypes)
{
    float v[] = {1, 2, 3, 4};
    xc_tensor *a = vec(v, 4), *b = vec(v, 3), *h;
    xc_tolerance t = xc_tolerance_default();
    xc_compare_result res;
    xc_compare(a, b, &t, &res);
    CHECK(res.shape_mismatch && !res.passed);
    int64_t d = 4;
    xc_tensor_new(XC_FLOAT16, 1, &d, &h);
    for (int i = 0; i < 4; i++) xc_store_f32(XC_FLOAT16, h->data, i, v[i]);
    xc_compare(h, a, &t, &res);
    CHECK(res.passed && res.max_abs == 0);
    float o[] = {1, 0}, r[] = {0, 1};
    xc_tensor *x = vec(o, 2), *y = vec(r, 2);
    xc_compare(x, y, &t, &res);
    CHECK_NEAR(res.cosine, 0, 0);
    CHECK_NEAR(res.nmse, 2, 0);
    xc_tensor_free(a);
    xc_tensor_free(b);
    xc_tensor_free(h);
    xc_tensor_free(x);
    xc_tensor_free(y);
}

TEST(compare_ulp_distance_and_tolerance)
{
    int64_t d = 2;
    xc_tensor *o, *r;
    xc_tensor_new(XC_BFLOAT16, 1, &d, &o);
    xc_tensor_new(XC_BFLOAT16, 1, &d, &r);
    uint16_t *ob = o->data, *rb = r->data;
    rb[0] = xc_f32_to_bf16(0.75f);
    ob[0] = (uint16_t)(rb[0] + 2); /* two bfloat16 steps above: 0.7578125 */
    rb[1] = xc_f32_to_bf16(-1.0f);
    ob[1] = rb[1];
    xc_tolerance t = xc_tolerance_default();
    t.rule = XC_RULE_ALLCLOSE;
    t.rtol = 1e-3;
    xc_compare_result res;
    xc_compare(o, r, &t, &res);
    CHECK(!res.passed && res.max_ulp == 2);
    t.ulp_tol = 2;
    xc_compare(o, r, &t, &res);
    CHECK(res.passed);
    t.ulp_tol = 1;
    xc_compare(o, r, &t, &res);
    CHECK(!res.passed);
    /* across zero: -0 and the smallest positive float are one ulp apart in ordered form */
    float zs[] = {-0.0f}, tiny[] = {0x1p-149f};
    xc_tensor *a = vec(tiny, 1), *b = vec(zs, 1);
    xc_compare(a, b, &t, &res);
    CHECK(res.max_ulp == 1);
    xc_tensor_free(a);
    xc_tensor_free(b);
    xc_tensor_free(o);
    xc_tensor_free(r);
}

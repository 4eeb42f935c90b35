/* compare.c — the comparison core: error statistics and verdicts (rules in compare.h). */
#include "compare.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REL_EPS 2.22e-16

xc_tolerance xc_tolerance_default(void)
{
    xc_tolerance t = {1e-5, 1e-5, XC_RULE_POLYGRAPHY, XC_STAT_ELEMWISE, 0.5, 1, 0};
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile of sorted values by linear interpolation (numpy's default). */
static double quantile_sorted(const double *v, size_t n, double q)
{
    if (!n) return 0;
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos), hi = lo + 1 < n ? lo + 1 : lo;
    return v[lo] + (v[hi] - v[lo]) * (pos - (double)lo);
}

/* Maps a float's bits to an integer that orders like the value (sign-magnitude to offset). */
static int64_t ordered(uint64_t bits, int width)
{
    uint64_t sign = 1ull << (width - 1);
    return bits & sign ? -(int64_t)(bits & (sign - 1)) : (int64_t)bits;
}

/* Distance between o and r in units in the last place of dtype t (both rounded to t first);
 * integers count their difference. */
static double ulp_distance(xc_dtype t, double o, double r)
{
    uint64_t a = 0, b = 0;
    int width;
    switch (t) {
    case XC_FLOAT16: a = xc_f32_to_f16((float)o); b = xc_f32_to_f16((float)r); width = 16; break;
    case XC_BFLOAT16: a = xc_f32_to_bf16((float)o); b = xc_f32_to_bf16((float)r); width = 16; break;
    case XC_FLOAT: {
        float fo = (float)o, fr = (float)r;
        uint32_t x, y;
        memcpy(&x, &fo, 4);
        memcpy(&y, &fr, 4);
        a = x;
        b = y;
        width = 32;
        break;
    }
    case XC_DOUBLE: memcpy(&a, &o, 8); memcpy(&b, &r, 8); width = 64; break;
    default: return fabs(o - r);
    }
    int64_t d = ordered(a, width) - ordered(b, width);
    return d < 0 ? -(double)d : (double)d;
}

/* Are two non-finite-involved values an exact match under equal_nonfinite? */
static int nonfinite_match(double o, double r)
{
    if (isnan(o) && isnan(r)) return 1;
    return isinf(o) && isinf(r) && (o > 0) == (r > 0);
}

/* How far an element is towards failing its rule: 1 is the boundary (see compare.h). */
static double element_score(const xc_tolerance *tol, double a, double rel, double r)
{
    if (isnan(a)) return INFINITY;
    if (a == 0) return 0;
    if (tol->rule == XC_RULE_ALLCLOSE) {
        double bound = tol->atol + tol->rtol * fabs(r);
        return bound > 0 ? a / bound : INFINITY;
    }
    double sa = tol->atol > 0 ? a / tol->atol : INFINITY, sr = tol->rtol > 0 ? rel / tol->rtol : INFINITY;
    return sa < sr ? sa : sr;
}

xc_status xc_compare(const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol, xc_compare_result *res)
{
    memset(res, 0, sizeof *res);
    if (!xc_shape_equal(out->rank, out->dims, ref->rank, ref->dims)) {
        res->shape_mismatch = 1;
        return XC_OK;
    }
    size_t n = xc_tensor_numel(ref);
    res->count = n;
    double *absd = malloc(sizeof(double) * (n ? n : 1)), *reld = malloc(sizeof(double) * (n ? n : 1));
    if (!absd || !reld) {
        free(absd);
        free(reld);
        return xc_fail(XC_ERR_NOMEM, "out of memory comparing %zu elements", n);
    }
    double sum_abs = 0, sum_rel = 0, se = 0, sr = 0, so = 0, dot = 0;
    double worst = -1;
    int worst_nan = 0;
    for (size_t i = 0; i < n; i++) {
        double o = xc_load_f64(out->dtype, out->data, i), r = xc_load_f64(ref->dtype, ref->data, i);
        double a, rel;
        int finite = isfinite(o) && isfinite(r);
        if (!finite && tol->equal_nonfinite && nonfinite_match(o, r)) {
            a = 0;
            rel = 0;
        } else if (!finite) {
            a = NAN; /* a NaN or Inf mismatch: fails every rule */
            rel = NAN;
            res->n_nonfinite_mismatch++;
        } else {
            a = fabs(o - r);
            rel = a / (r == 0 ? REL_EPS : fabs(r));
            se += (o - r) * (o - r);
            sr += r * r;
            so += o * o;
            dot += o * r;
        }
        absd[i] = a;
        reld[i] = rel;
        double ulps = finite ? ulp_distance(ref->dtype, o, r) : 0;
        if (ulps > res->max_ulp) res->max_ulp = ulps;
        int fail;
        if (tol->rule == XC_RULE_ALLCLOSE) fail = isnan(a) || a > tol->atol + tol->rtol * fabs(r);
        else fail = (isnan(a) || a > tol->atol) && (isnan(rel) || rel > tol->rtol);
        if (fail && finite && tol->ulp_tol > 0 && ulps <= tol->ulp_tol) fail = 0;
        res->n_failed += fail;
        double score = element_score(tol, a, rel, r);
        if (score > res->score) res->score = score;
        if (isnan(a)) {
            if (!worst_nan) { worst_nan = 1; res->worst_index = i; res->worst_out = o; res->worst_ref = r; }
        } else {
            sum_abs += a;
            sum_rel += rel;
            if (!worst_nan && a > worst) { worst = a; res->worst_index = i; res->worst_out = o; res->worst_ref = r; }
            if (a > res->max_abs) res->max_abs = a;
            if (rel > res->max_rel) res->max_rel = rel;
        }
    }
    size_t bad = res->n_nonfinite_mismatch, good = n - bad;
    if (bad) { res->max_abs = res->max_rel = NAN; }
    res->mean_abs = bad ? NAN : good ? sum_abs / (double)good : 0;
    res->mean_rel = bad ? NAN : good ? sum_rel / (double)good : 0;
    res->nmse = sr > 0 ? se / sr : (se > 0 ? INFINITY : 0);
    res->cosine = so > 0 && sr > 0 ? dot / (sqrt(so) * sqrt(sr)) : (so == 0 && sr == 0 ? 1 : 0);
    /* minimum tolerances that would pass elementwise on their own (Polygraphy's report) */
    res->min_atol = res->max_abs;
    res->min_rtol = res->max_rel;
    for (size_t i = 0; i < n && !isnan(res->max_abs); i++) {
        int bin = res->max_abs > 0 ? (int)(absd[i] / res->max_abs * XC_HIST_BINS) : 0;
        res->abs_hist[bin >= XC_HIST_BINS ? XC_HIST_BINS - 1 : bin]++;
    }
    /* medians and quantiles over all elements; NaN (non-finite mismatch) sorts as largest */
    for (size_t i = 0; i < n; i++) {
        if (isnan(absd[i])) absd[i] = INFINITY;
        if (isnan(reld[i])) reld[i] = INFINITY;
    }
    qsort(absd, n, sizeof(double), cmp_double);
    qsort(reld, n, sizeof(double), cmp_double);
    res->median_abs = quantile_sorted(absd, n, 0.5);
    res->median_rel = quantile_sorted(reld, n, 0.5);
    res->quantile_abs = quantile_sorted(absd, n, tol->quantile);
    res->quantile_rel = quantile_sorted(reld, n, tol->quantile);
    free(absd);
    free(reld);
    double sa = 0, sr2 = 0;
    switch (tol->stat) {
    case XC_STAT_ELEMWISE: res->passed = res->n_failed == 0; return XC_OK;
    case XC_STAT_MAX: sa = res->max_abs; sr2 = res->max_rel; break;
    case XC_STAT_MEAN: sa = res->mean_abs; sr2 = res->mean_rel; break;
    case XC_STAT_MEDIAN: sa = res->median_abs; sr2 = res->median_rel; break;
    case XC_STAT_QUANTILE: sa = res->quantile_abs; sr2 = res->quantile_rel; break;
    }
    int fail = (isnan(sa) || sa > tol->atol) && (isnan(sr2) || sr2 > tol->rtol);
    res->passed = !fail;
    return XC_OK;
}

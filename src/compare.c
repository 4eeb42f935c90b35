/* compare.c — the comparison core: error statistics and verdicts (rules in compare.h). */
#include "compare.h"
#include "tensor.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REL_EPS 2.22e-16

const double xc_report_percentiles[XC_N_PCT] = {0.90, 0.95, 0.99};

xc_tolerance xc_tolerance_default(void)
{
    xc_tolerance t = {.atol = 1e-5,
                      .rtol = 1e-5,
                      .rule = XC_RULE_POLYGRAPHY,
                      .stat = XC_STAT_ELEMWISE,
                      .quantile = XC_DEFAULT_QUANTILE,
                      .equal_nan = 1,
                      .equal_inf = 1};
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's linear interpolation (_lerp), step for step, so Inf neighbours give numpy's NaN. */
static double lerp(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/* numpy.quantile of sorted values without NaN (method 'linear'). */
static double quantile_sorted(const double *v, size_t n, double q)
{
    if (!n) return 0;
    double pos = q * (double)(n - 1);
    if (pos >= (double)(n - 1)) return v[n - 1];
    size_t lo = (size_t)floor(pos);
    return lerp(v[lo], v[lo + 1], pos - (double)lo);
}

/* numpy.median of sorted values without NaN: the mean of the middle one or two. */
static double median_sorted(const double *v, size_t n)
{
    if (!n) return 0;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The verdict's statistic of v (n values, sorted in place), numpy's way: NaN if any is NaN. */
static double check_stat(double *v, size_t n, xc_check_stat stat, double q)
{
    if (!n) return 0; /* Polygraphy: an empty tensor's statistics are 0 */
    double sum = 0, mx = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) return NAN;
        sum += v[i];
        mx = v[i] > mx ? v[i] : mx;
    }
    switch (stat) {
    case XC_STAT_ELEMWISE:
    case XC_STAT_MAX: return mx;
    case XC_STAT_MEAN: return sum / (double)n;
    case XC_STAT_MEDIAN: qsort(v, n, sizeof *v, cmp_double); return median_sorted(v, n);
    case XC_STAT_QUANTILE: qsort(v, n, sizeof *v, cmp_double); return quantile_sorted(v, n, q);
    }
    return NAN;
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
    case XC_FLOAT16:
        a = xc_f32_to_f16((float)o);
        b = xc_f32_to_f16((float)r);
        width = 16;
        break;
    case XC_BFLOAT16:
        a = xc_f32_to_bf16((float)o);
        b = xc_f32_to_bf16((float)r);
        width = 16;
        break;
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
    case XC_DOUBLE:
        memcpy(&a, &o, 8);
        memcpy(&b, &r, 8);
        width = 64;
        break;
    default: return fabs(o - r);
    }
    int64_t d = ordered(a, width) - ordered(b, width);
    return d < 0 ? -(double)d : (double)d;
}

/* Does a pair involving NaN or Inf count as an exact match under tol? */
static int nonfinite_match(const xc_tolerance *tol, double o, double r)
{
    if (isnan(o) && isnan(r)) return tol->equal_nan;
    return tol->equal_inf && isinf(o) && o == r;
}

/* How far an element is towards failing its rule: 1 is the boundary (see compare.h). */
static double element_score(const xc_tolerance *tol, double a, double rel, double r)
{
    if (isnan(a) || isinf(a)) return INFINITY;
    if (a == 0) return 0;
    if (tol->rule == XC_RULE_ALLCLOSE) {
        double bound = tol->atol + tol->rtol * fabs(r);
        return bound > 0 ? a / bound : INFINITY;
    }
    if (isnan(rel)) rel = INFINITY;
    double sa = tol->atol > 0 ? a / tol->atol : INFINITY, sr = tol->rtol > 0 ? rel / tol->rtol : INFINITY;
    return sa < sr ? sa : sr;
}

/* Does one element fail the elementwise rule? */
static int element_fails(const xc_tolerance *tol, double a, double rel, double r)
{
    if (tol->rule == XC_RULE_ALLCLOSE) return isnan(a) || !(a <= tol->atol + tol->rtol * fabs(r));
    return (isnan(a) || a > tol->atol) && (isnan(rel) || rel > tol->rtol);
}

/* Statistics of the finite pairs (fa, fr: n values each, sorted here) for the report. */
static void report_stats(xc_compare_result *res, double *fa, double *fr, size_t n, double q)
{
    double sa = 0, sr = 0;
    for (size_t i = 0; i < n; i++) {
        sa += fa[i];
        sr += fr[i];
        res->max_abs = fa[i] > res->max_abs ? fa[i] : res->max_abs;
        res->max_rel = fr[i] > res->max_rel ? fr[i] : res->max_rel;
    }
    res->mean_abs = n ? sa / (double)n : 0;
    res->mean_rel = n ? sr / (double)n : 0;
    for (size_t i = 0; i < n; i++) {
        int bin = res->max_abs > 0 ? (int)(fa[i] / res->max_abs * XC_HIST_BINS) : 0;
        res->abs_hist[bin >= XC_HIST_BINS ? XC_HIST_BINS - 1 : bin]++;
    }
    qsort(fa, n, sizeof *fa, cmp_double);
    qsort(fr, n, sizeof *fr, cmp_double);
    res->median_abs = median_sorted(fa, n);
    res->median_rel = median_sorted(fr, n);
    res->quantile_abs = quantile_sorted(fa, n, q);
    res->quantile_rel = quantile_sorted(fr, n, q);
    for (int k = 0; k < XC_N_PCT; k++) {
        res->pct_abs[k] = quantile_sorted(fa, n, xc_report_percentiles[k]);
        res->pct_rel[k] = quantile_sorted(fr, n, xc_report_percentiles[k]);
    }
}

/* Sequences and optionals: same kind and element count, then element by element; the result
 * is the worst element's, with the counts summed over all of them. */
static xc_status compare_items(const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol, xc_compare_result *res)
{
    memset(res, 0, sizeof *res);
    res->passed = 1;
    if (out->value != ref->value || out->n_items != ref->n_items) {
        res->shape_mismatch = 1;
        return XC_OK;
    }
    size_t count = 0, failed = 0;
    for (int i = 0; i < out->n_items; i++) {
        xc_compare_result r;
        XC_TRY(xc_compare(out->items[i], ref->items[i], tol, &r));
        count += r.count;
        failed += r.n_failed;
        if (r.shape_mismatch || !r.passed || r.score > res->score || i == 0) {
            int passed = res->passed && r.passed && !r.shape_mismatch;
            *res = r;
            res->passed = passed;
        }
        if (r.shape_mismatch || !res->passed) break;
    }
    res->count = count;
    res->n_failed = failed;
    return XC_OK;
}

/* String tensors: exact equality, no tolerance. A mismatch fails; the first one's index is
 * worst_index, and the last error message (xc_error_message) words it with both values, for a
 * caller to report (the numeric fields say nothing of strings). */
static void compare_strings(const xc_tensor *out, const xc_tensor *ref, xc_compare_result *res)
{
    res->passed = 1;
    res->count = xc_tensor_numel(ref);
    if (out->dtype != ref->dtype) {
        res->passed = 0;
        res->n_failed = res->count;
        (void)xc_fail(XC_ERR_RUNTIME, "output '%s' is %s but the reference's is %s", ref->name ? ref->name : "",
                      xc_dtype_name(out->dtype), xc_dtype_name(ref->dtype));
        return;
    }
    for (size_t i = 0; i < res->count; i++) {
        const char *a = xc_string_at(out, i), *b = xc_string_at(ref, i);
        if (!strcmp(a, b)) continue;
        if (!res->n_failed++) {
            char at[256];
            res->worst_index = i;
            (void)xc_fail(XC_ERR_RUNTIME, "first at %s (index %zu): got \"%s\", expected \"%s\"",
                          xc_index_str(ref->rank, ref->dims, i, at, sizeof at), i, a, b);
        }
        res->passed = 0;
    }
    res->score = res->n_failed ? INFINITY : 0;
}

xc_status xc_compare(const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol, xc_compare_result *res)
{
    if (out->value != XC_VALUE_TENSOR || ref->value != XC_VALUE_TENSOR) return compare_items(out, ref, tol, res);
    memset(res, 0, sizeof *res);
    if (!xc_shape_equal(out->rank, out->dims, ref->rank, ref->dims)) {
        res->shape_mismatch = 1;
        return XC_OK;
    }
    if (out->dtype == XC_STRING || ref->dtype == XC_STRING) {
        compare_strings(out, ref, res);
        return XC_OK;
    }
    size_t n = xc_tensor_numel(ref), cap = n ? n : 1;
    res->count = n;
    /* absd/reld: every element as the verdict sees it; fa/fr: the finite pairs, for the report */
    double *absd = malloc(sizeof(double) * cap), *reld = malloc(sizeof(double) * cap);
    double *fa = malloc(sizeof(double) * cap), *fr = malloc(sizeof(double) * cap);
    if (!absd || !reld || !fa || !fr) {
        free(absd);
        free(reld);
        free(fa);
        free(fr);
        return xc_fail(XC_ERR_NOMEM, "out of memory comparing %zu elements", n);
    }
    int float_ref = xc_dtype_is_float(ref->dtype);
    double se = 0, sr = 0, so = 0, dot = 0, worst = -1;
    int worst_nonfinite = 0;
    for (size_t i = 0; i < n; i++) {
        double o = xc_load_f64(out->dtype, out->data, i), r = xc_load_f64(ref->dtype, ref->data, i);
        res->nan_out += isnan(o);
        res->inf_out += isinf(o) != 0;
        res->nan_ref += isnan(r);
        res->inf_ref += isinf(r) != 0;
        int finite = isfinite(o) && isfinite(r), matched = !finite && nonfinite_match(tol, o, r);
        double a = 0, rel = 0;
        if (!matched) {
            a = fabs(o - r);
            if (r != 0)
                rel = a / fabs(r);
            else if (float_ref)
                rel = a / REL_EPS;
            else
                rel = a == 0 ? NAN : INFINITY; /* numpy divides integers: 0/0 is NaN, x/0 Inf */
        }
        absd[i] = a;
        reld[i] = rel;
        if (matched)
            res->n_nonfinite_match++;
        else if (!finite)
            res->n_nonfinite_mismatch++;
        double ulps = finite ? ulp_distance(ref->dtype, o, r) : 0;
        if (ulps > res->max_ulp) res->max_ulp = ulps;
        int fail = !matched && element_fails(tol, a, rel, r); /* a matched NaN/Inf pair has no bound to meet */
        if (fail && finite && tol->ulp_tol > 0 && ulps <= tol->ulp_tol) fail = 0;
        res->n_failed += fail;
        double score = matched ? 0 : element_score(tol, a, rel, r);
        if (score > res->score) res->score = score;
        if (!finite && !matched) {
            if (!worst_nonfinite) {
                worst_nonfinite = 1;
                res->worst_index = i;
                res->worst_out = o;
                res->worst_ref = r;
            }
        } else if (finite) {
            fa[res->n_finite] = a;
            fr[res->n_finite++] = a == 0 ? 0 : a / (r == 0 ? REL_EPS : fabs(r));
            se += (o - r) * (o - r);
            sr += r * r;
            so += o * o;
            dot += o * r;
            if (!worst_nonfinite && a > worst) {
                worst = a;
                res->worst_index = i;
                res->worst_out = o;
                res->worst_ref = r;
            }
        }
    }
    report_stats(res, fa, fr, res->n_finite, tol->quantile);
    free(fa);
    free(fr);
    if (res->n_nonfinite_mismatch) { /* no tolerance passes, and no summary of the rest is healthy */
        res->min_atol = res->min_rtol = INFINITY;
        res->nmse = INFINITY;
        res->cosine = NAN;
    } else {
        /* minimum tolerances that would pass elementwise on their own (Polygraphy's report) */
        res->min_atol = res->max_abs;
        res->min_rtol = res->max_rel;
        res->nmse = sr > 0 ? se / sr : (se > 0 ? INFINITY : 0);
        res->cosine = so > 0 && sr > 0 ? dot / (sqrt(so) * sqrt(sr)) : (so == 0 && sr == 0 ? 1 : 0);
    }
    res->check_abs = check_stat(absd, n, tol->stat, tol->quantile);
    res->check_rel = check_stat(reld, n, tol->stat, tol->quantile);
    free(absd);
    free(reld);
    if (tol->stat == XC_STAT_ELEMWISE) {
        res->passed = res->n_failed == 0;
    } else {
        int fail = (isnan(res->check_abs) || res->check_abs > tol->atol) && (isnan(res->check_rel) || res->check_rel > tol->rtol);
        res->passed = !fail;
    }
    return XC_OK;
}

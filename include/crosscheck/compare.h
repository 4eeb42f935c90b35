/* compare.h — comparing an output tensor against a reference tensor, with Polygraphy's rules.
 *
 * Values are cast up to double first. absdiff = |out - ref|; reldiff = absdiff / |ref|, where a
 * zero in a floating-point ref is replaced by 2.22e-16 (Polygraphy; an integer ref keeps its
 * zero, so 0/0 is NaN and x/0 is Inf, as numpy divides). Verdict rules, over every element:
 *  - XC_RULE_POLYGRAPHY, stat elemwise: an element fails only if (absdiff > atol or NaN) AND
 *    (reldiff > rtol or NaN); the tensor fails if any element fails.
 *  - stat max|mean|median|quantile: fails if stat(absdiff) > atol (or NaN) AND stat(reldiff) >
 *    rtol (or NaN), each statistic taken as numpy takes it: one NaN element makes it NaN.
 *  - XC_RULE_ALLCLOSE (numpy.allclose, used by ONNX's backend tests): an element fails if
 *    absdiff > atol + rtol * |ref|.
 * Non-finite values follow IEEE arithmetic (NaN never matches; Inf - Inf is NaN), except that
 * with equal_nan a NaN against a NaN, and with equal_inf an infinity against the same infinity,
 * count as exact matches (Polygraphy: equal_nan never, equal_inf with
 * --infinities-compare-equal; crosscheck's auto preset turns both on).
 * With ulp_tol > 0, an element within ulp_tol units in the last place of the reference's
 * dtype passes whatever atol/rtol say: half-precision results computed with more (or less)
 * intermediate precision differ by a rounding or two, which rtol 1e-3 cannot express for
 * bfloat16 (one ulp is 2^-8 relative).
 *
 * The reported statistics (max/mean/median/percentiles, histogram, NMSE, cosine) are taken over
 * the finite pairs only, and the non-finite values of each side are counted apart, so one Inf
 * does not turn every statistic into NaN; the verdict still sees every element. */
#ifndef XC_PUBLIC_COMPARE_H
#define XC_PUBLIC_COMPARE_H
#include "tensor.h"

typedef enum { XC_STAT_ELEMWISE, XC_STAT_MAX, XC_STAT_MEAN, XC_STAT_MEDIAN, XC_STAT_QUANTILE } xc_check_stat;
typedef enum { XC_RULE_POLYGRAPHY, XC_RULE_ALLCLOSE } xc_compare_rule;

#define XC_DEFAULT_QUANTILE 0.99 /* Polygraphy's --error-quantile */

typedef struct xc_tolerance {
    double atol, rtol;
    xc_compare_rule rule;
    xc_check_stat stat;
    double quantile; /* for XC_STAT_QUANTILE, in [0,1] */
    int equal_nan;   /* NaN against NaN matches */
    int equal_inf;   /* an infinity against the same infinity matches */
    double ulp_tol;  /* 0: off */
    /* how atol was chosen, so a verdict can say which rule decided: atol_base > 0 means the
     * auto preset's atol = atol_base * atol_rms (the reference's RMS; 0 for an all-zero one,
     * where atol = atol_base) */
    double atol_base, atol_rms;
    double ref_rms;     /* RMS of the reference's finite values (set by xc_tolerance_for) */
    int half_storage;   /* the output was stored in half precision (fp16 runner or dtype) */
    int rounded_layers; /* the auto preset's atol and rtol allow the rounding errors of this many
                           layers (TF32 products, or products on 16-bit storage; sqrt-scaled). 0:
                           exact fp32 math, or 16-bit math whose base covers the layers (4) */
} xc_tolerance;

/* Polygraphy's defaults: atol = rtol = 1e-5, elemwise, quantile 0.99; NaN and same-signed
 * infinities match (the friendlier rule library callers such as conformance expect). */
XC_API xc_tolerance xc_tolerance_default(void);

#define XC_HIST_BINS 10
#define XC_N_PCT 3 /* reported percentiles: 90, 95, 99 */

typedef struct xc_compare_result {
    int passed;
    int shape_mismatch; /* shapes differ: nothing else is computed */
    size_t count;       /* elements compared */
    size_t n_failed;    /* elements failing the elementwise rule */
    /* non-finite values: NaN and Inf per side; pairs that differ (fail every rule) or match */
    size_t nan_out, inf_out, nan_ref, inf_ref;
    size_t n_nonfinite_mismatch, n_nonfinite_match;
    size_t n_finite; /* pairs where both are finite: the statistics below use these */
    double max_abs, mean_abs, median_abs, quantile_abs;
    double max_rel, mean_rel, median_rel, quantile_rel;
    double pct_abs[XC_N_PCT], pct_rel[XC_N_PCT]; /* 90th, 95th, 99th percentiles */
    /* the checked statistic over every element, as the verdict saw it (NaN where an element's
     * difference is NaN); elemwise: the max */
    double check_abs, check_rel;
    size_t worst_index; /* flat index of the largest absdiff (a non-finite mismatch first) */
    double worst_out, worst_ref;
    double min_atol, min_rtol;     /* smallest atol (rtol) that alone would pass elementwise (Inf
                                  when a non-finite mismatch fails whatever the tolerance) */
    double max_ulp;                /* largest distance in ulps of the reference's dtype (finite elements) */
    double nmse;                   /* sum((o-r)^2) / sum(r^2) over finite pairs; Inf with non-finite mismatches */
    double cosine;                 /* cosine similarity of the finite pairs; NaN with non-finite mismatches */
    double score;                  /* max over elements of min(absdiff/atol, reldiff/rtol) (allclose:
                                  absdiff/(atol+rtol*|ref|)): above 1 fails elementwise; how close
                                  a passing tensor came to its tolerance */
    size_t abs_hist[XC_HIST_BINS]; /* histogram of the finite pairs' absdiff over [0, max_abs] */
} xc_compare_result;

/* Compares out against ref (same shape; any numeric dtypes). Never fails on mismatch: the
 * verdict is in res->passed. Fails only on bad arguments or out of memory. */
XC_API xc_status xc_compare(const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol, xc_compare_result *res);
#endif

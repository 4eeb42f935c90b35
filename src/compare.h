/* compare.h — comparing an output tensor against a reference tensor, with Polygraphy's rules.
 *
 * Values are cast up to double first. absdiff = |out - ref|; reldiff = absdiff / |ref|, where a
 * zero in ref is replaced by 2.22e-16 (Polygraphy). Verdict rules:
 *  - XC_RULE_POLYGRAPHY, stat elemwise: an element fails only if (absdiff > atol or NaN) AND
 *    (reldiff > rtol or NaN); the tensor fails if any element fails.
 *  - stat max|mean|median|quantile: fails if stat(absdiff) > atol AND stat(reldiff) > rtol.
 *  - XC_RULE_ALLCLOSE (numpy.allclose, used by ONNX's backend tests): an element fails if
 *    absdiff > atol + rtol * |ref|.
 * With equal_nonfinite (the default), NaN against NaN and an infinity against the same
 * infinity count as exact matches; any other NaN or Inf difference fails the element.
 * With ulp_tol > 0, an element within ulp_tol units in the last place of the reference's
 * dtype passes whatever atol/rtol say: half-precision results computed with more (or less)
 * intermediate precision differ by a rounding or two, which rtol 1e-3 cannot express for
 * bfloat16 (one ulp is 2^-8 relative). */
#ifndef XC_COMPARE_H
#define XC_COMPARE_H
#include "tensor.h"

typedef enum { XC_STAT_ELEMWISE, XC_STAT_MAX, XC_STAT_MEAN, XC_STAT_MEDIAN, XC_STAT_QUANTILE } xc_check_stat;
typedef enum { XC_RULE_POLYGRAPHY, XC_RULE_ALLCLOSE } xc_compare_rule;

typedef struct xc_tolerance {
    double atol, rtol;
    xc_compare_rule rule;
    xc_check_stat stat;
    double quantile;           /* for XC_STAT_QUANTILE, in [0,1] */
    int equal_nonfinite;
    double ulp_tol;            /* 0: off */
} xc_tolerance;

/* Polygraphy's defaults: atol = rtol = 1e-5, elemwise, matching non-finite values equal. */
xc_tolerance xc_tolerance_default(void);

#define XC_HIST_BINS 10

typedef struct xc_compare_result {
    int passed;
    int shape_mismatch;        /* shapes differ: nothing else is computed */
    size_t count;              /* elements compared */
    size_t n_failed;           /* elements failing the elementwise rule */
    size_t n_nonfinite_mismatch;
    double max_abs, mean_abs, median_abs, quantile_abs;
    double max_rel, mean_rel, median_rel, quantile_rel;
    size_t worst_index;        /* flat index of the largest absdiff (NaN counts as largest) */
    double worst_out, worst_ref;
    double min_atol, min_rtol; /* smallest atol (rtol) that alone would pass elementwise */
    double max_ulp;            /* largest distance in ulps of the reference's dtype (finite elements) */
    double nmse;               /* sum((o-r)^2) / sum(r^2), finite elements only */
    double cosine;             /* cosine similarity of the finite elements */
    double score;              /* max over elements of min(absdiff/atol, reldiff/rtol) (allclose:
                                  absdiff/(atol+rtol*|ref|)): above 1 fails elementwise; how close
                                  a passing tensor came to its tolerance */
    size_t abs_hist[XC_HIST_BINS]; /* histogram of finite absdiff over [0, max_abs] */
} xc_compare_result;

/* Compares out against ref (same shape; any numeric dtypes). Never fails on mismatch: the
 * verdict is in res->passed. Fails only on bad arguments or out of memory. */
xc_status xc_compare(const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol, xc_compare_result *res);
#endif

/* output_check.h — everything a run checks about one output beyond the tolerance comparison of
 * compare.h, in the order applied:
 *   1. --postprocess top-K[,axis=A]: both sides become their top-K indices (postprocess.h);
 *   2. --no-shape-check: a reference of another shape but the same element count is reshaped or
 *      transposed to the output's shape (shape_match.h);
 *   3. the compare function: simple (compare.h's tolerance verdict) or indices
 *      (compare_indices.h; the tolerance statistics are still computed and reported);
 *   4. --check-metric bounds (metrics.h): each one not met fails the output.
 * The output passes when its compare function and every bound pass. xc_compare_result.passed
 * holds that overall verdict; tolerance_passed the tolerance verdict alone.
 * --check-average moves the verdict from each iteration to the average over iterations
 * (average_verdict.h). */
#ifndef XC_OUTPUT_CHECK_H
#define XC_OUTPUT_CHECK_H
#include "compare_indices.h"
#include "metrics.h"
#include "postprocess.h"
#include "tolerance_spec.h"

typedef enum { XC_COMPARE_SIMPLE, XC_COMPARE_INDICES } xc_compare_func;

#define XC_MAX_CHECK_ENTRIES 64

typedef struct xc_check_spec {
    xc_compare_func func;
    int n_index_tol, n_topk, n_metrics;
    xc_tol_entry index_tol[XC_MAX_CHECK_ENTRIES];  /* --index-tolerance [NAME:]N */
    xc_topk topk[XC_MAX_CHECK_ENTRIES];            /* --postprocess */
    xc_metric_bound metrics[XC_MAX_CHECK_ENTRIES]; /* --check-metric */
    int no_shape_check;
    int check_average;
} xc_check_spec;

typedef struct xc_metric_check {
    xc_metric metric;
    double threshold, value;
    int passed;
} xc_metric_check;

typedef struct xc_check_result {
    xc_compare_func func;
    int tolerance_passed;   /* the tolerance verdict alone */
    const xc_topk *topk;    /* postprocessing applied (borrowed from the spec), or NULL */
    int reshaped, permuted; /* --no-shape-check changed the reference's shape */
    int ref_rank;           /* the reference's shape before that */
    int64_t ref_dims[XC_MAX_RANK];
    int perm[XC_MAX_RANK];     /* permuted: the reference axis each axis came from */
    xc_indices_result indices; /* func == XC_COMPARE_INDICES */
    int n_metrics;
    xc_metric_check metrics[XC_N_METRICS];
    xc_metric_values values; /* every metric, computed when any bound applies */
    /* the tensors compared, when they are not the runners' outputs (postprocessed or
     * reshaped); owned; NULL otherwise */
    xc_tensor *out, *ref;
} xc_check_result;

/* What one of the four options adds to s (text is modified; names are borrowed from it):
 * option "index-tolerance", "postprocess" or "check-metric"; "compare-func" takes simple|indices. */
xc_status xc_check_spec_add(xc_check_spec *s, const char *option, char *text);
/* Refuses combinations that have no meaning, before anything runs (--check-average with
 * --fail-fast, with the indices function, or with an elementwise check). */
xc_status xc_check_spec_validate(const xc_check_spec *s, const xc_tolerance_spec *tol, int fail_fast);
/* Checks output `name` of out against ref: the tolerance comes from ts for the tensors actually
 * compared (math: an xc_math, XC_MATH_FP16 when the runner stores half; depth: the rounding
 * layers whose errors the output carries, xc_tolerance_for's), into *tol; fills res (tolerance statistics;
 * res->passed = the overall verdict) and chk. Fails only on bad arguments (a top-K axis the
 * output lacks) or out of memory. */
xc_status xc_check_output(const xc_check_spec *s, const xc_tolerance_spec *ts, const char *name, const xc_tensor *out,
                          const xc_tensor *ref, int math, int depth, xc_tolerance *tol, xc_compare_result *res,
                          xc_check_result *chk);
void xc_check_result_free(xc_check_result *chk);
/* The tensors the comparison saw (the runner's own, or the postprocessed/reshaped ones). */
static inline const xc_tensor *xc_checked_out(const xc_check_result *c, const xc_tensor *out) { return c->out ? c->out : out; }
static inline const xc_tensor *xc_checked_ref(const xc_check_result *c, const xc_tensor *ref) { return c->ref ? c->ref : ref; }
const char *xc_compare_func_name(xc_compare_func f);
#endif

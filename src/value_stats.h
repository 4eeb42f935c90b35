/* value_stats.h — summary statistics of one tensor's values, shared by `inspect model --show
 * weights`, `inspect results` and results indexes: min, max, mean and population std (numpy's
 * default) over the finite values, NaN and Inf counted apart (so one Inf does not hide the range
 * of the rest), the fraction of zeros, and a histogram of the finite values over [min, max]. */
#ifndef XC_VALUE_STATS_H
#define XC_VALUE_STATS_H
#include "crosscheck/compare.h" /* XC_HIST_BINS */
#include "tensor.h"
#include <cjson/cJSON.h>

typedef struct xc_value_stats {
    size_t count; /* elements */
    size_t finite, nan, inf;
    double min, max, mean, std; /* of the finite values; NaN when there are none */
    double zero_fraction;       /* elements equal to 0, over count (0 for an empty tensor) */
    size_t hist[XC_HIST_BINS];  /* bin i covers [min + i*w, min + (i+1)*w), the last one closed */
} xc_value_stats;

/* Any stored dtype (bool counts as 0/1); XC_ERR_UNSUPPORTED for dtypes without numeric values. */
xc_status xc_value_stats_compute(const xc_tensor *t, xc_value_stats *s);
/* Adds "count", "min", "max", "mean", "std" (null when undefined), "zero_fraction", "nan",
 * "inf" and, with with_hist, "histogram" to o. */
void xc_value_stats_add_json(const xc_value_stats *s, cJSON *o, int with_hist);
/* The same fields as a new object (NULL on out of memory). */
cJSON *xc_value_stats_json(const xc_value_stats *s, int with_hist);
#endif

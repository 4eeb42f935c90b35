/* value_stats.h — summary statistics of one tensor's values (what `inspect results` prints and
 * what a results index records): min, max, mean and population std over the finite values,
 * NaN and Inf counts, and a histogram of the finite values over [min, max]. */
#ifndef XC_VALUE_STATS_H
#define XC_VALUE_STATS_H
#include "compare.h"
#include <cjson/cJSON.h>

typedef struct xc_value_stats {
    size_t count, n_nan, n_inf, n_finite;
    double min, max, mean, std;     /* over finite values; NaN when there are none */
    size_t hist[XC_HIST_BINS];      /* bin i covers [min + i*w, min + (i+1)*w), the last one closed */
} xc_value_stats;

/* Any storable dtype (bool counts as 0/1). Cannot fail. */
void xc_value_stats_compute(const xc_tensor *t, xc_value_stats *s);
/* {"min","max","mean","std","nan","inf"} (numbers; null when undefined), plus "histogram":
 * [counts] when with_hist. NULL on out of memory. */
cJSON *xc_value_stats_json(const xc_value_stats *s, int with_hist);
#endif

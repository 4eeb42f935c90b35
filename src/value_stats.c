/* value_stats.c — see value_stats.h. Two passes over the data (mean, then the squared
 * deviations) so std stays accurate for values far from zero. */
#include "value_stats.h"
#include <math.h>
#include <string.h>

void xc_value_stats_compute(const xc_tensor *t, xc_value_stats *s)
{
    memset(s, 0, sizeof *s);
    s->count = xc_tensor_numel(t);
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < s->count; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isnan(v)) {
            s->n_nan++;
        } else if (isinf(v)) {
            s->n_inf++;
        } else {
            s->n_finite++;
            sum += v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    if (!s->n_finite) {
        s->min = s->max = s->mean = s->std = NAN;
        return;
    }
    s->min = lo;
    s->max = hi;
    s->mean = sum / (double)s->n_finite;
    /* halves keep hi - lo finite even for values near the double range */
    double sq = 0, span = hi * 0.5 - lo * 0.5;
    for (size_t i = 0; i < s->count; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (!isfinite(v)) continue;
        sq += (v - s->mean) * (v - s->mean);
        /* a constant tensor (span 0) puts everything in the first bin */
        size_t b = span > 0 ? (size_t)((v * 0.5 - lo * 0.5) / span * XC_HIST_BINS) : 0;
        s->hist[b < XC_HIST_BINS ? b : XC_HIST_BINS - 1]++;
    }
    s->std = sqrt(sq / (double)s->n_finite);
}

static void add_number(cJSON *o, const char *key, double v)
{
    /* JSON has no NaN: an undefined statistic is null */
    cJSON_AddItemToObject(o, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

cJSON *xc_value_stats_json(const xc_value_stats *s, int with_hist)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    add_number(o, "min", s->min);
    add_number(o, "max", s->max);
    add_number(o, "mean", s->mean);
    add_number(o, "std", s->std);
    cJSON_AddNumberToObject(o, "nan", (double)s->n_nan);
    cJSON_AddNumberToObject(o, "inf", (double)s->n_inf);
    if (with_hist) {
        cJSON *h = cJSON_AddArrayToObject(o, "histogram");
        for (int i = 0; h && i < XC_HIST_BINS; i++) cJSON_AddItemToArray(h, cJSON_CreateNumber((double)s->hist[i]));
    }
    return o;
}

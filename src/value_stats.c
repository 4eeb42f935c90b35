/* value_stats.c — see value_stats.h. Separate passes in double (range, mean, then squared
 * deviations and the histogram) on values divided by the largest magnitude, so the std of a
 * tensor with a big mean keeps its precision and float64 values near 1e300 overflow neither
 * the sum nor the squares. */
#include "value_stats.h"
#include <math.h>
#include <string.h>

xc_status xc_value_stats_compute(const xc_tensor *t, xc_value_stats *s)
{
    memset(s, 0, sizeof *s);
    s->min = s->max = s->mean = s->std = NAN;
    if (!xc_dtype_supported(t->dtype))
        return xc_fail(XC_ERR_UNSUPPORTED, "tensor '%s': dtype %s has no numeric value", t->name ? t->name : "",
                       xc_dtype_name(t->dtype));
    s->count = xc_tensor_numel(t);
    size_t zeros = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < s->count; i++) { /* pass 1: counts and range */
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isnan(v)) {
            s->nan++;
        } else if (isinf(v)) {
            s->inf++;
        } else {
            zeros += v == 0;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            s->finite++;
        }
    }
    s->zero_fraction = s->count ? (double)zeros / (double)s->count : 0;
    if (!s->finite) return XC_OK;
    s->min = lo;
    s->max = hi;
    double scale = fmax(fabs(lo), fabs(hi)), sum = 0, dev = 0;
    if (scale == 0) scale = 1;
    for (size_t i = 0; i < s->count; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isfinite(v)) sum += v / scale;
    }
    double mean = sum / (double)s->finite, span = hi / scale - lo / scale;
    for (size_t i = 0; i < s->count; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (!isfinite(v)) continue;
        dev += (v / scale - mean) * (v / scale - mean);
        /* a constant tensor (span 0) puts everything in the first bin */
        size_t b = span > 0 ? (size_t)((v / scale - lo / scale) / span * XC_HIST_BINS) : 0;
        s->hist[b < XC_HIST_BINS ? b : XC_HIST_BINS - 1]++;
    }
    s->mean = mean * scale;
    s->std = sqrt(dev / (double)s->finite) * scale;
    return XC_OK;
}

static void add_number(cJSON *o, const char *key, double v)
{
    /* JSON has no NaN: an undefined statistic is null */
    cJSON_AddItemToObject(o, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

void xc_value_stats_add_json(const xc_value_stats *s, cJSON *o, int with_hist)
{
    cJSON_AddNumberToObject(o, "count", (double)s->count);
    add_number(o, "min", s->min);
    add_number(o, "max", s->max);
    add_number(o, "mean", s->mean);
    add_number(o, "std", s->std);
    cJSON_AddNumberToObject(o, "zero_fraction", s->zero_fraction);
    cJSON_AddNumberToObject(o, "nan", (double)s->nan);
    cJSON_AddNumberToObject(o, "inf", (double)s->inf);
    if (with_hist) {
        cJSON *h = cJSON_AddArrayToObject(o, "histogram");
        for (int i = 0; h && i < XC_HIST_BINS; i++) cJSON_AddItemToArray(h, cJSON_CreateNumber((double)s->hist[i]));
    }
}

cJSON *xc_value_stats_json(const xc_value_stats *s, int with_hist)
{
    cJSON *o = cJSON_CreateObject();
    if (o) xc_value_stats_add_json(s, o, with_hist);
    return o;
}

/* inspect_weights.c — initializer statistics for `inspect model --show weights` (see inspect.h).
 * Separate passes in double (range, mean, then squared deviations) so the std of a large
 * tensor with a big mean keeps its precision. */
#include "inspect.h"
#include <math.h>

xc_status xc_tensor_stats(const xc_tensor *t, xc_value_stats *out)
{
    xc_value_stats s = {0};
    *out = s;
    if (!xc_dtype_supported(t->dtype))
        return xc_fail(XC_ERR_UNSUPPORTED, "tensor '%s': dtype %s has no numeric value", t->name ? t->name : "", xc_dtype_name(t->dtype));
    s.count = xc_tensor_numel(t);
    size_t zeros = 0;
    for (size_t i = 0; i < s.count; i++) { /* pass 1: counts and range */
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isnan(v)) {
            s.nan++;
        } else if (isinf(v)) {
            s.inf++;
        } else {
            zeros += v == 0;
            if (!s.finite || v < s.min) s.min = v;
            if (!s.finite || v > s.max) s.max = v;
            s.finite++;
        }
    }
    s.zero_fraction = s.count ? (double)zeros / (double)s.count : 0;
    /* passes 2 and 3 (mean, then squared deviations) on values divided by the largest
     * magnitude, so float64 weights near 1e300 neither overflow the sum nor the squares */
    double scale = fmax(fabs(s.min), fabs(s.max)), sum = 0, dev = 0;
    if (!s.finite || scale == 0) {
        *out = s;
        return XC_OK;
    }
    for (size_t i = 0; i < s.count; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isfinite(v)) sum += v / scale;
    }
    double mean = sum / (double)s.finite;
    for (size_t i = 0; i < s.count; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isfinite(v)) dev += (v / scale - mean) * (v / scale - mean);
    }
    s.mean = mean * scale;
    s.std = sqrt(dev / (double)s.finite) * scale;
    *out = s;
    return XC_OK;
}

void xc_value_stats_json(const xc_value_stats *s, cJSON *o)
{
    cJSON_AddNumberToObject(o, "count", (double)s->count);
    const char *keys[] = {"min", "max", "mean", "std"};
    const double vals[] = {s->min, s->max, s->mean, s->std};
    for (int k = 0; k < 4; k++) {
        if (s->finite) cJSON_AddNumberToObject(o, keys[k], vals[k]);
        else cJSON_AddNullToObject(o, keys[k]);
    }
    cJSON_AddNumberToObject(o, "zero_fraction", s->zero_fraction);
    cJSON_AddNumberToObject(o, "nan", (double)s->nan);
    cJSON_AddNumberToObject(o, "inf", (double)s->inf);
}

cJSON *xc_inspect_weights_json(const xc_graph *g)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < g->n_initializers; i++) {
        const xc_tensor *t = g->initializers[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", t->name ? t->name : "");
        cJSON_AddStringToObject(o, "dtype", xc_dtype_name(t->dtype));
        cJSON_AddItemToObject(o, "shape", xc_inspect_shape_json(t->rank, t->dims, NULL));
        xc_value_stats st;
        if (xc_tensor_stats(t, &st) == XC_OK) xc_value_stats_json(&st, o);
        else cJSON_AddStringToObject(o, "stats", "not computed: crosscheck does not hold this dtype");
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

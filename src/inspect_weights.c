/* inspect_weights.c — initializer statistics for `inspect model --show weights` (see inspect.h).
 * Two passes in double (mean, then squared deviations) so the std of a large tensor with a
 * big mean keeps its precision. */
#include "inspect.h"
#include <math.h>

xc_status xc_tensor_stats(const xc_tensor *t, xc_value_stats *out)
{
    xc_value_stats s = {0};
    *out = s;
    if (!xc_dtype_supported(t->dtype)) return xc_fail(XC_ERR_UNSUPPORTED, "tensor '%s': dtype %s has no numeric value", t->name ? t->name : "", xc_dtype_name(t->dtype));
    s.count = xc_tensor_numel(t);
    double sum = 0;
    size_t zeros = 0;
    for (size_t i = 0; i < s.count; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isnan(v)) {
            s.nan++;
            continue;
        }
        if (isinf(v)) {
            s.inf++;
            continue;
        }
        if (v == 0) zeros++;
        if (!s.finite || v < s.min) s.min = v;
        if (!s.finite || v > s.max) s.max = v;
        s.finite++;
        sum += v;
    }
    s.mean = s.finite ? sum / (double)s.finite : 0;
    double dev = 0;
    for (size_t i = 0; s.finite && i < s.count; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isfinite(v)) dev += (v - s.mean) * (v - s.mean);
    }
    s.std = s.finite ? sqrt(dev / (double)s.finite) : 0;
    s.zero_fraction = s.count ? (double)zeros / (double)s.count : 0;
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

/* inspect_weights.c — initializer statistics for `inspect model --show weights` (see inspect.h;
 * the statistics themselves are value_stats.c's). */
#include "inspect.h"
#include <math.h>

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
        if (xc_value_stats_compute(t, &st) == XC_OK)
            xc_value_stats_add_json(&st, o, 0);
        else
            cJSON_AddStringToObject(o, "stats", "not computed: crosscheck does not hold this dtype");
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

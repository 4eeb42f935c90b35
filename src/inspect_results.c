/* inspect_results.c — summarizes a results set (see inspect_results.h). */
#include "inspect_results.h"
#include "results.h"
#include "tensor_values.h"
#include "value_stats.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* values > 0: add at most that many values as text (SIZE_MAX: all); 0: none */
static cJSON *tensor_summary(const xc_result_entry *e, size_t values)
{
    xc_value_stats vs;
    xc_value_stats_compute(e->t, &vs);
    cJSON *o = cJSON_CreateObject(), *shape = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "role", xc_result_role_name(e->role));
    cJSON_AddStringToObject(o, "name", e->t->name);
    cJSON_AddStringToObject(o, "dtype", xc_dtype_name(e->t->dtype));
    for (int d = 0; d < e->t->rank; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)e->t->dims[d]));
    cJSON_AddItemToObject(o, "shape", shape);
    cJSON_AddItemToObject(o, "stats", xc_value_stats_json(&vs, 1));
    if (e->compare) cJSON_AddItemToObject(o, "compare", cJSON_Duplicate(e->compare, 1));
    char *text = values ? xc_tensor_values_text(e->t, values == SIZE_MAX ? 0 : values, "") : NULL;
    if (text) cJSON_AddStringToObject(o, "values", text);
    free(text);
    return o;
}

static cJSON *runner_summary(const xc_results *r, const char *runner, size_t values)
{
    cJSON *o = cJSON_CreateObject(), *its = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "name", runner);
    cJSON_AddItemToObject(o, "iterations", its);
    int n_it = xc_results_iterations(r, runner);
    for (int k = 0; k < n_it; k++) {
        cJSON *it = NULL, *tensors = NULL;
        for (int i = 0; i < r->n; i++) {
            if (r->e[i].iteration != k || strcmp(r->e[i].runner, runner)) continue;
            if (!it) {
                it = cJSON_CreateObject();
                cJSON_AddNumberToObject(it, "iteration", k);
                tensors = cJSON_AddArrayToObject(it, "tensors");
                cJSON_AddItemToArray(its, it);
            }
            cJSON_AddItemToArray(tensors, tensor_summary(&r->e[i], values));
        }
    }
    return o;
}

xc_status xc_inspect_results(const char *path, cJSON **out) { return xc_inspect_results_values(path, 0, 0, out); }

xc_status xc_inspect_results_values(const char *path, int show, size_t max, cJSON **out)
{
    size_t values = show ? (max ? max : SIZE_MAX) : 0;
    *out = NULL;
    xc_results *r;
    XC_TRY(xc_results_load(path, &r));
    const char **names;
    int n;
    xc_status s =
        r->n ? xc_results_runners(r, &names, &n)
             : xc_fail(XC_ERR_USAGE, "%s: holds no tensors (no index.json, input_K.pb, output_K.pb or tensor file)", path);
    if (s != XC_OK) {
        xc_results_free(r);
        return s;
    }
    cJSON *o = cJSON_CreateObject(), *runners = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "source", path);
    cJSON_AddStringToObject(o, "format", r->format);
    cJSON_AddItemToObject(o, "runners", runners);
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(runners, runner_summary(r, names[i], values));
    free(names);
    xc_results_free(r);
    *out = o;
    return XC_OK;
}

/* check_json.c — see check_json.h. */
#include "check_json.h"
#include "average_verdict.h"
#include <math.h>

static void add_number(cJSON *o, const char *key, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, key, v);
    else if (isnan(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddStringToObject(o, key, v > 0 ? "inf" : "-inf"); /* snr/psnr of identical tensors */
}

static cJSON *metrics_json(const xc_metric_check *m, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "metric", xc_metric_name(m[i].metric));
        cJSON_AddStringToObject(e, "bound", xc_metric_higher_is_better(m[i].metric) ? ">=" : "<=");
        add_number(e, "threshold", m[i].threshold);
        add_number(e, "value", m[i].value);
        cJSON_AddBoolToObject(e, "passed", m[i].passed);
        cJSON_AddItemToArray(a, e);
    }
    return a;
}

void xc_check_result_json(const xc_check_result *c, cJSON *o)
{
    cJSON_AddStringToObject(o, "compare_func", xc_compare_func_name(c->func));
    cJSON_AddBoolToObject(o, "tolerance_passed", c->tolerance_passed);
    if (c->topk) {
        cJSON *p = cJSON_AddObjectToObject(o, "postprocess");
        cJSON_AddNumberToObject(p, "top_k", c->topk->k);
        cJSON_AddNumberToObject(p, "axis", c->topk->axis);
    }
    if (c->reshaped) {
        cJSON *p = cJSON_AddObjectToObject(o, "reference_reshaped"), *d = cJSON_AddArrayToObject(p, "from");
        for (int k = 0; k < c->ref_rank; k++) cJSON_AddItemToArray(d, cJSON_CreateNumber((double)c->ref_dims[k]));
        cJSON_AddBoolToObject(p, "transposed", c->permuted);
    }
    if (c->func == XC_COMPARE_INDICES) {
        const xc_indices_result *x = &c->indices;
        cJSON *p = cJSON_AddObjectToObject(o, "indices");
        cJSON_AddBoolToObject(p, "passed", x->passed);
        cJSON_AddNumberToObject(p, "index_tolerance", (double)x->index_tolerance);
        cJSON_AddNumberToObject(p, "batches", (double)x->batches);
        cJSON_AddNumberToObject(p, "checked", (double)x->checked);
        cJSON_AddNumberToObject(p, "missing", (double)x->n_missing);
        cJSON_AddNumberToObject(p, "too_far", (double)x->n_far);
        cJSON_AddNumberToObject(p, "max_distance", (double)x->max_distance);
        if (x->has_failure) cJSON_AddNumberToObject(p, "first_failure_flat_index", (double)x->first_fail);
    }
    if (c->n_metrics) cJSON_AddItemToObject(o, "metrics", metrics_json(c->metrics, c->n_metrics));
}

cJSON *xc_averages_json(const xc_run_report *r)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < r->n_averages; i++) {
        const xc_average_verdict *v = &r->averages[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "runner", r->runners[v->runner].name);
        cJSON_AddStringToObject(e, "output", r->model->graph->outputs[v->output].name);
        cJSON_AddNumberToObject(e, "iterations", v->iterations);
        cJSON_AddNumberToObject(e, "shape_mismatches", v->shape_mismatches);
        cJSON_AddStringToObject(e, "check_error_stat", xc_check_stat_name(v->stat));
        add_number(e, "check_abs", v->check_abs);
        add_number(e, "check_rel", v->check_rel);
        add_number(e, "atol", v->atol);
        add_number(e, "rtol", v->rtol);
        cJSON_AddBoolToObject(e, "tolerance_passed", v->tolerance_passed);
        if (v->n_metrics) cJSON_AddItemToObject(e, "metrics", metrics_json(v->metrics, v->n_metrics));
        cJSON_AddBoolToObject(e, "passed", v->passed);
        cJSON_AddItemToArray(a, e);
    }
    return a;
}

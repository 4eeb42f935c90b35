/* compare_json.c — see compare_json.h. */
#include "compare_json.h"
#include "tolerance_spec.h"
#include <math.h>

static void add_number(cJSON *o, const char *key, double v)
{
    cJSON_AddItemToObject(o, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

cJSON *xc_compare_json(const xc_compare_result *r, const xc_tolerance *tol, const xc_tensor *out)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "passed", r->passed && !r->shape_mismatch);
    if (r->shape_mismatch) {
        cJSON_AddBoolToObject(o, "shape_mismatch", 1);
        return o;
    }
    if (tol) {
        cJSON_AddNumberToObject(o, "atol", tol->atol);
        cJSON_AddNumberToObject(o, "rtol", tol->rtol);
        cJSON_AddStringToObject(o, "check_error_stat", xc_check_stat_name(tol->stat));
    }
    cJSON_AddNumberToObject(o, "count", (double)r->count);
    cJSON_AddNumberToObject(o, "failed", (double)r->n_failed);
    cJSON_AddNumberToObject(o, "nonfinite_mismatch", (double)r->n_nonfinite_mismatch);
    const char *keys[] = {"max_abs", "mean_abs", "median_abs", "max_rel", "mean_rel", "median_rel", "nmse",
                          "cosine",  "max_ulp",  "score",      "min_atol", "min_rtol"};
    const double vals[] = {r->max_abs, r->mean_abs, r->median_abs, r->max_rel, r->mean_rel, r->median_rel, r->nmse,
                           r->cosine,  r->max_ulp,  r->score,      r->min_atol, r->min_rtol};
    for (int k = 0; k < (int)(sizeof vals / sizeof vals[0]); k++) add_number(o, keys[k], vals[k]);
    cJSON *w = cJSON_AddObjectToObject(o, "worst");
    if (out) {
        int64_t c[XC_MAX_RANK];
        xc_index_coords(out->rank, out->dims, r->worst_index, c);
        cJSON *idx = cJSON_AddArrayToObject(w, "index");
        for (int k = 0; k < out->rank; k++) cJSON_AddItemToArray(idx, cJSON_CreateNumber((double)c[k]));
    }
    cJSON_AddNumberToObject(w, "flat_index", (double)r->worst_index);
    add_number(w, "got", r->worst_out);
    add_number(w, "expected", r->worst_ref);
    cJSON *h = cJSON_AddArrayToObject(o, "abs_histogram");
    for (int b = 0; b < XC_HIST_BINS; b++) cJSON_AddItemToArray(h, cJSON_CreateNumber((double)r->abs_hist[b]));
    return o;
}

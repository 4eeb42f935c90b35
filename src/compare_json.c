/* compare_json.c — see compare_json.h. */
#include "compare_json.h"
#include "tolerance_spec.h"
#include <math.h>
#include <stdio.h>

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
        if (tol->stat == XC_STAT_QUANTILE) cJSON_AddNumberToObject(o, "error_quantile", tol->quantile);
        if (tol->atol_base > 0) { /* the auto preset's atol = base * RMS(ref) */
            cJSON_AddNumberToObject(o, "atol_base", tol->atol_base);
            cJSON_AddNumberToObject(o, "atol_ref_rms", tol->atol_rms);
            if (tol->rounded_layers) cJSON_AddNumberToObject(o, "rounded_layers", tol->rounded_layers);
        }
        /* the checked statistic over every element, as the verdict saw it */
        add_number(o, "check_abs", r->check_abs);
        add_number(o, "check_rel", r->check_rel);
    }
    cJSON_AddNumberToObject(o, "count", (double)r->count);
    cJSON_AddNumberToObject(o, "failed", (double)r->n_failed);
    cJSON_AddNumberToObject(o, "nonfinite_mismatch", (double)r->n_nonfinite_mismatch);
    /* the statistics below are over the pairs where both sides are finite */
    cJSON_AddNumberToObject(o, "finite_pairs", (double)r->n_finite);
    cJSON_AddNumberToObject(o, "nonfinite_match", (double)r->n_nonfinite_match);
    const char *nf_keys[] = {"nan_out", "inf_out", "nan_ref", "inf_ref"};
    const size_t nf[] = {r->nan_out, r->inf_out, r->nan_ref, r->inf_ref};
    for (int k = 0; k < 4; k++) cJSON_AddNumberToObject(o, nf_keys[k], (double)nf[k]);
    char key[32];
    for (int k = 0; k < XC_N_PCT; k++) {
        snprintf(key, sizeof key, "p%.0f_abs", xc_report_percentiles[k] * 100);
        add_number(o, key, r->pct_abs[k]);
        snprintf(key, sizeof key, "p%.0f_rel", xc_report_percentiles[k] * 100);
        add_number(o, key, r->pct_rel[k]);
    }
    const char *keys[] = {"max_abs", "mean_abs", "median_abs", "max_rel", "mean_rel", "median_rel",
                          "nmse",    "cosine",   "max_ulp",    "score",   "min_atol", "min_rtol"};
    const double vals[] = {r->max_abs, r->mean_abs, r->median_abs, r->max_rel, r->mean_rel, r->median_rel,
                           r->nmse,    r->cosine,   r->max_ulp,    r->score,   r->min_atol, r->min_rtol};
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

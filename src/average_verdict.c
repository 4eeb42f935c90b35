/* average_verdict.c — verdicts on statistics averaged over iterations (see average_verdict.h). */
#include "average_verdict.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void average_one(const xc_run_report *r, int k, int o, xc_average_verdict *a)
{
    memset(a, 0, sizeof *a);
    a->runner = k;
    a->output = o;
    double sum_m[XC_N_METRICS] = {0};
    for (int i = 0; i < r->n_comparisons; i++) {
        const xc_comparison *cmp = &r->comparisons[i];
        const xc_output_comparison *oc = &cmp->outputs[o];
        if (cmp->runner != k || !oc->present) continue;
        if (!a->iterations && !a->shape_mismatches) {
            a->stat = oc->tol.stat;
            a->quantile = oc->tol.quantile;
            a->n_metrics = oc->checks.n_metrics;
            memcpy(a->metrics, oc->checks.metrics, sizeof a->metrics);
        }
        if (oc->r.shape_mismatch) {
            a->shape_mismatches++;
            continue;
        }
        a->iterations++;
        a->check_abs += oc->r.check_abs;
        a->check_rel += oc->r.check_rel;
        a->atol += oc->tol.atol;
        a->rtol += oc->tol.rtol;
        for (int m = 0; m < oc->checks.n_metrics; m++) sum_m[m] += oc->checks.metrics[m].value;
    }
    if (a->iterations) {
        double n = a->iterations;
        a->check_abs /= n;
        a->check_rel /= n;
        a->atol /= n;
        a->rtol /= n;
    }
    int fail = (isnan(a->check_abs) || a->check_abs > a->atol) && (isnan(a->check_rel) || a->check_rel > a->rtol);
    a->tolerance_passed = a->iterations && !a->shape_mismatches && !fail;
    a->passed = a->tolerance_passed;
    for (int m = 0; m < a->n_metrics; m++) {
        xc_metric_check *mc = &a->metrics[m];
        mc->value = a->iterations ? sum_m[m] / a->iterations : NAN;
        mc->passed = xc_metric_passes(mc->metric, mc->value, mc->threshold);
        a->passed &= mc->passed;
    }
    if (a->shape_mismatches) a->passed = 0;
}

xc_status xc_run_average(const xc_run_config *c, xc_run_report *r)
{
    (void)c;
    free(r->averages);
    r->n_averages = 0;
    r->averages = calloc((size_t)(r->n_runners * r->n_outputs) + 1, sizeof *r->averages);
    if (!r->averages) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < r->n_runners; k++) {
        if (k == r->against) continue;
        for (int o = 0; o < r->n_outputs; o++) {
            xc_average_verdict a;
            average_one(r, k, o, &a);
            if (!a.iterations && !a.shape_mismatches) continue; /* never compared */
            r->averages[r->n_averages++] = a;
            if (!a.passed) r->passed = 0;
        }
    }
    return XC_OK;
}

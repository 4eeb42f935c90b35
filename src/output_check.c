/* output_check.c — postprocessing, shape matching, the compare function and metric bounds of
 * one output (see output_check.h). */
#include "output_check.h"
#include "shape_match.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *xc_compare_func_name(xc_compare_func f) { return f == XC_COMPARE_INDICES ? "indices" : "simple"; }

xc_status xc_check_spec_add(xc_check_spec *s, const char *option, char *text)
{
    if (!strcmp(option, "compare-func")) {
        if (!strcmp(text, "simple"))
            s->func = XC_COMPARE_SIMPLE;
        else if (!strcmp(text, "indices"))
            s->func = XC_COMPARE_INDICES;
        else
            return xc_fail(XC_ERR_USAGE, "--compare-func: '%s' is not simple or indices", text);
        return XC_OK;
    }
    int *n = !strcmp(option, "index-tolerance") ? &s->n_index_tol : !strcmp(option, "postprocess") ? &s->n_topk : &s->n_metrics;
    if (*n == XC_MAX_CHECK_ENTRIES) return xc_fail(XC_ERR_USAGE, "--%s given more than %d times", option, XC_MAX_CHECK_ENTRIES);
    if (!strcmp(option, "postprocess"))
        XC_TRY(xc_topk_parse(text, &s->topk[*n]));
    else if (!strcmp(option, "check-metric"))
        XC_TRY(xc_metric_bound_parse(text, &s->metrics[*n]));
    else if (!strcmp(option, "index-tolerance")) {
        xc_tol_entry e = {NULL, 0};
        char *v = xc_split_tensor_name(text, &e.name), *end;
        errno = 0;
        long k = strtol(v, &end, 10);
        if (end == v || *end || errno || k < 0 || k > INT_MAX)
            return xc_fail(XC_ERR_USAGE, "--index-tolerance: '%s' is not a count of positions (an integer >= 0)", v);
        e.value = (double)k;
        s->index_tol[*n] = e;
    } else {
        return xc_fail(XC_ERR_INTERNAL, "unknown check option %s", option);
    }
    (*n)++;
    return XC_OK;
}

xc_status xc_check_spec_validate(const xc_check_spec *s, const xc_tolerance_spec *tol, int fail_fast)
{
    if (!s->check_average) return XC_OK;
    if (fail_fast) return xc_fail(XC_ERR_USAGE, "--check-average needs every iteration: it cannot be combined with --fail-fast");
    if (s->func == XC_COMPARE_INDICES)
        return xc_fail(XC_ERR_USAGE, "--check-average: the indices comparison has no statistic to average");
    int global = 0;
    for (int i = 0; i < tol->n_stat; i++) {
        if ((xc_check_stat)(int)tol->stat[i].value == XC_STAT_ELEMWISE)
            return xc_fail(XC_ERR_USAGE,
                           "--check-average: --check-error-stat %s%selemwise is a per-element check with no statistic "
                           "to average (use max, mean, median or quantile)",
                           tol->stat[i].name ? tol->stat[i].name : "", tol->stat[i].name ? ":" : "");
        global |= !tol->stat[i].name;
    }
    if (!global)
        return xc_fail(XC_ERR_USAGE,
                       "--check-average averages the checked error statistic: give --check-error-stat max, mean, median "
                       "or quantile (the default, elemwise, is a per-element check)");
    return XC_OK;
}

static long index_tolerance_for(const xc_check_spec *s, const char *name)
{
    double v = 0;
    for (int i = 0; i < s->n_index_tol; i++) {
        if (s->index_tol[i].name && name && !strcmp(s->index_tol[i].name, name)) return (long)s->index_tol[i].value;
        if (!s->index_tol[i].name) v = s->index_tol[i].value;
    }
    return (long)v;
}

/* The bounds for output `name`: per metric, a named bound wins over a global one. */
static void metric_checks(const xc_check_spec *s, const char *name, xc_check_result *chk)
{
    for (int m = 0; m < XC_N_METRICS; m++) {
        const xc_metric_bound *b = NULL;
        for (int i = 0; i < s->n_metrics; i++) {
            if (s->metrics[i].metric != (xc_metric)m) continue;
            if (s->metrics[i].name && name && !strcmp(s->metrics[i].name, name))
                b = &s->metrics[i];
            else if (!s->metrics[i].name && (!b || !b->name))
                b = &s->metrics[i];
        }
        if (b) chk->metrics[chk->n_metrics++] = (xc_metric_check){(xc_metric)m, b->threshold, 0, 0};
    }
}

xc_status xc_check_output(const xc_check_spec *s, const xc_tolerance_spec *ts, const char *name, const xc_tensor *out,
                          const xc_tensor *ref, int math, int depth, xc_tolerance *tol, xc_compare_result *res,
                          xc_check_result *chk)
{
    memset(chk, 0, sizeof *chk);
    chk->func = s->func;
    const xc_tensor *o = out, *r = ref;
    const xc_topk *tk = xc_topk_for(s->topk, s->n_topk, name);
    if (tk) {
        xc_status st = xc_topk_indices(out, tk->k, tk->axis, &chk->out);
        if (st == XC_OK) st = xc_topk_indices(ref, tk->k, tk->axis, &chk->ref);
        if (st != XC_OK) return xc_error_prefix(st, "output '%s': ", name);
        o = chk->out;
        r = chk->ref;
        chk->topk = tk;
    }
    if (s->no_shape_check && s->func == XC_COMPARE_SIMPLE && !xc_shape_equal(o->rank, o->dims, r->rank, r->dims)) {
        xc_tensor *matched;
        XC_TRY(xc_match_shape(r, o->rank, o->dims, &matched, &chk->permuted, chk->perm));
        if (matched) {
            chk->reshaped = 1;
            chk->ref_rank = r->rank;
            memcpy(chk->ref_dims, r->dims, sizeof chk->ref_dims);
            xc_tensor_free(chk->ref);
            chk->ref = matched;
            r = matched;
        }
    }
    *tol = xc_tolerance_for(ts, name, r, math, depth);
    XC_TRY(xc_compare(o, r, tol, res));
    chk->tolerance_passed = res->passed && !res->shape_mismatch;
    int passed = chk->tolerance_passed;
    if (s->func == XC_COMPARE_INDICES) {
        XC_TRY(xc_compare_indices(o, r, index_tolerance_for(s, name), &chk->indices));
        passed = chk->indices.passed && !chk->indices.shape_mismatch;
    }
    metric_checks(s, name, chk);
    if (chk->n_metrics && !res->shape_mismatch) {
        XC_TRY(xc_metrics_compute(o, r, tol, &chk->values));
        for (int i = 0; i < chk->n_metrics; i++) {
            xc_metric_check *m = &chk->metrics[i];
            m->value = chk->values.v[m->metric];
            m->passed = xc_metric_passes(m->metric, m->value, m->threshold);
            passed &= m->passed;
        }
    }
    res->passed = passed && !res->shape_mismatch;
    return XC_OK;
}

void xc_check_result_free(xc_check_result *chk)
{
    xc_tensor_free(chk->out);
    xc_tensor_free(chk->ref);
    chk->out = chk->ref = NULL;
}

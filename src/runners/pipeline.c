/* pipeline.c — run a runner, compare its outputs with the expected ones (see pipeline.h). */
#include "runners/pipeline.h"
#include <stdio.h>
#include <stdlib.h>

xc_status xc_pipeline_outputs(xc_runner *r, const xc_graph *g, int it, const xc_tensor *const *fed, xc_tensor ***out)
{
    *out = calloc((size_t)g->n_outputs + 1, sizeof **out);
    if (!*out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_runner_run(r, it, fed, *out, NULL);
    if (s != XC_OK) {
        xc_pipeline_outputs_free(g, *out);
        *out = NULL;
    }
    return s;
}

void xc_pipeline_outputs_free(const xc_graph *g, xc_tensor **out)
{
    for (int o = 0; out && o < g->n_outputs; o++) xc_tensor_free(out[o]);
    free(out);
}

/* Compares one iteration's outputs; fills v at the first failure. */
static xc_status compare_outputs(const xc_graph *g, int it, xc_tensor *const *got, const xc_tensor *const *want,
                                 const xc_check_tolerance *tol, xc_check_verdict *v)
{
    for (int o = 0; o < g->n_outputs && v->passed; o++) {
        if (!want[o]) continue;
        xc_tolerance t = tol->spec ? xc_tolerance_for(tol->spec, g->outputs[o].name, want[o], tol->math) : tol->fixed;
        xc_compare_result r;
        if (!got[o]) return xc_fail(XC_ERR_RUNTIME, "output '%s': the runner gave none", g->outputs[o].name);
        if (tol->spec && tol->checks) { /* run's whole output check (output_check.h) */
            xc_check_result chk;
            XC_TRY(xc_check_output(tol->checks, tol->spec, g->outputs[o].name, got[o], want[o], tol->math, &t, &r, &chk));
            xc_check_result_free(&chk);
        } else {
            XC_TRY(xc_compare(got[o], want[o], &t, &r));
        }
        if (!r.shape_mismatch && r.passed) continue;
        v->passed = 0;
        v->iteration = it;
        v->output = o;
        v->r = r;
        xc_tensor_desc(got[o], v->desc_got, sizeof v->desc_got);
        xc_tensor_desc(want[o], v->desc_want, sizeof v->desc_want);
    }
    return XC_OK;
}

xc_status xc_pipeline_check(xc_runner *r, const xc_graph *g, int n_iter, const xc_tensor *const *const *fed,
                            const xc_tensor *const *const *want, const xc_check_tolerance *tol, xc_check_verdict *v)
{
    *v = (xc_check_verdict){.passed = 1, .iteration = -1, .output = -1};
    xc_status s = XC_OK;
    for (int k = 0; k < n_iter && s == XC_OK && v->passed; k++) {
        xc_tensor **out = NULL;
        s = xc_pipeline_outputs(r, g, k, fed[k], &out);
        if (s == XC_OK) s = compare_outputs(g, k, out, want[k], tol, v);
        xc_pipeline_outputs_free(g, out);
    }
    return s;
}

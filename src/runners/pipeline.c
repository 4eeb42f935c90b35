/* pipeline.c — run a runner, compare its outputs with the expected ones (see pipeline.h). */
#include "runners/pipeline.h"
#include "per_layer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs r on fed (obs, when not NULL, sees every tensor it reports). */
static xc_status outputs_observed(xc_runner *r, const xc_graph *g, int it, const xc_tensor *const *fed, const xc_observer *obs,
                                  xc_tensor ***out)
{
    *out = calloc((size_t)g->n_outputs + 1, sizeof **out);
    if (!*out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_runner_run(r, it, fed, *out, obs);
    if (s != XC_OK) {
        xc_pipeline_outputs_free(g, *out);
        *out = NULL;
    }
    return s;
}

xc_status xc_pipeline_outputs(xc_runner *r, const xc_graph *g, int it, const xc_tensor *const *fed, xc_tensor ***out)
{
    return outputs_observed(r, g, it, fed, NULL, out);
}

/* Runs r on fed; with tol->layers, every tensor it reports is compared into p by the per-layer
 * observer (run --per-layer's, accumulated), the reference evaluated as the run goes. */
static xc_status run_judged(xc_runner *r, const xc_graph *g, int it, const xc_tensor *const *fed, const xc_check_tolerance *tol,
                            xc_per_layer *p, xc_tensor ***out)
{
    if (!tol->layers || !tol->spec || !r->observes) return outputs_observed(r, g, it, fed, NULL, out);
    xc_ref_session *session = NULL;
    XC_TRY(xc_ref_session_create(tol->layers, fed, &session));
    xc_feeder golden = xc_ref_session_feeder(session);
    p->mode = XC_PER_LAYER_ACCUMULATED;
    xc_layer_watch w = {.engine = r->engine,
                        .graph = g,
                        .tactic = r->row_tactic ? r->row_tactic : r->type->kind,
                        .golden = &golden,
                        .tol = tol->spec,
                        .per_layer = p};
    xc_observer obs = xc_layer_watch_observer(&w);
    xc_status s = outputs_observed(r, g, it, fed, &obs, out);
    xc_ref_session_free(session);
    return s;
}

/* The first failing tensor of p's first divergent row into v. */
static xc_status layer_verdict(const xc_per_layer *p, int it, xc_check_verdict *v)
{
    const xc_layer_row *row = &p->rows[p->first_divergence];
    const xc_layer_tensor *t = row->tensors;
    for (int k = 0; k < row->n_tensors; k++)
        if (row->tensors[k].r.shape_mismatch || !row->tensors[k].r.passed) {
            t = &row->tensors[k];
            break;
        }
    v->passed = 0;
    v->iteration = it;
    v->output = -1;
    v->r = t->r;
    v->layer = strdup(row->info.name ? row->info.name : "?");
    v->tensor = strdup(t->name);
    return v->layer && v->tensor ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
}

void xc_check_verdict_free(xc_check_verdict *v)
{
    free(v->layer);
    free(v->tensor);
    v->layer = v->tensor = NULL;
}

void xc_pipeline_outputs_free(const xc_graph *g, xc_tensor **out)
{
    for (int o = 0; out && o < g->n_outputs; o++) xc_tensor_free(out[o]);
    free(out);
}

/* Compares one iteration's outputs of engine e (NULL: a runner without one); fills v at the
 * first failure. */
static xc_status compare_outputs(const xc_graph *g, const xc_engine *e, int it, xc_tensor *const *got,
                                 const xc_tensor *const *want, const xc_check_tolerance *tol, xc_check_verdict *v)
{
    for (int o = 0; o < g->n_outputs && v->passed; o++) {
        if (!want[o]) continue;
        int depth = 0;
        XC_TRY(xc_engine_rounding_depth(e, g->outputs[o].name, &depth));
        depth += tol->golden_depth ? tol->golden_depth[o] : 0;                          /* the expected value's own rounding */
        const int math = tol->math == XC_MATH_FP32 && depth ? XC_MATH_TF32 : tol->math; /* rounding layers on its path */
        xc_tolerance t = tol->spec ? xc_tolerance_for(tol->spec, g->outputs[o].name, want[o], math, depth) : tol->fixed;
        xc_compare_result r;
        if (!got[o]) return xc_fail(XC_ERR_RUNTIME, "output '%s': the runner gave none", g->outputs[o].name);
        if (tol->spec && tol->checks) { /* run's whole output check (output_check.h) */
            xc_check_result chk;
            XC_TRY(xc_check_output(tol->checks, tol->spec, g->outputs[o].name, got[o], want[o], math, depth, &t, &r, &chk));
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

xc_status xc_pipeline_rounding_depths(const xc_runner *r, const xc_graph *g, int **depth)
{
    *depth = NULL;
    if (!r || !r->engine) return XC_OK;
    if (!(*depth = calloc((size_t)g->n_outputs + 1, sizeof **depth))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int o = 0; o < g->n_outputs; o++) {
        xc_status s = xc_engine_rounding_depth(r->engine, g->outputs[o].name, &(*depth)[o]);
        if (s != XC_OK) {
            free(*depth);
            *depth = NULL;
            return s;
        }
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
        xc_per_layer p;
        memset(&p, 0, sizeof p);
        p.first_divergence = -1;
        s = run_judged(r, g, k, fed[k], tol, &p, &out);
        if (s == XC_OK) s = compare_outputs(g, r->engine, k, out, want[k], tol, v);
        if (s == XC_OK && v->passed && p.first_divergence >= 0) s = layer_verdict(&p, k, v); /* outputs fail first */
        xc_pipeline_outputs_free(g, out);
        xc_per_layer_free(&p);
    }
    return s;
}

/* runner.c — the runs behind `crosscheck run` (see runner.h). */
#include "runner.h"
#include "backend.h"
#include "onnx_io.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

xc_run_config xc_run_config_default(void)
{
    xc_run_config c;
    memset(&c, 0, sizeof c);
    c.inputs = xc_input_spec_default();
    c.tol = xc_tolerance_default();
    c.ocl = xc_ocl_build_defaults();
    return c;
}

void xc_run_report_free(xc_run_report *r)
{
    for (int k = 0; k < r->n_runners; k++) {
        for (int o = 0; r->runners[k].outputs && o < r->n_outputs; o++) xc_tensor_free(r->runners[k].outputs[o]);
        free(r->runners[k].outputs);
    }
    for (int k = 0; k < r->n_comparisons; k++) {
        free(r->comparisons[k].outputs);
        free(r->comparisons[k].reference);
    }
    xc_tensor_list_free(&r->inputs);
    xc_tensor_list_free(&r->expected);
    xc_model_free(r->model);
    memset(r, 0, sizeof *r);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Matches the inputs to the graph, naming unnamed loaded tensors after the input they feed. */
static xc_status order_inputs(xc_run_report *r, const xc_tensor **fed)
{
    const xc_graph *g = r->model->graph;
    XC_TRY(xc_match_inputs(g, &r->inputs, fed));
    for (int i = 0, k = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        xc_tensor *t = (xc_tensor *)fed[k++];
        if (!t->name || !t->name[0]) XC_TRY(xc_tensor_set_name(t, g->inputs[i].name));
    }
    return XC_OK;
}

static xc_status run_backend(xc_run_report *r, const char *name, xc_backend *b, const xc_tensor **fed)
{
    xc_runner_result *res = &r->runners[r->n_runners++];
    res->name = name;
    res->outputs = calloc(r->n_outputs + 1, sizeof *res->outputs);
    if (!res->outputs) return xc_fail(XC_ERR_NOMEM, "out of memory");
    double t0 = now();
    xc_status s = xc_backend_run(b, fed, res->outputs, NULL);
    res->seconds = now() - t0;
    return s;
}

static xc_status run_ocl(const xc_run_config *c, xc_run_report *r, const xc_tensor **fed)
{
    xc_engine *e = NULL;
    xc_backend *b = NULL;
    xc_status s = c->plan ? xc_ocl_plan_load(r->model, c->plan, &c->ocl, &e) : xc_ocl_build(r->model, &c->ocl, &e);
    if (s == XC_OK) s = xc_ocl_backend_create(e, &b);
    if (s == XC_OK) s = run_backend(r, "ocl", b, fed);
    xc_backend_destroy(b);
    xc_engine_free(e);
    return s;
}

static xc_status compare(const xc_run_config *c, xc_run_report *r, int runner, int against, const xc_tensor **ref)
{
    xc_comparison *cmp = &r->comparisons[r->n_comparisons++];
    cmp->runner = runner;
    cmp->against = against;
    cmp->outputs = calloc(r->n_outputs + 1, sizeof *cmp->outputs);
    cmp->reference = calloc(r->n_outputs + 1, sizeof *cmp->reference);
    if (!cmp->outputs || !cmp->reference) return xc_fail(XC_ERR_NOMEM, "out of memory");
    cmp->passed = 1;
    for (int o = 0; o < r->n_outputs; o++) {
        cmp->reference[o] = ref[o];
        if (!ref[o]) continue;
        XC_TRY(xc_compare(r->runners[runner].outputs[o], ref[o], &c->tol, &cmp->outputs[o]));
        r->compared++;
        if (cmp->outputs[o].shape_mismatch || !cmp->outputs[o].passed) cmp->passed = 0;
    }
    if (!cmp->passed) r->passed = 0;
    return XC_OK;
}

xc_status xc_run(const xc_run_config *c, xc_run_report *r)
{
    memset(r, 0, sizeof *r);
    r->passed = 1;
    XC_TRY(xc_model_load(c->model_path, &r->model));
    const xc_graph *g = r->model->graph;
    r->n_outputs = g->n_outputs;
    if (c->n_load_inputs) XC_TRY(xc_tensor_files_load(c->load_inputs, c->n_load_inputs, "input", &r->inputs));
    else XC_TRY(xc_generate_inputs(g, &c->inputs, &r->inputs));
    const xc_tensor **fed = calloc(xc_graph_runtime_input_count(g) + 1, sizeof *fed);
    if (!fed) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = order_inputs(r, fed);
    if (s == XC_OK && (c->use_ref || !c->use_ocl)) {
        xc_backend *b = NULL;
        s = xc_ref_backend_create(r->model, &b);
        if (s == XC_OK) s = run_backend(r, "ref", b, fed);
        xc_backend_destroy(b);
    }
    if (s == XC_OK && c->use_ocl) s = run_ocl(c, r, fed);
    free(fed);
    XC_TRY(s);
    for (int k = 1; k < r->n_runners; k++) XC_TRY(compare(c, r, k, 0, (const xc_tensor **)r->runners[0].outputs));
    if (c->n_load_outputs) {
        XC_TRY(xc_tensor_files_load(c->load_outputs, c->n_load_outputs, "output", &r->expected));
        const xc_tensor **want = calloc(r->n_outputs + 1, sizeof *want);
        if (!want) return xc_fail(XC_ERR_NOMEM, "out of memory");
        s = xc_match_outputs(g, &r->expected, want);
        if (s == XC_OK) s = compare(c, r, 0, -1, want);
        free(want);
        XC_TRY(s);
    }
    if (c->save_outputs)
        XC_TRY(xc_results_save(c->save_outputs, r->runners[0].name, 0, &r->inputs, r->runners[0].outputs, r->n_outputs));
    return XC_OK;
}

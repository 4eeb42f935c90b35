/* runner.c — the reference run behind `crosscheck run` (see runner.h). */
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
    return c;
}

void xc_run_report_free(xc_run_report *r)
{
    for (int o = 0; r->outputs && o < r->n_outputs; o++) xc_tensor_free(r->outputs[o].actual);
    free(r->outputs);
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

static xc_status run_reference(xc_run_report *r)
{
    const xc_graph *g = r->model->graph;
    int n_in = xc_graph_runtime_input_count(g);
    const xc_tensor **fed = calloc(n_in + 1, sizeof *fed);
    xc_tensor **got = calloc(g->n_outputs + 1, sizeof *got);
    xc_backend *b = NULL;
    xc_status s = fed && got ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = xc_match_inputs(g, &r->inputs, fed);
    /* loaded tensors may be unnamed: name them after the input they feed, for saving */
    for (int i = 0, k = 0; s == XC_OK && i < g->n_inputs; i++)
        if (xc_graph_is_runtime_input(g, i) && k < n_in) {
            xc_tensor *t = (xc_tensor *)fed[k++];
            if (!t->name || !t->name[0]) s = xc_tensor_set_name(t, g->inputs[i].name);
        }
    if (s == XC_OK) s = xc_ref_backend_create(r->model, &b);
    if (s == XC_OK) {
        double t0 = now();
        s = xc_backend_run(b, fed, got, NULL);
        r->seconds = now() - t0;
    }
    for (int o = 0; o < g->n_outputs; o++) r->outputs[o].actual = got[o];
    xc_backend_destroy(b);
    free(fed);
    free(got);
    return s;
}

static xc_status compare_expected(const xc_run_config *c, xc_run_report *r)
{
    const xc_graph *g = r->model->graph;
    const xc_tensor **want = calloc(g->n_outputs + 1, sizeof *want);
    if (!want) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_match_outputs(g, &r->expected, want);
    r->passed = 1;
    for (int o = 0; o < g->n_outputs && s == XC_OK; o++) {
        r->outputs[o].expected = want[o];
        if (!want[o]) continue;
        s = xc_compare(r->outputs[o].actual, want[o], &c->tol, &r->outputs[o].cmp);
        r->compared++;
        if (r->outputs[o].cmp.shape_mismatch || !r->outputs[o].cmp.passed) r->passed = 0;
    }
    free(want);
    return s;
}

xc_status xc_run(const xc_run_config *c, xc_run_report *r)
{
    memset(r, 0, sizeof *r);
    XC_TRY(xc_model_load(c->model_path, &r->model));
    const xc_graph *g = r->model->graph;
    r->n_outputs = g->n_outputs;
    r->outputs = calloc(g->n_outputs + 1, sizeof *r->outputs);
    if (!r->outputs) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int o = 0; o < g->n_outputs; o++) r->outputs[o].name = g->outputs[o].name;
    if (c->n_load_inputs) {
        XC_TRY(xc_tensor_files_load(c->load_inputs, c->n_load_inputs, "input", &r->inputs));
    } else {
        XC_TRY(xc_generate_inputs(g, &c->inputs, &r->inputs));
    }
    XC_TRY(run_reference(r));
    if (c->n_load_outputs) {
        XC_TRY(xc_tensor_files_load(c->load_outputs, c->n_load_outputs, "output", &r->expected));
        XC_TRY(compare_expected(c, r));
    }
    if (c->save_outputs) {
        xc_tensor **outs = malloc(sizeof(xc_tensor *) * (r->n_outputs + 1));
        if (!outs) return xc_fail(XC_ERR_NOMEM, "out of memory");
        for (int o = 0; o < r->n_outputs; o++) outs[o] = r->outputs[o].actual;
        xc_status s = xc_results_save(c->save_outputs, "ref", 0, &r->inputs, outs, r->n_outputs);
        free(outs);
        XC_TRY(s);
    }
    return XC_OK;
}

/* reduce_data.c — where `debug reduce` gets the values of cut tensors (a candidate's inputs
 * that some node of the original model made), iteration k's from iteration k's inputs:
 *
 *   1. the reference, on the original model (or, when it cannot run every node, on the model
 *      cut down to the tensors it can compute: those depending on no node it cannot run);
 *   2. for the others, the data runner (base.against: the runner option given with --check,
 *      e.g. --exec-runner, or the golden of the built-in check), run on the original model cut
 *      down to those tensors; if it cannot, it is not asked again;
 *   3. what is left is generated like a graph input (seed + k, --val-range), as Polygraphy
 *      leaves such tensors as inputs with generated data; said once. Only --check can judge
 *      such candidates: the reference cannot compute their expected outputs. */
#include "backend.h"
#include "debug/reduce.h"
#include "onnx_io.h"
#include "runners/pipeline.h"
#include "surgeon.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static xc_status nomem(void) { return xc_fail(XC_ERR_NOMEM, "out of memory"); }

static const char *node_label(const rd_state *st, int k)
{
    const xc_node *n = &st->g->nodes[k];
    return n->name[0] ? n->name : n->outputs[0];
}

/* Pushes a copy of t named `name` onto list (owned by it). */
static xc_status push_copy(xc_tensor_list *list, const xc_tensor *t, const char *name)
{
    xc_tensor *copy = NULL;
    xc_status s = xc_tensor_clone(t, &copy);
    if (s == XC_OK) s = xc_tensor_set_name(copy, name);
    if (s == XC_OK) return xc_tensor_list_push(list, copy);
    xc_tensor_free(copy);
    return s;
}

/* Every iteration's values of vals from the reference session on the whole model (it runs every node). */
static xc_status from_session(rd_state *st, const int *vals, int n, rd_data *d)
{
    xc_status s = XC_OK;
    for (int k = 0; k < d->n_iter && s == XC_OK; k++) {
        xc_ref_session *rs = NULL;
        XC_TRY(xc_ref_session_create(st->s.model, st->s.fed[k], &rs));
        for (int i = 0; i < n && s == XC_OK; i++) {
            const char *name = st->value_name[vals[i]];
            const xc_tensor *t;
            s = xc_ref_session_get(rs, name, &t);
            if (s == XC_OK) s = push_copy(&d->fed_own[k], t, name);
            xc_ref_session_release(rs, name);
        }
        xc_ref_session_free(rs);
    }
    return s;
}

/* The original model cut down to compute vals (ascending value numbers) from its inputs. */
static xc_status prefix_model(rd_state *st, const int *vals, int n, xc_model **out)
{
    unsigned char *all = malloc((size_t)st->g->n_nodes + 1);
    if (!all) return nomem();
    memset(all, 1, (size_t)st->g->n_nodes + 1);
    rd_cand pc;
    xc_status s = rd_cand_make(st, all, vals, n, &pc);
    free(all);
    if (s != XC_OK) return s;
    xc_io_spec *in = calloc((size_t)pc.n_in + 1, sizeof *in), *o = calloc((size_t)n + 1, sizeof *o);
    if (!in || !o) s = nomem();
    for (int i = 0; s == XC_OK && i < pc.n_in; i++) in[i] = (xc_io_spec){.name = st->value_name[pc.ins[i]], .rank = -1};
    for (int i = 0; s == XC_OK && i < n; i++) o[i] = (xc_io_spec){.name = st->value_name[vals[i]], .rank = -1};
    if (s == XC_OK) s = xc_surgeon_extract(st->s.model, in, pc.n_in, o, n, out);
    free(in);
    free(o);
    rd_cand_free(&pc);
    return s;
}

/* Every iteration's values of vals from runner `spec` (NULL: the reference) on the model cut
 * down to them; pushed only when every iteration succeeded. */
static xc_status from_runner(rd_state *st, const xc_runner_spec *spec, const int *vals, int n, rd_data *d)
{
    xc_runner_spec ref = {.kind = "ref"};
    xc_model *m = NULL;
    xc_runner *r = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/check_%02d_cut.onnx", st->s.dir, st->s.report->n_checks + 1);
    xc_status s = prefix_model(st, vals, n, &m);
    if (s == XC_OK && spec) s = xc_model_save(m, path); /* external runners read the file */
    const xc_debug_config *c = &st->cfg->base;
    xc_runner_env env = {m, path, &c->ocl, d->n_iter, 0, c->exec_timeout};
    if (s == XC_OK) s = xc_runner_open(spec ? spec : &ref, &env, &r);
    const xc_graph *g = m ? m->graph : NULL;
    xc_tensor ***got = calloc((size_t)d->n_iter + 1, sizeof *got);
    const xc_tensor **fed = g ? calloc((size_t)g->n_inputs + 1, sizeof *fed) : NULL;
    if (s == XC_OK && (!got || !fed)) s = nomem();
    for (int k = 0; k < d->n_iter && s == XC_OK; k++) {
        for (int i = 0, j = 0; i < g->n_inputs; i++) /* the cut model's inputs are original inputs */
            if (xc_graph_is_runtime_input(g, i)) fed[j++] = st->s.fed[k][xc_names_get(&st->index, g->inputs[i].name)];
        s = xc_pipeline_outputs(r, g, k, fed, &got[k]);
        for (int o = 0; s == XC_OK && o < g->n_outputs; o++)
            if (!got[k][o]) s = xc_fail(XC_ERR_IO, "gave no value for '%s'", g->outputs[o].name);
    }
    for (int k = 0; k < d->n_iter && s == XC_OK; k++)
        for (int o = 0; o < g->n_outputs && s == XC_OK; o++) s = push_copy(&d->fed_own[k], got[k][o], g->outputs[o].name);
    for (int k = 0; got && g && k < d->n_iter; k++) xc_pipeline_outputs_free(g, got[k]);
    free(got);
    free(fed);
    xc_runner_free(r);
    xc_model_free(m);
    if (spec) unlink(path);
    return s;
}

xc_status rd_cut_values(rd_state *st, const rd_cand *c, rd_data *d)
{
    int *ok = malloc(sizeof(int) * ((size_t)c->n_in + 1)), *other = malloc(sizeof(int) * ((size_t)c->n_in + 1)), n_ok = 0,
        n_other = 0;
    if (!ok || !other) return free(ok), free(other), nomem();
    for (int i = 0; i < c->n_in; i++) {
        int v = c->ins[i];
        if (st->producer[v] < 0) continue; /* an original input: fed as it is */
        if (st->ref_ok[v])
            ok[n_ok++] = v;
        else
            other[n_other++] = v;
    }
    xc_status s = XC_OK;
    if (n_ok) s = st->unsupported < 0 ? from_session(st, ok, n_ok, d) : from_runner(st, NULL, ok, n_ok, d);
    if (s != XC_OK) s = xc_error_prefix(s, "reference values of the cut tensors: ");
    const xc_runner_spec *runner = st->cfg->base.n_against ? &st->cfg->base.against[0] : NULL;
    if (s == XC_OK && n_other && runner && !st->runner_failed) {
        xc_status r = from_runner(st, runner, other, n_other, d);
        if (r != XC_OK) {
            /* a runner that cannot run the unsupported node either: generated data from now on */
            st->runner_failed = st->said_generated = 1; /* this note says it */
            xc_debug_say(&st->s, "note: runner '%s' cannot compute the cut tensors after '%s' (%s): they get generated data",
                         runner->name ? runner->name : runner->kind, node_label(st, st->unsupported), xc_error_message());
        } else if (!st->said_runner) {
            st->said_runner = 1;
            xc_debug_say(&st->s, "note: cut tensors after '%s' (%s), which the reference cannot run, are computed by runner '%s'",
                         node_label(st, st->unsupported), st->g->nodes[st->unsupported].op_type,
                         runner->name ? runner->name : runner->kind);
        }
    }
    free(ok);
    free(other);
    return s;
}

xc_status rd_generate_missing(rd_state *st, const rd_cand *c, rd_data *d)
{
    const xc_graph *g = d->model->graph;
    for (int k = 0; k < d->n_iter; k++) {
        xc_tensor_list gen = {0};
        xc_input_spec spec = st->cfg->base.inputs;
        spec.seed += (uint64_t)k;
        int generated = 0;
        xc_status s = XC_OK;
        for (int i = 0; i < c->n_in && s == XC_OK; i++) {
            const char *name = st->value_name[c->ins[i]];
            if (st->producer[c->ins[i]] < 0 || rd_own_value(d, k, name)) continue;
            if (!generated++) s = xc_generate_inputs(g, &spec, &gen);
            const xc_tensor *t = NULL;
            for (int j = 0; s == XC_OK && j < gen.n && !t; j++)
                if (!strcmp(gen.t[j]->name, name)) t = gen.t[j];
            if (s == XC_OK && !t) s = xc_fail(XC_ERR_INTERNAL, "no generated value for '%s'", name);
            if (s == XC_OK) s = push_copy(&d->fed_own[k], t, name);
            if (s == XC_OK && !st->said_generated) {
                st->said_generated = 1;
                xc_debug_say(
                    &st->s,
                    "note: the reference cannot run '%s' (%s)%s: cut tensors after it (e.g. '%s') are fed generated data "
                    "(--val-range applies)",
                    node_label(st, st->unsupported), st->g->nodes[st->unsupported].op_type,
                    st->cfg->base.n_against ? " nor can the runner given" : " and no runner option names one", name);
            }
        }
        xc_tensor_list_free(&gen);
        if (s != XC_OK)
            return xc_error_prefix(s, "generated data for the cut tensors after '%s' (which the reference cannot run): ",
                                   node_label(st, st->unsupported));
    }
    return XC_OK;
}

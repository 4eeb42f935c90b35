/* per_layer.c — the observer behind --per-layer and --first-nan (see per_layer.h). */
#include "per_layer.h"
#include "names.h"
#include "results.h"
#include "validate.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *xc_verdict_name(xc_verdict v) { return v == XC_VERDICT_FAIL ? "fail" : v == XC_VERDICT_NEAR ? "near" : "pass"; }

void xc_per_layer_free(xc_per_layer *p)
{
    for (int i = 0; i < p->n_rows; i++) {
        for (int k = 0; k < p->rows[i].n_tensors; k++) free(p->rows[i].tensors[k].name);
        free(p->rows[i].tensors);
    }
    free(p->rows);
    free(p->nodes);
    memset(p, 0, sizeof *p);
    p->first_divergence = -1;
}

void xc_first_nan_free(xc_first_nan *f)
{
    free(f->layer);
    free(f->tensor);
    free(f->constant.layer);
    free(f->constant.tensor);
    memset(f, 0, sizeof *f);
}

/* Does tensor `name` depend on a runtime input of g? Walks the (topologically sorted) nodes
 * forward from the inputs; asked only when a non-finite value shows up, so its cost does not
 * touch clean runs. A name no node computes (an engine's own tensor) counts as dependent. */
static int depends_on_inputs(const xc_graph *g, const char *name)
{
    xc_names dyn;
    if (!g || xc_names_init(&dyn, (size_t)g->n_nodes * 2 + g->n_inputs + 16) != XC_OK) return 1;
    int known = 0, answer = 1;
    for (int i = 0; i < g->n_inputs; i++)
        if (xc_graph_is_runtime_input(g, i) && xc_names_put(&dyn, g->inputs[i].name, 1) != XC_OK) goto out;
    if (xc_names_get(&dyn, name) == 1) goto out;
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        int d = 0;
        for (int i = 0; i < n->n_inputs && !d; i++) d = n->inputs[i][0] && xc_names_get(&dyn, n->inputs[i]) == 1;
        for (int o = 0; o < n->n_outputs; o++) {
            if (!n->outputs[o][0]) continue;
            if (!strcmp(n->outputs[o], name)) known = 1, answer = d;
            if (xc_names_put(&dyn, n->outputs[o], d) != XC_OK) answer = 1, known = 1;
        }
        if (known) break;
    }
out:
    xc_names_free(&dyn);
    return answer;
}

static void record(xc_first_nan_hit *h, const char *name, const char *layer, size_t i, double v)
{
    h->found = 1;
    h->layer = strdup(layer ? layer : "");
    h->tensor = strdup(name);
    h->index = i;
    h->value = v;
}

static void check_nan(xc_first_nan *f, const xc_graph *g, const char *name, const xc_tensor *t, const char *layer)
{
    if (f->found || !xc_dtype_is_float(t->dtype)) return;
    size_t n = xc_tensor_numel(t);
    for (size_t i = 0; i < n; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isfinite(v)) continue;
        if (!depends_on_inputs(g, name)) {
            if (!f->constant.found) record(&f->constant, name, layer, i, v);
            return;
        }
        xc_first_nan_hit h = {0};
        record(&h, name, layer, i, v);
        f->found = 1, f->layer = h.layer, f->tensor = h.tensor, f->index = h.index, f->value = h.value;
        return;
    }
}

static xc_status grow_rows(xc_per_layer *p)
{
    if (p->n_rows < p->cap_rows) return XC_OK;
    int cap = p->cap_rows ? 2 * p->cap_rows : 64;
    xc_layer_row *rows = realloc(p->rows, (size_t)cap * sizeof *rows);
    if (!rows) return xc_fail(XC_ERR_NOMEM, "out of memory");
    p->rows = rows;
    p->cap_rows = cap;
    return XC_OK;
}

/* A row of the node that made tensor `name` (runners without an engine). */
static xc_status node_row(xc_layer_watch *w, const char *name, xc_layer_row *r)
{
    const xc_graph *g = w->graph;
    xc_per_layer *p = w->per_layer;
    if (!p->nodes && !(p->nodes = malloc(sizeof(int) * (size_t)(g->n_nodes ? g->n_nodes : 1))))
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < g->n_nodes; k++)
        for (int o = 0; o < g->nodes[k].n_outputs; o++)
            if (!strcmp(g->nodes[k].outputs[o], name)) {
                const xc_node *nd = &g->nodes[k];
                p->nodes[k] = k;
                r->layer = k;
                r->info = (xc_engine_layer_info){.name = nd->name[0] ? nd->name : nd->outputs[0],
                                                 .kind = nd->op_type,
                                                 .tactic = w->tactic,
                                                 .n_nodes = 1,
                                                 .nodes = &p->nodes[k]};
                return XC_OK;
            }
    return xc_fail(XC_ERR_INTERNAL, "per-layer: a runner reported tensor '%s', which no node of the model makes", name);
}

/* The row of layer `layer_name` (tensor `name` made by it), appended on its first report. */
static xc_status row_for(xc_layer_watch *w, const char *layer_name, const char *name, xc_layer_row **out)
{
    xc_per_layer *p = w->per_layer;
    if (p->n_rows && !strcmp(p->rows[p->n_rows - 1].info.name, layer_name)) {
        *out = &p->rows[p->n_rows - 1];
        return XC_OK;
    }
    int l = w->engine ? xc_engine_layer_find(w->engine, layer_name) : 0;
    if (l < 0) return xc_fail(XC_ERR_INTERNAL, "per-layer: the engine reported unknown layer '%s'", layer_name);
    XC_TRY(grow_rows(p));
    xc_layer_row *r = &p->rows[p->n_rows];
    memset(r, 0, sizeof *r);
    if (w->engine) {
        r->layer = l;
        xc_engine_layer_info_get(w->engine, l, &r->info);
    } else {
        XC_TRY(node_row(w, name, r));
    }
    p->n_rows++;
    *out = r;
    return XC_OK;
}

int xc_per_layer_rounded_layers(const xc_per_layer *p)
{
    int deepest = 0;
    for (int i = 0; i < p->n_rows; i++)
        for (int t = 0; t < p->rows[i].n_tensors; t++)
            if (p->rows[i].tensors[t].tol.rounded_layers > deepest) deepest = p->rows[i].tensors[t].tol.rounded_layers;
    return deepest;
}

static xc_status compare_into_row(xc_layer_watch *w, xc_layer_row *row, const char *name, const xc_tensor *t)
{
    /* accumulated, the tensor carries the errors of every rounding layer before it; isolated (fed
     * the golden's inputs), only this layer's; a golden engine's value, all of that engine's */
    xc_per_layer *p = w->per_layer;
    int depth = row->info.rounds, golden_depth = 0;
    if (p->mode != XC_PER_LAYER_ISOLATED) XC_TRY(xc_engine_rounding_depth(w->engine, name, &depth));
    XC_TRY(xc_engine_rounding_depth(w->golden_engine, name, &golden_depth));
    depth += golden_depth;
    const xc_tensor *ref = NULL;
    XC_TRY(w->golden->value(w->golden->user, name, &ref));
    if (!ref) return XC_OK; /* the golden runner did not report it */
    xc_layer_tensor *lt = realloc(row->tensors, (size_t)(row->n_tensors + 1) * sizeof *lt);
    if (!lt) {
        w->golden->done(w->golden->user, name);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    row->tensors = lt;
    lt = &lt[row->n_tensors];
    memset(lt, 0, sizeof *lt);
    int math = row->info.fp16 ? xc_math_half(row->info.half_format == XC_HALF_BF16) : depth ? XC_MATH_TF32 : XC_MATH_FP32;
    lt->tol = xc_tolerance_for(w->tol, name, ref, math, depth);
    xc_status s = xc_compare(t, ref, &lt->tol, &lt->r);
    w->golden->done(w->golden->user, name);
    XC_TRY(s);
    if (!(lt->name = strdup(name))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    row->n_tensors++;
    const xc_compare_result *r = &lt->r;
    int failed = r->shape_mismatch || !r->passed;
    /* a non-finite mismatch (an fp16 overflow's inf or NaN) is the worst error possible: the
     * compare's statistics cover the finite pairs only, so a row of NaNs would read max abs 0 */
    double max_abs = r->n_nonfinite_mismatch ? INFINITY : r->max_abs, max_rel = r->n_nonfinite_mismatch ? INFINITY : r->max_rel;
    row->max_abs = isnan(max_abs) || max_abs > row->max_abs ? max_abs : row->max_abs;
    row->max_rel = isnan(max_rel) || max_rel > row->max_rel ? max_rel : row->max_rel;
    row->nmse = r->nmse > row->nmse ? r->nmse : row->nmse;
    row->score = r->score > row->score ? r->score : row->score;
    xc_verdict v = failed ? XC_VERDICT_FAIL : r->score > XC_NEAR_SCORE ? XC_VERDICT_NEAR : XC_VERDICT_PASS;
    if (v > row->verdict) {
        if (v == XC_VERDICT_FAIL) {
            w->per_layer->n_failed++;
            if (w->per_layer->first_divergence < 0) w->per_layer->first_divergence = (int)(row - w->per_layer->rows);
        }
        row->verdict = v;
    }
    return XC_OK;
}

static xc_status compare_tensor(xc_layer_watch *w, const char *name, const xc_tensor *t, const char *layer)
{
    xc_layer_row *row = NULL;
    XC_TRY(row_for(w, layer, name, &row));
    return compare_into_row(w, row, name, t);
}

static xc_status on_tensor(void *user, const char *name, const xc_tensor *t, const char *layer)
{
    xc_layer_watch *w = user;
    if (w->first_nan) check_nan(w->first_nan, w->graph, name, t, layer);
    if (w->per_layer && w->golden && (w->engine || w->graph)) XC_TRY(compare_tensor(w, name, t, layer));
    return XC_OK;
}

xc_observer xc_layer_watch_observer(xc_layer_watch *w)
{
    if (w->per_layer && !w->per_layer->n_rows) w->per_layer->first_divergence = -1;
    xc_observer o = {on_tensor, w};
    return o;
}

static xc_status session_value(void *user, const char *name, const xc_tensor **out)
{
    return xc_ref_session_get(user, name, out);
}

static void session_done(void *user, const char *name) { xc_ref_session_release(user, name); }

xc_feeder xc_ref_session_feeder(xc_ref_session *s)
{
    xc_feeder f = {session_value, session_done, s};
    return f;
}

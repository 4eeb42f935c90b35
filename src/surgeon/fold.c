/* fold.c — constant folding executed by the reference interpreter.
 *
 * One walk in topological order tracks, per value, its type and (when constant) its value.
 * A node whose inputs are all constant runs on the reference (xc_ref_eval_node), so a folded
 * model computes exactly what the reference would have computed at run time. Shape and Size
 * only read dims, so they fold whenever the dims they report are static (after input-shape
 * overrides), and everything downstream of them that becomes constant folds too: exporters'
 * Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains disappear in the same walk. Types of
 * the other nodes come from schema inference fed with the constants known so far. */
#include "backend.h"
#include "internal.h"
#include "ops/plans.h"
#include <stdlib.h>
#include <string.h>

typedef struct fold_ctx {
    xc_names slot;     /* value name -> slot */
    xc_type_shape *ts; /* per slot; ts.value is the constant value or NULL */
    xc_tensor **owned; /* per slot: values folding computed (freed at the end) */
    int n, cap;
    int overridable; /* initializers listed as graph inputs are defaults a caller may
                               override (IR >= 4); before IR 4 every initializer had to be listed,
                               so listing means nothing and they are constants (as in ONNX Runtime) */
} fold_ctx;

static int add_slot(fold_ctx *c, const char *name)
{
    int s = xc_names_get(&c->slot, name);
    if (s >= 0) return s;
    if (c->n == c->cap || xc_names_put(&c->slot, name, c->n) != XC_OK) return -1;
    c->ts[c->n].rank = -1;
    return c->n++;
}

static const xc_type_shape *type_of(const fold_ctx *c, const char *name)
{
    int s = xc_names_get(&c->slot, name);
    return s < 0 ? NULL : &c->ts[s];
}

/* Random ops have no fixed value; nodes with subgraphs are left to the engines. */
static int may_fold(const xc_node *n)
{
    static const char *const random[] = {
        "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli", NULL};
    if (!n->schema || n->domain[0]) return 0;
    for (int i = 0; random[i]; i++)
        if (!strcmp(n->op_type, random[i])) return 0;
    for (int a = 0; a < n->n_attrs; a++)
        if (n->attrs[a].g || n->attrs[a].graphs) return 0;
    return 1;
}

/* Shape/Size of a value whose reported dims are static: the value, or NULL. */
static xc_status shape_value(const xc_node *n, const xc_type_shape *x, xc_tensor **out)
{
    *out = NULL;
    int is_shape = !strcmp(n->op_type, "Shape");
    if (n->domain[0] || (!is_shape && strcmp(n->op_type, "Size")) || !x || x->rank < 0) return XC_OK;
    int start = 0, end = x->rank;
    if (is_shape) xc_shape_axes(n, x->rank, &start, &end);
    int64_t size = 1, len = end > start ? end - start : 0;
    for (int k = is_shape ? start : 0; k < (is_shape ? end : x->rank); k++) {
        if (x->dims[k] < 0) return XC_OK;
        size *= x->dims[k];
    }
    XC_TRY(xc_tensor_new(XC_INT64, is_shape ? 1 : 0, &len, out));
    for (int k = 0; k < len && is_shape; k++) ((int64_t *)(*out)->data)[k] = x->dims[start + k];
    if (!is_shape) ((int64_t *)(*out)->data)[0] = size;
    return XC_OK;
}

/* Evaluates node n if it can be folded; outs[o] receive values (NULL when not folded). */
static xc_status eval_node(const xc_node *n, const xc_type_shape *in, xc_tensor **outs)
{
    for (int o = 0; o < n->n_outputs; o++) outs[o] = NULL;
    if (n->n_outputs == 1 && n->n_inputs >= 1 && in[0].present) {
        XC_TRY(shape_value(n, &in[0], &outs[0]));
        if (outs[0]) return XC_OK;
    }
    if (!may_fold(n)) return XC_OK;
    for (int i = 0; i < n->n_inputs; i++)
        if (in[i].present && !in[i].value) return XC_OK;
    /* on the heap: a node may have any number of inputs (100,000 overflowed a stack array) */
    const xc_tensor **vals = calloc((size_t)n->n_inputs + 1, sizeof *vals);
    if (!vals) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n->n_inputs; i++) vals[i] = in[i].present ? in[i].value : NULL;
    xc_status s = xc_ref_eval_node(n, vals, outs);
    free(vals);
    if (s == XC_ERR_UNSUPPORTED) { /* the reference lacks this op or dtype: keep the node */
        xc_error_clear();
        return XC_OK;
    }
    return s;
}

/* Runs the walk; folded[k] is set for nodes whose outputs all became constants. in, out and
 * vals have room for the most inputs and outputs any node has. */
static xc_status walk_with(const xc_graph *g, fold_ctx *c, char *folded, xc_type_shape *in, xc_type_shape *out, xc_tensor **vals)
{
    for (int i = 0; i < g->n_initializers; i++) {
        const xc_tensor *t = g->initializers[i];
        int s = add_slot(c, t->name);
        if (s < 0) return xc_fail(XC_ERR_NOMEM, "out of memory");
        c->ts[s] = (xc_type_shape){1, t->dtype, t->rank, {0}, t, t->value};
        memcpy(c->ts[s].dims, t->dims, sizeof t->dims);
    }
    for (int i = 0; i < g->n_inputs; i++) {
        const xc_value_info *v = &g->inputs[i];
        int s = add_slot(c, v->name);
        if (s < 0) return xc_fail(XC_ERR_NOMEM, "out of memory");
        if (c->overridable) c->ts[s].value = NULL;
        if (!xc_graph_is_runtime_input(g, i)) continue;
        c->ts[s] = (xc_type_shape){1, v->dtype, v->rank, {0}, NULL, v->value};
        memcpy(c->ts[s].dims, v->dims, sizeof v->dims);
    }
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        for (int i = 0; i < n->n_inputs; i++) {
            const xc_type_shape *t = n->inputs[i][0] ? type_of(c, n->inputs[i]) : NULL;
            in[i] = t ? *t : (xc_type_shape){n->inputs[i][0] != 0, XC_UNDEFINED, -1, {0}, NULL, XC_VALUE_TENSOR};
        }
        XC_TRY(eval_node(n, in, vals));
        int all = n->n_outputs > 0;
        for (int o = 0; o < n->n_outputs; o++) /* initializers are tensors: a sequence stays a node */
            all &= !n->outputs[o][0] || (vals[o] != NULL && vals[o]->value == XC_VALUE_TENSOR);
        xc_status s = XC_OK;
        if (!all) {
            for (int o = 0; o < n->n_outputs; o++) {
                xc_tensor_free(vals[o]);
                vals[o] = NULL;
                out[o] = (xc_type_shape){n->outputs[o][0] != 0, XC_UNDEFINED, -1, {0}, NULL, XC_VALUE_TENSOR};
            }
            s = xc_node_infer(n, in, n->n_inputs, out, n->n_outputs);
            if (s == XC_ERR_UNSUPPORTED) { /* types stay unknown downstream, as at load time */
                xc_error_clear();
                s = XC_OK;
            }
        }
        folded[k] = all;
        for (int o = 0; o < n->n_outputs && s == XC_OK; o++) {
            if (!n->outputs[o][0]) continue;
            int slot = add_slot(c, n->outputs[o]);
            if (slot < 0) {
                s = xc_fail(XC_ERR_NOMEM, "out of memory");
                break;
            }
            if (vals[o]) {
                c->owned[slot] = vals[o];
                vals[o] = NULL;
                const xc_tensor *v = c->owned[slot];
                out[o] = (xc_type_shape){1, v->dtype, v->rank, {0}, v, v->value};
                memcpy(out[o].dims, v->dims, sizeof v->dims);
            }
            c->ts[slot] = out[o];
            c->ts[slot].present = 1;
        }
        for (int o = 0; o < n->n_outputs; o++) xc_tensor_free(vals[o]);
        if (s != XC_OK) {
            char lb[256];
            if (!strstr(xc_error_message(), "node ")) xc_error_prefix(s, "%s: ", xc_node_label(n, lb, sizeof lb));
            return s;
        }
    }
    return XC_OK;
}

static xc_status walk(const xc_graph *g, fold_ctx *c, char *folded)
{
    size_t max_in = 1, max_out = 1; /* per node on the heap: a node may have 100,000 inputs */
    for (int k = 0; k < g->n_nodes; k++) {
        if ((size_t)g->nodes[k].n_inputs > max_in) max_in = (size_t)g->nodes[k].n_inputs;
        if ((size_t)g->nodes[k].n_outputs > max_out) max_out = (size_t)g->nodes[k].n_outputs;
    }
    xc_type_shape *in = calloc(max_in, sizeof *in), *out = calloc(max_out, sizeof *out);
    xc_tensor **vals = calloc(max_out, sizeof *vals);
    xc_status s = in && out && vals ? walk_with(g, c, folded, in, out, vals) : xc_fail(XC_ERR_NOMEM, "out of memory");
    free(in);
    free(out);
    free(vals);
    return s;
}

/* Folded values that something still reads (a kept node, a subgraph capture, a graph output)
 * become initializers. */
static xc_status materialize(xc_graph *g, fold_ctx *c, const char *replaced)
{
    xc_names want;
    sg_list uses = {0};
    XC_TRY(xc_names_init(&want, (size_t)g->n_nodes + g->n_outputs + 1));
    xc_status s = XC_OK;
    for (int i = 0; i < g->n_outputs && s == XC_OK; i++) s = xc_names_put(&want, g->outputs[i].name, 1);
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++) {
        if (replaced[k]) continue;
        s = sg_node_uses(&g->nodes[k], &uses);
        for (int i = 0; i < uses.n && s == XC_OK; i++) s = xc_names_put(&want, uses.v[i], 1);
    }
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++) {
        if (!replaced[k]) continue;
        for (int o = 0; o < g->nodes[k].n_outputs && s == XC_OK; o++) {
            const char *name = g->nodes[k].outputs[o];
            if (!name[0] || xc_names_get(&want, name) < 0) continue;
            int slot = xc_names_get(&c->slot, name);
            xc_tensor *t = c->owned[slot];
            c->owned[slot] = NULL;
            s = xc_tensor_set_name(t, name);
            if (s == XC_OK)
                s = sg_append_initializer(g, t);
            else
                xc_tensor_free(t);
        }
    }
    xc_names_free(&want);
    sg_list_free(&uses);
    return s;
}

static xc_status fold(xc_graph *g, fold_ctx *c, size_t threshold, xc_sanitize_report *rep)
{
    char *folded = calloc(g->n_nodes + 1, 1);
    if (!folded) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = walk(g, c, folded);
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++) {
        if (!folded[k] || !threshold) continue;
        for (int o = 0; o < g->nodes[k].n_outputs; o++) {
            const xc_type_shape *t = g->nodes[k].outputs[o][0] ? type_of(c, g->nodes[k].outputs[o]) : NULL;
            if (t && t->value && t->value->nbytes > threshold) folded[k] = 0;
        }
        if (!folded[k] && rep) rep->kept_over_threshold++;
    }
    if (s == XC_OK) s = materialize(g, c, folded);
    if (s == XC_OK) {
        for (int k = 0; k < g->n_nodes; k++)
            if (folded[k] && rep) rep->folded++;
        sg_remove_nodes(g, folded);
    }
    free(folded);
    return s;
}

xc_status sg_fold(xc_model *w, size_t threshold, xc_sanitize_report *rep)
{
    xc_graph *g = w->graph;
    int cap = g->n_inputs + g->n_initializers + 1;
    for (int k = 0; k < g->n_nodes; k++) cap += g->nodes[k].n_outputs;
    fold_ctx c = {0};
    c.cap = cap;
    c.overridable = w->ir_version >= 4;
    c.ts = calloc(cap, sizeof *c.ts);
    c.owned = calloc(cap, sizeof *c.owned);
    xc_status s = xc_names_init(&c.slot, cap);
    if (!c.ts || !c.owned || s != XC_OK)
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
    else
        s = fold(g, &c, threshold, rep);
    for (int i = 0; c.owned && i < c.n; i++) xc_tensor_free(c.owned[i]);
    xc_names_free(&c.slot);
    free(c.ts);
    free(c.owned);
    return s;
}

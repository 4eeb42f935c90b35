/* extract.c — `surgeon extract`: the subgraph computing some tensors from others.
 *
 * A walk back from the requested outputs stops at the given inputs and at initializers; every
 * node it passes is kept. Reaching an original graph input that was not given means the outputs
 * cannot be computed from the inputs: that is the error, naming the tensor and who reads it. */
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct need {
    const char *name;
    int reader; /* node index that reads it, -1 for a requested output */
} need;

typedef struct walk_state {
    const xc_graph *g;
    xc_names prod, given, seen, init_index;
    char *keep_nodes, *keep_inits;
    need *stack;
    int n, cap;
} walk_state;

static xc_status push(walk_state *w, const char *name, int reader)
{
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 64;
        need *s = realloc(w->stack, sizeof *s * cap);
        if (!s) return xc_fail(XC_ERR_NOMEM, "out of memory");
        w->stack = s;
        w->cap = cap;
    }
    w->stack[w->n++] = (need){name, reader};
    return XC_OK;
}

static xc_status not_computable(const walk_state *w, const need *x)
{
    char lb[256];
    if (x->reader < 0)
        return xc_fail(XC_ERR_USAGE, "output '%s' is a graph input of the model; list it in --inputs too", x->name);
    return xc_fail(XC_ERR_USAGE,
                   "tensor '%s' (read by %s) is neither a given input, an initializer, nor computable from "
                   "them: add it to --inputs",
                   x->name, xc_node_label(&w->g->nodes[x->reader], lb, sizeof lb));
}

static xc_status walk_back(walk_state *w)
{
    sg_list uses = {0};
    xc_status s = XC_OK;
    while (w->n && s == XC_OK) {
        need x = w->stack[--w->n];
        if (xc_names_get(&w->given, x.name) >= 0 || xc_names_get(&w->seen, x.name) >= 0) continue;
        if ((s = xc_names_put(&w->seen, x.name, 1)) != XC_OK) break;
        int p = xc_names_get(&w->prod, x.name);
        if (p == SG_INIT) {
            w->keep_inits[xc_names_get(&w->init_index, x.name)] = 1;
        } else if (p == SG_INPUT || p == -1) {
            s = not_computable(w, &x);
        } else {
            w->keep_nodes[p] = 1;
            s = sg_node_uses(&w->g->nodes[p], &uses);
            for (int i = 0; i < uses.n && s == XC_OK; i++) s = push(w, uses.v[i], p);
        }
    }
    sg_list_free(&uses);
    return s;
}

static xc_status untyped(const char *name, const char *what)
{
    return xc_fail(XC_ERR_USAGE, "cannot tell the dtype of '%s'; give it in %s as %s", name, what,
                   !strcmp(what, "--inputs") ? "name:shape:dtype" : "name:dtype");
}

/* The type of a new graph input/output: declared in the model, completed by inference, then
 * overridden by what the user gave. */
static xc_status io_type(const xc_model *src, const xc_graph *w, const xc_io_spec *sp, const char *what, xc_value_info *v)
{
    const xc_value_info *d = xc_graph_declared(w, sp->name);
    if (d) {
        XC_TRY(sg_copy_value(d, v));
    } else {
        memset(v, 0, sizeof *v);
        v->rank = -1;
        if (!(v->name = strdup(sp->name))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    const xc_type_shape *t = src->types ? xc_graph_type(src->types, sp->name) : NULL;
    if (t && v->dtype == XC_UNDEFINED) v->dtype = t->dtype;
    if (t && v->rank < 0 && t->rank >= 0) {
        v->rank = t->rank;
        memcpy(v->dims, t->dims, sizeof v->dims);
    }
    if (sp->dtype != XC_UNDEFINED) {
        if (v->dtype != XC_UNDEFINED && v->dtype != sp->dtype)
            return xc_fail(XC_ERR_USAGE, "%s gives '%s' dtype %s, but the model computes %s", what, sp->name,
                           xc_dtype_name(sp->dtype), xc_dtype_name(v->dtype));
        v->dtype = sp->dtype;
    }
    if (sp->rank >= 0) {
        if (v->rank >= 0 && v->rank != sp->rank)
            return xc_fail(XC_ERR_USAGE, "%s gives '%s' rank %d, but the model says rank %d", what, sp->name, sp->rank, v->rank);
        v->rank = sp->rank;
        for (int k = 0; k < XC_MAX_RANK; k++) {
            free(v->dim_params[k]);
            v->dim_params[k] = NULL;
            v->dims[k] = k < sp->rank ? sp->dims[k] : 0;
            if (k < sp->rank && sp->dim_params[k] && !(v->dim_params[k] = strdup(sp->dim_params[k])))
                return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
    }
    /* an output's dtype may still come from the extracted model's own inference (complete_outputs):
     * the source may not know it downstream of a node it cannot type (a custom op) */
    if (v->dtype == XC_UNDEFINED && !strcmp(what, "--inputs")) return untyped(sp->name, what);
    return XC_OK;
}

static xc_status new_values(const xc_model *src, const xc_graph *w, const xc_io_spec *sp, int n, const char *what,
                            xc_value_info **out)
{
    *out = calloc(n + 1, sizeof **out);
    if (!*out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        xc_status s = io_type(src, w, &sp[i], what, &(*out)[i]);
        if (s != XC_OK) {
            for (int j = 0; j <= i; j++) xc_value_info_clear(&(*out)[j]);
            free(*out);
            *out = NULL;
            return s;
        }
    }
    return XC_OK;
}

static void replace_values(xc_value_info **vals, int *count, xc_value_info *with, int n)
{
    for (int i = 0; i < *count; i++) xc_value_info_clear(&(*vals)[i]);
    free(*vals);
    *vals = with;
    *count = n;
}

/* A kept node may also produce a given input (another of its outputs is needed): that output
 * is renamed, since the graph input now defines the name. Value infos of the new inputs and
 * outputs are dropped: the graph's own declarations replace them. */
static xc_status rewire(xc_graph *g, const xc_names *given, const xc_io_spec *outs, int n_out)
{
    xc_names prod;
    XC_TRY(sg_producers(g, &prod));
    xc_status s = XC_OK;
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++)
        for (int o = 0; o < g->nodes[k].n_outputs && s == XC_OK; o++) {
            char **name = &g->nodes[k].outputs[o];
            if (!(*name)[0] || xc_names_get(given, *name) < 0) continue;
            char base[512];
            snprintf(base, sizeof base, "%s_unused", *name);
            char *fresh = sg_fresh_name(g, &prod, base);
            if (!fresh)
                s = xc_fail(XC_ERR_NOMEM, "out of memory");
            else
                free(*name), *name = fresh;
        }
    xc_names_free(&prod);
    int w = 0;
    for (int i = 0; i < g->n_value_info; i++) {
        int drop = xc_names_get(given, g->value_info[i].name) >= 0;
        for (int j = 0; j < n_out; j++) drop |= !strcmp(outs[j].name, g->value_info[i].name);
        if (drop)
            xc_value_info_clear(&g->value_info[i]);
        else
            g->value_info[w++] = g->value_info[i];
    }
    g->n_value_info = w;
    return s;
}

static xc_status check_names(walk_state *w, const xc_io_spec *sp, int n, const char *what)
{
    for (int i = 0; i < n; i++) {
        XC_TRY(sg_require_value(&w->prod, sp[i].name, what));
        for (int j = 0; j < i; j++)
            if (!strcmp(sp[i].name, sp[j].name)) return xc_fail(XC_ERR_USAGE, "%s lists '%s' twice", what, sp[i].name);
    }
    return XC_OK;
}

/* The source model's inference may not know an output's dims (symbolic or data-dependent
 * there); the extracted model's own inference, from its concrete inputs, often does. A graph
 * output without them is rejected by onnx.checker's full check and hides the shape from the
 * user, so every dim it leaves unknown is filled from that inference. */
static void complete_outputs(xc_model *w)
{
    for (int o = 0; w->types && o < w->graph->n_outputs; o++) {
        xc_value_info *v = &w->graph->outputs[o];
        const xc_type_shape *t = xc_graph_type(w->types, v->name);
        if (!t || t->rank < 0) continue;
        if (v->dtype == XC_UNDEFINED) v->dtype = t->dtype;
        if (v->rank < 0) {
            v->rank = t->rank;
            for (int k = 0; k < t->rank; k++) v->dims[k] = -1;
        }
        if (v->rank != t->rank) continue;
        for (int k = 0; k < v->rank; k++)
            if (v->dims[k] < 0 && !v->dim_params[k] && t->dims[k] >= 0) v->dims[k] = t->dims[k];
    }
}

static xc_status build(const xc_model *m, walk_state *ws, const xc_io_spec *inputs, int n_in, const xc_io_spec *outputs,
                       int n_out, xc_model **out)
{
    xc_model *w;
    XC_TRY(sg_clone(m, ws->keep_nodes, ws->keep_inits, &w));
    xc_value_info *ins = NULL, *outs = NULL;
    xc_status s = new_values(m, w->graph, inputs, n_in, "--inputs", &ins);
    if (s == XC_OK) s = new_values(m, w->graph, outputs, n_out, "--outputs", &outs);
    if (s == XC_OK) {
        replace_values(&w->graph->inputs, &w->graph->n_inputs, ins, n_in);
        replace_values(&w->graph->outputs, &w->graph->n_outputs, outs, n_out);
        ins = outs = NULL;
        s = rewire(w->graph, &ws->given, outputs, n_out);
    }
    if (s == XC_OK) s = sg_cleanup(w, 0, NULL); /* value infos of values no longer in the graph */
    if (ins) replace_values(&ins, &n_in, NULL, 0);
    if (s != XC_OK) {
        xc_model_free(w);
        return xc_error_prefix(s, "extract: ");
    }
    XC_TRY(sg_finish(w, "extract: ", out));
    complete_outputs(*out);
    for (int o = 0; o < (*out)->graph->n_outputs; o++) {
        if ((*out)->graph->outputs[o].dtype != XC_UNDEFINED) continue;
        s = xc_error_prefix(untyped((*out)->graph->outputs[o].name, "--outputs"), "extract: ");
        xc_model_free(*out);
        *out = NULL;
        return s;
    }
    return XC_OK;
}

xc_status xc_surgeon_extract(const xc_model *m, const xc_io_spec *inputs, int n_in, const xc_io_spec *outputs, int n_out,
                             xc_model **out)
{
    *out = NULL;
    if (n_out <= 0) return xc_fail(XC_ERR_USAGE, "extract: give at least one output");
    const xc_graph *g = m->graph;
    walk_state w = {.g = g};
    size_t cap = (size_t)g->n_nodes * 2 + g->n_initializers + 16;
    xc_status s = sg_producers(g, &w.prod);
    if (s != XC_OK) return s;
    int have_names = xc_names_init(&w.given, cap) == XC_OK;
    have_names += xc_names_init(&w.seen, cap) == XC_OK;
    have_names += xc_names_init(&w.init_index, cap) == XC_OK;
    w.keep_nodes = calloc(g->n_nodes + 1, 1);
    w.keep_inits = calloc(g->n_initializers + 1, 1);
    if (have_names < 3 || !w.keep_nodes || !w.keep_inits) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < g->n_initializers && s == XC_OK; i++) s = xc_names_put(&w.init_index, g->initializers[i]->name, i);
    if (s == XC_OK) s = check_names(&w, inputs, n_in, "--inputs");
    if (s == XC_OK) s = check_names(&w, outputs, n_out, "--outputs");
    for (int i = 0; i < n_in && s == XC_OK; i++) s = xc_names_put(&w.given, inputs[i].name, i);
    for (int i = 0; i < n_out && s == XC_OK; i++) s = push(&w, outputs[i].name, -1);
    if (s == XC_OK) s = walk_back(&w);
    if (s != XC_OK && s != XC_ERR_NOMEM) xc_error_prefix(s, "extract: ");
    if (s == XC_OK) s = build(m, &w, inputs, n_in, outputs, n_out, out);
    xc_names_free(&w.prod);
    xc_names_free(&w.given);
    xc_names_free(&w.seen);
    xc_names_free(&w.init_index);
    free(w.keep_nodes);
    free(w.keep_inits);
    free(w.stack);
    return s;
}

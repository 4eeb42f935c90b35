/* insert.c — `surgeon insert`: one new node in place of the subgraph between two sets of
 * tensors, and `surgeon prune-outputs`.
 *
 * The new node takes over the output names, so every reader downstream now reads it; the old
 * producers keep running only if something else still reads one of their other outputs (their
 * replaced outputs get fresh, unread names). A tensor listed in both --inputs and --outputs
 * (an insertion in place, as Polygraphy allows) is read under its fresh name: the new node sits
 * between the old producer and its readers. Cleanup then drops whatever became dead. A node
 * whose input is otherwise computed from its own output is a cycle: validation reports it. */
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Renames the producer's output `name` to a fresh name, returned in *fresh_out (borrowed). */
static xc_status disconnect(xc_graph *g, const xc_names *prod, const char *name, const char **fresh_out)
{
    int k = xc_names_get(prod, name);
    if (k < 0)
        return xc_fail(XC_ERR_USAGE, "--outputs tensor '%s' is a graph %s, not computed by a node: nothing to replace", name,
                       k == SG_INIT ? "initializer" : "input");
    xc_node *n = &g->nodes[k];
    for (int o = 0; o < n->n_outputs; o++) {
        if (strcmp(n->outputs[o], name)) continue;
        char *base = xc_strprintf("%s_replaced", name);
        char *fresh = base ? sg_fresh_name(g, prod, base) : NULL;
        free(base);
        if (!fresh) return xc_fail(XC_ERR_NOMEM, "out of memory");
        free(n->outputs[o]);
        n->outputs[o] = fresh;
        *fresh_out = fresh;
    }
    return XC_OK;
}

static char **dup_names(const char *const *names, int n)
{
    char **out = calloc(n + 1, sizeof *out);
    for (int i = 0; out && i < n; i++)
        if (!(out[i] = strdup(names[i]))) {
            for (int j = 0; j < i; j++) free(out[j]);
            free(out);
            return NULL;
        }
    return out;
}

static xc_status new_node(const xc_graph *g, const xc_names *prod, const char *const *inputs, int n_in,
                          const char *const *outputs, int n_out, const char *op_type, const char *name, const xc_attr *attrs,
                          int n_attrs, xc_node *n)
{
    memset(n, 0, sizeof *n);
    char *base = xc_strprintf("surgeon_%s", op_type);
    n->name = name ? strdup(name) : base ? sg_fresh_name(g, prod, base) : NULL;
    free(base);
    n->op_type = strdup(op_type);
    n->domain = strdup("");
    n->inputs = dup_names(inputs, n_in);
    n->outputs = dup_names(outputs, n_out);
    n->attrs = calloc(n_attrs + 1, sizeof *n->attrs);
    n->n_inputs = n->inputs ? n_in : 0; /* counts first, so xc_node_clear frees a partial node */
    n->n_outputs = n->outputs ? n_out : 0;
    if (!n->name || !n->op_type || !n->domain || !n->inputs || !n->outputs || !n->attrs)
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (; n->n_attrs < n_attrs; n->n_attrs++) XC_TRY(sg_copy_attr(&attrs[n->n_attrs], &n->attrs[n->n_attrs]));
    return XC_OK;
}

static xc_status check_args(const xc_graph *g, const xc_names *prod, const char *const *inputs, int n_in,
                            const char *const *outputs, int n_out, const char *op_type, const char *name)
{
    if (n_out <= 0) return xc_fail(XC_ERR_USAGE, "give at least one output");
    if (!op_type || !op_type[0]) return xc_fail(XC_ERR_USAGE, "give the op type (--op)");
    if (!xc_onnx_op_known(op_type)) return xc_fail(XC_ERR_USAGE, "unknown op type '%s' (not an ONNX operator)", op_type);
    for (int i = 0; i < n_in; i++)
        if (inputs[i][0]) XC_TRY(sg_require_value(prod, inputs[i], "--inputs"));
    for (int i = 0; i < n_out; i++) {
        XC_TRY(sg_require_value(prod, outputs[i], "--outputs"));
        for (int j = 0; j < i; j++)
            if (!strcmp(outputs[i], outputs[j])) return xc_fail(XC_ERR_USAGE, "--outputs lists '%s' twice", outputs[i]);
    }
    for (int k = 0; name && k < g->n_nodes; k++)
        if (!strcmp(g->nodes[k].name, name)) return xc_fail(XC_ERR_USAGE, "a node named '%s' already exists", name);
    return XC_OK;
}

xc_status xc_surgeon_insert(const xc_model *m, const char *const *inputs, int n_in, const char *const *outputs, int n_out,
                            const char *op_type, const char *name, const xc_attr *attrs, int n_attrs, xc_model **out)
{
    *out = NULL;
    xc_names prod;
    XC_TRY(sg_producers(m->graph, &prod));
    xc_status s = check_args(m->graph, &prod, inputs, n_in, outputs, n_out, op_type, name);
    xc_names_free(&prod);
    if (s != XC_OK) return xc_error_prefix(s, "insert: ");
    xc_model *w;
    XC_TRY(sg_clone(m, NULL, NULL, &w));
    xc_graph *g = w->graph;
    s = sg_producers(g, &prod);
    if (s != XC_OK) {
        xc_model_free(w);
        return s;
    }
    const char **fresh = calloc((size_t)n_out + 1, sizeof *fresh), **reads = calloc((size_t)n_in + 1, sizeof *reads);
    if (!fresh || !reads) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n_out && s == XC_OK; i++) s = disconnect(g, &prod, outputs[i], &fresh[i]);
    for (int i = 0; i < n_in && s == XC_OK; i++) { /* in place: read the old producer's value */
        reads[i] = inputs[i];
        for (int o = 0; o < n_out; o++)
            if (!strcmp(inputs[i], outputs[o])) reads[i] = fresh[o];
    }
    xc_node n;
    if (s == XC_OK) {
        s = new_node(g, &prod, reads, n_in, outputs, n_out, op_type, name, attrs, n_attrs, &n);
        if (s == XC_OK) s = sg_append_node(g, &n);
        if (s != XC_OK) xc_node_clear(&n);
    }
    xc_names_free(&prod);
    free(fresh);
    free(reads);
    if (s == XC_OK) s = sg_cleanup(w, 0, NULL);
    if (s != XC_OK) {
        xc_model_free(w);
        return xc_error_prefix(s, "insert: ");
    }
    return sg_finish(w, "insert: ", out);
}

xc_status xc_surgeon_prune_outputs(const xc_model *m, const char *const *names, int n, int keep, xc_model **out)
{
    *out = NULL;
    const xc_graph *src = m->graph;
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int o = 0; o < src->n_outputs; o++) found |= !strcmp(src->outputs[o].name, names[i]);
        if (!found)
            return xc_fail(XC_ERR_USAGE, "prune-outputs: %s names '%s', which is not a graph output", keep ? "--keep" : "--drop",
                           names[i]);
    }
    xc_model *w;
    XC_TRY(sg_clone(m, NULL, NULL, &w));
    xc_graph *g = w->graph;
    int kept = 0;
    for (int o = 0; o < g->n_outputs; o++) {
        int listed = 0;
        for (int i = 0; i < n; i++) listed |= !strcmp(g->outputs[o].name, names[i]);
        if (listed == keep)
            g->outputs[kept++] = g->outputs[o];
        else
            xc_value_info_clear(&g->outputs[o]);
    }
    g->n_outputs = kept;
    xc_status s = kept ? sg_cleanup(w, 0, NULL) : xc_fail(XC_ERR_USAGE, "prune-outputs: no graph output would remain");
    if (s != XC_OK) {
        xc_model_free(w);
        return s == XC_ERR_USAGE ? s : xc_error_prefix(s, "prune-outputs: ");
    }
    return sg_finish(w, "prune-outputs: ", out);
}

/* infer_graph.c — type and shape inference over a whole graph, node by node in topological
 * order, using each operator's schema. Nodes that cannot run (no schema, unsupported dtype) are
 * recorded with the reason; their outputs stay unknown and inference goes on past them. */
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xc_node_infer with the types of the graphs around n (subgraph captures); scope may be NULL. */
static xc_status node_infer_in(const xc_node *n, const xc_type_shape *in, int n_in, xc_type_shape *out, int n_out,
                               const xc_type_scope *scope)
{
    char lb[256];
    for (int o = 0; o < n_out; o++) {
        out[o].dtype = XC_UNDEFINED;
        out[o].rank = -1;
        out[o].value = NULL;
    }
    if (!n->schema) {
        if (n->domain[0])
            return xc_fail(XC_ERR_UNSUPPORTED,
                           "%s: domain '%s' is not supported (no plugin loaded with --plugins registers %s at opset %d)",
                           xc_node_label(n, lb, sizeof lb), n->domain, n->op_type, n->opset);
        int older = 0;
        xc_schema_find(n->op_type, n->opset, &older);
        if (older)
            return xc_fail(XC_ERR_UNSUPPORTED, "%s: %s is supported only in newer opsets than %d",
                           xc_node_label(n, lb, sizeof lb), n->op_type, n->opset);
        return xc_fail(XC_ERR_UNSUPPORTED, "%s: operator %s is not supported", xc_node_label(n, lb, sizeof lb), n->op_type);
    }
    for (int i = 0; i < n_in; i++)
        if (in[i].present && in[i].kind != XC_VALUE_TENSOR && !xc_op_takes_containers(n->op_type))
            return xc_fail(XC_ERR_MODEL, "%s: input '%s' is a %s, but %s takes tensors", xc_node_label(n, lb, sizeof lb),
                           n->inputs[i], xc_value_kind_name(in[i].kind), n->op_type);
    for (int i = 0; i < n_in; i++)
        if (in[i].present && in[i].dtype != XC_UNDEFINED && !xc_dtype_supported(in[i].dtype)
            && !(in[i].dtype == XC_STRING && xc_op_takes_strings(n->op_type)))
            return xc_fail(XC_ERR_UNSUPPORTED, "%s: input '%s' has dtype %s, which crosscheck does not support",
                           xc_node_label(n, lb, sizeof lb), n->inputs[i], xc_dtype_name(in[i].dtype));
    xc_infer_ctx c = {n, n->opset, n_in, n_out, in, out, scope};
    XC_TRY(n->schema->infer(&c));
    for (int o = 0; o < n_out; o++)
        if (out[o].present && out[o].dtype != XC_UNDEFINED && !xc_dtype_supported(out[o].dtype)
            && !(out[o].dtype == XC_STRING && xc_op_takes_strings(n->op_type)))
            return xc_fail(XC_ERR_UNSUPPORTED, "%s: output '%s' would have dtype %s, which crosscheck does not support",
                           xc_node_label(n, lb, sizeof lb), n->outputs[o], xc_dtype_name(out[o].dtype));
    return XC_OK;
}

xc_status xc_node_infer(const xc_node *n, const xc_type_shape *in, int n_in, xc_type_shape *out, int n_out)
{
    return node_infer_in(n, in, n_in, out, n_out, NULL);
}

void xc_graph_types_free(xc_graph_types *t)
{
    if (!t) return;
    xc_names_free(&t->index);
    free(t->types);
    free(t->names);
    for (int i = 0; i < t->n_owned; i++) xc_tensor_free(t->owned[i]);
    free(t->owned);
    for (int i = 0; t->node_unsupported && i < t->n_nodes; i++) free(t->node_unsupported[i]);
    free(t->node_unsupported);
    for (int i = 0; i < t->n_subs; i++) xc_graph_types_free(t->subs[i].types);
    free(t->subs);
    free(t);
}

const xc_graph_types *xc_subgraph_types_of(const xc_graph_types *t, const xc_graph *g)
{
    for (int i = 0; t && i < t->n_subs; i++)
        if (t->subs[i].g == g) return t->subs[i].types;
    return NULL;
}

/* Keeps sub (the types of subgraph g) with parent, the types of the graph holding g's node,
 * which infer() is still building; a later inference of g replaces an earlier one. Takes sub. */
static void keep_subgraph_types(xc_graph_types *parent, const xc_graph *g, xc_graph_types *sub)
{
    for (int i = 0; i < parent->n_subs; i++)
        if (parent->subs[i].g == g) {
            xc_graph_types_free(parent->subs[i].types);
            parent->subs[i].types = sub;
            return;
        }
    xc_subgraph_types *v = realloc(parent->subs, sizeof *v * (size_t)(parent->n_subs + 1));
    if (!v) { /* only inspection reads them: lose this one rather than fail inference */
        xc_graph_types_free(sub);
        return;
    }
    parent->subs = v;
    v[parent->n_subs++] = (xc_subgraph_types){g, sub};
}

const xc_type_shape *xc_graph_type(const xc_graph_types *t, const char *name)
{
    int slot = xc_names_get(&t->index, name);
    return slot < 0 ? NULL : &t->types[slot];
}

/* A value of the graph whose types are t, or of a graph around it. */
static const xc_type_shape *scoped_type(const xc_graph_types *t, const xc_type_scope *outer, const char *name)
{
    const xc_type_shape *ts = xc_graph_type(t, name);
    for (; !ts && outer; outer = outer->parent) ts = xc_graph_type(outer->types, name);
    return ts;
}

static int add_slot(xc_graph_types *t, const char *name)
{
    int slot = xc_names_get(&t->index, name);
    if (slot >= 0) return slot;
    slot = t->n_values++;
    t->names[slot] = name;
    t->types[slot].rank = -1;
    if (xc_names_put(&t->index, name, slot) != XC_OK) return -1;
    return slot;
}

static void from_value_info(xc_type_shape *ts, const xc_value_info *v)
{
    ts->present = 1;
    ts->dtype = v->dtype;
    ts->kind = v->value;
    ts->rank = v->rank;
    for (int k = 0; k < v->rank; k++) ts->dims[k] = v->dims[k];
}

/* bind (n_bind, may be NULL): types given to g's inputs in order, for subgraphs; outer: the
 * types of the graphs around g (NULL for the model's graph). */
static xc_status infer(const xc_graph *g, const xc_input_shape *ov, int n_ov, const xc_issue_sink *sink, const int *bad,
                       const xc_type_shape *bind, int n_bind, const xc_type_scope *outer, xc_graph_types **out)
{
    size_t cap = (size_t)g->n_inputs + g->n_initializers + 1;
    int max_io = 1;
    for (int k = 0; k < g->n_nodes; k++) {
        cap += g->nodes[k].n_outputs;
        if (g->nodes[k].n_inputs > max_io) max_io = g->nodes[k].n_inputs;
        if (g->nodes[k].n_outputs > max_io) max_io = g->nodes[k].n_outputs;
    }
    xc_graph_types *t = calloc(1, sizeof *t);
    xc_type_shape *in = calloc(max_io, sizeof *in), *res = calloc(max_io, sizeof *res);
    if (!t || !in || !res) {
        free(t);
        free(in);
        free(res);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    xc_status s = xc_names_init(&t->index, cap);
    t->types = calloc(cap, sizeof *t->types);
    t->names = calloc(cap, sizeof *t->names);
    t->node_unsupported = calloc(g->n_nodes ? g->n_nodes : 1, sizeof(char *));
    t->n_nodes = g->n_nodes;
    if (s != XC_OK || !t->types || !t->names || !t->node_unsupported) {
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < g->n_initializers; i++) {
        const xc_tensor *x = g->initializers[i];
        xc_type_shape *ts = &t->types[add_slot(t, x->name)];
        ts->present = 1;
        ts->dtype = x->dtype;
        ts->rank = x->rank;
        memcpy(ts->dims, x->dims, sizeof ts->dims);
        ts->value = x;
    }
    for (int i = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        xc_type_shape *ts = &t->types[add_slot(t, g->inputs[i].name)];
        from_value_info(ts, &g->inputs[i]);
        if (i < n_bind && bind[i].present && bind[i].dtype != XC_UNDEFINED) {
            ts->dtype = bind[i].dtype;
            ts->kind = bind[i].kind;
            ts->rank = bind[i].rank;
            memcpy(ts->dims, bind[i].dims, sizeof ts->dims);
        }
        for (int k = 0; k < n_ov; k++) {
            if (strcmp(ov[k].name, g->inputs[i].name)) continue;
            ts->rank = ov[k].rank;
            memcpy(ts->dims, ov[k].dims, sizeof ts->dims);
        }
    }
    for (int k = 0; k < n_ov; k++)
        if (xc_names_get(&t->index, ov[k].name) < 0) {
            s = xc_fail(XC_ERR_USAGE, "--input-shapes names '%s', which is not a graph input", ov[k].name);
            goto fail;
        }
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        int unknown_input = 0;
        for (int i = 0; i < n->n_inputs; i++) {
            memset(&in[i], 0, sizeof in[i]);
            in[i].rank = -1;
            if (!n->inputs[i][0]) continue;
            const xc_type_shape *src = scoped_type(t, outer, n->inputs[i]);
            if (src) in[i] = *src;
            in[i].present = 1;
            if (!src || src->dtype == XC_UNDEFINED) unknown_input = 1;
        }
        for (int o = 0; o < n->n_outputs; o++) {
            memset(&res[o], 0, sizeof res[o]);
            res[o].present = n->outputs[o][0] != 0;
        }
        xc_status ns = XC_OK;
        /* A Constant's value is known at load time (it lives in the node's attribute). */
        const xc_attr *constant = !strcmp(n->op_type, "Constant") && !n->domain[0] ? xc_node_attr(n, "value") : NULL;
        if (constant && constant->type != XC_ATTR_TENSOR) constant = NULL;
        if ((unknown_input && n->schema) || (bad && bad[k])) {
            /* an upstream node could not be typed: stay unknown rather than guess */
            for (int o = 0; o < n->n_outputs; o++) res[o].rank = -1;
        } else {
            xc_type_scope here = {outer, t};
            ns = node_infer_in(n, in, n->n_inputs, res, n->n_outputs, &here);
        }
        if (ns == XC_ERR_UNSUPPORTED) {
            t->node_unsupported[k] = strdup(xc_error_message());
            for (int o = 0; o < n->n_outputs; o++) {
                /* a type the model declares for it (value_info), as ONNX's inference takes it for ops
                 * it does not know: what follows a custom op stays typed */
                const xc_value_info *d = n->outputs[o][0] ? xc_graph_declared(g, n->outputs[o]) : NULL;
                int typed = d && d->value == XC_VALUE_TENSOR && d->dtype != XC_UNDEFINED;
                res[o].dtype = typed ? d->dtype : XC_UNDEFINED;
                res[o].rank = typed ? d->rank : -1;
                for (int r = 0; typed && r < d->rank; r++) res[o].dims[r] = d->dim_params[r] ? -1 : d->dims[r];
            }
        } else if (ns != XC_OK && sink) {
            if ((s = sink->report(sink->user, ns, "inference", n, NULL)) != XC_OK) goto fail;
            for (int o = 0; o < n->n_outputs; o++) {
                res[o].dtype = XC_UNDEFINED;
                res[o].rank = -1;
            }
        } else if (ns != XC_OK) {
            s = ns;
            goto fail;
        }
        for (int o = 0; o < n->n_outputs; o++) {
            if (!n->outputs[o][0]) continue;
            int slot = add_slot(t, n->outputs[o]);
            if (slot < 0) {
                s = xc_fail(XC_ERR_NOMEM, "out of memory");
                goto fail;
            }
            t->types[slot] = res[o];
            t->types[slot].present = 1;
            t->types[slot].value = constant && ns == XC_OK ? constant->t : NULL;
        }
    }
    for (int i = 0; i < g->n_outputs; i++) { /* a declared output dtype is a promise to every reader */
        const xc_type_shape *got = xc_graph_type(t, g->outputs[i].name);
        xc_dtype want = g->outputs[i].dtype;
        if (got && want != XC_UNDEFINED && got->dtype != XC_UNDEFINED && got->dtype != want) {
            s = xc_fail(XC_ERR_MODEL, "graph output '%s' is declared %s but computes %s", g->outputs[i].name, xc_dtype_name(want),
                        xc_dtype_name(got->dtype));
            goto fail;
        }
    }
    free(in);
    free(res);
    *out = t;
    return XC_OK;
fail:
    free(in);
    free(res);
    xc_graph_types_free(t);
    return s;
}

xc_status xc_graph_infer(const xc_graph *g, const xc_input_shape *ov, int n_ov, xc_graph_types **out)
{
    return infer(g, ov, n_ov, NULL, NULL, NULL, 0, NULL, out);
}

xc_status xc_graph_infer_checked(const xc_graph *g, const xc_issue_sink *sink, const int *bad, xc_graph_types **out)
{
    return infer(g, NULL, 0, sink, bad, NULL, 0, NULL, out);
}

xc_status xc_infer_subgraph(const xc_infer_ctx *c, const xc_graph *g, const xc_type_shape *in, int n_in, xc_type_shape *out,
                            int n_out)
{
    char lb[256];
    const char *attr = "subgraph";
    for (int a = 0; a < c->node->n_attrs; a++) {
        const xc_attr *at = &c->node->attrs[a];
        if (at->g == g) attr = at->name;
        for (size_t j = 0; at->graphs && j < at->n; j++)
            if (at->graphs[j] == g) attr = at->name;
    }
    xc_graph_types *t = NULL;
    xc_status s = infer(g, NULL, 0, NULL, NULL, in, in ? n_in : 0, c->scope, &t);
    for (int k = 0; s == XC_OK && k < t->n_nodes; k++)
        if (t->node_unsupported[k]) s = xc_fail(XC_ERR_UNSUPPORTED, "%s", t->node_unsupported[k]);
    for (int o = 0; s == XC_OK && o < n_out; o++) {
        const xc_value_info *decl = o < g->n_outputs ? &g->outputs[o] : NULL;
        const xc_type_shape *got = decl ? scoped_type(t, c->scope, decl->name) : NULL;
        int present = out[o].present;
        memset(&out[o], 0, sizeof out[o]);
        out[o].present = present;
        out[o].rank = -1;
        if (got) {
            out[o].dtype = got->dtype;
            out[o].kind = got->kind;
            out[o].rank = got->rank;
            memcpy(out[o].dims, got->dims, sizeof out[o].dims);
        }
        if (decl && out[o].dtype == XC_UNDEFINED) out[o].dtype = decl->dtype;
        if (decl && out[o].kind == XC_VALUE_TENSOR) out[o].kind = decl->value;
        if (decl && out[o].rank < 0 && decl->rank >= 0) {
            out[o].rank = decl->rank;
            memcpy(out[o].dims, decl->dims, sizeof out[o].dims);
        }
    }
    /* at load time the scope's innermost types are the ones infer() is building (a run-time
     * inference has no scope): inspection shows what was learnt inside the subgraph */
    if (s == XC_OK && c->scope && c->scope->types)
        keep_subgraph_types((xc_graph_types *)c->scope->types, g, t);
    else
        xc_graph_types_free(t);
    if (s != XC_OK && s != XC_ERR_NOMEM) s = xc_error_prefix(s, "%s %s: ", xc_node_label(c->node, lb, sizeof lb), attr);
    return s;
}

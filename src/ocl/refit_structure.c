/* refit_structure.c — whether two models have the same structure, so that the weights of one
 * may replace the other's in a built engine (refit.c): the same inputs and outputs, the same
 * nodes in the same order (names, ops, domains, wiring, attributes) and the same initializers
 * (names, dtypes, shapes). Only values may differ: initializers' and tensor attributes' (a
 * Constant node holds weights as an initializer does). The first difference fails in one line
 * naming the node, initializer or value. */
#include "ocl/refit.h"
#include "graph.h"
#include "dtype.h"
#include <stdio.h>
#include <string.h>

static int same_dims(int ra, const int64_t *a, int rb, const int64_t *b)
{
    return ra == rb && (ra <= 0 || !memcmp(a, b, sizeof *a * (size_t)ra));
}

static int same_tensor_type(const xc_tensor *a, const xc_tensor *b)
{
    return a->dtype == b->dtype && a->value == b->value && same_dims(a->rank, a->dims, b->rank, b->dims);
}

static xc_status same_values(const char *what, int na, const xc_value_info *a, int nb, const xc_value_info *b)
{
    if (na != nb) return xc_fail(XC_ERR_MODEL, "the graph has %d %s, the plan's model %d", nb, what, na);
    for (int i = 0; i < na; i++) {
        if (strcmp(a[i].name, b[i].name))
            return xc_fail(XC_ERR_MODEL, "graph %s %d is '%s', the plan's model has '%s'", what, i, b[i].name, a[i].name);
        if (a[i].value != b[i].value || a[i].dtype != b[i].dtype || !same_dims(a[i].rank, a[i].dims, b[i].rank, b[i].dims))
            return xc_fail(XC_ERR_MODEL, "graph %s '%s': its type or shape differs from the plan's model", what, a[i].name);
    }
    return XC_OK;
}

static xc_status same_graph(const xc_graph *a, const xc_graph *b, const char *where);

static xc_status same_attr(const xc_attr *a, const xc_attr *b, const char *node)
{
    const char *why = NULL;
    if (strcmp(a->name, b->name) || a->type != b->type)
        why = "differs in name or type";
    else if (a->n != b->n)
        why = "has another length";
    else if ((a->ref_attr_name == NULL) != (b->ref_attr_name == NULL)
             || (a->ref_attr_name && strcmp(a->ref_attr_name, b->ref_attr_name)))
        why = "refers to another attribute";
    if (why) return xc_fail(XC_ERR_MODEL, "node '%s': attribute '%s' %s", node, a->name, why);
    int same = 1;
    switch (a->type) {
    case XC_ATTR_FLOAT: same = !memcmp(&a->f, &b->f, sizeof a->f); break;
    case XC_ATTR_INT: same = a->i == b->i; break;
    case XC_ATTR_STRING: same = a->s_len == b->s_len && !memcmp(a->s, b->s, a->s_len); break;
    case XC_ATTR_TENSOR: same = !a->t == !b->t && (!a->t || same_tensor_type(a->t, b->t)); break;
    case XC_ATTR_FLOATS: same = !a->n || !memcmp(a->floats, b->floats, sizeof *a->floats * a->n); break;
    case XC_ATTR_INTS: same = !a->n || !memcmp(a->ints, b->ints, sizeof *a->ints * a->n); break;
    case XC_ATTR_STRINGS:
        for (size_t k = 0; k < a->n && same; k++)
            same = a->string_lens[k] == b->string_lens[k] && !memcmp(a->strings[k], b->strings[k], a->string_lens[k]);
        break;
    case XC_ATTR_TENSORS:
        for (size_t k = 0; k < a->n && same; k++) same = same_tensor_type(a->tensors[k], b->tensors[k]);
        break;
    case XC_ATTR_GRAPH: {
        char where[512];
        snprintf(where, sizeof where, "node '%s' attribute '%s'", node, a->name);
        return same_graph(a->g, b->g, where);
    }
    case XC_ATTR_GRAPHS:
        for (size_t k = 0; k < a->n; k++) {
            char where[512];
            snprintf(where, sizeof where, "node '%s' attribute '%s'[%zu]", node, a->name, k);
            XC_TRY(same_graph(a->graphs[k], b->graphs[k], where));
        }
        break;
    default: break; /* sparse tensors and type protos: their type was compared above */
    }
    if (!same) return xc_fail(XC_ERR_MODEL, "node '%s': attribute '%s' has another value", node, a->name);
    return XC_OK;
}

static xc_status same_node(const xc_node *a, const xc_node *b, int k)
{
    char la[256];
    xc_node_label(a, la, sizeof la);
    if (strcmp(a->name, b->name) || strcmp(a->op_type, b->op_type) || strcmp(a->domain, b->domain))
        return xc_fail(XC_ERR_MODEL, "node %d is '%s' (%s), the plan's model has %s", k, b->name[0] ? b->name : b->outputs[0],
                       b->op_type, la);
    if (a->n_inputs != b->n_inputs || a->n_outputs != b->n_outputs)
        return xc_fail(XC_ERR_MODEL, "node '%s': another number of inputs or outputs", la);
    for (int i = 0; i < a->n_inputs; i++)
        if (strcmp(a->inputs[i], b->inputs[i]))
            return xc_fail(XC_ERR_MODEL, "node '%s': input %d is '%s', was '%s'", la, i, b->inputs[i], a->inputs[i]);
    for (int i = 0; i < a->n_outputs; i++)
        if (strcmp(a->outputs[i], b->outputs[i]))
            return xc_fail(XC_ERR_MODEL, "node '%s': output %d is '%s', was '%s'", la, i, b->outputs[i], a->outputs[i]);
    if (a->n_attrs != b->n_attrs) return xc_fail(XC_ERR_MODEL, "node '%s': another number of attributes", la);
    for (int i = 0; i < a->n_attrs; i++) XC_TRY(same_attr(&a->attrs[i], &b->attrs[i], la));
    return XC_OK;
}

static const xc_tensor *find_initializer(const xc_graph *g, const char *name)
{
    for (int i = 0; i < g->n_initializers; i++)
        if (!strcmp(g->initializers[i]->name, name)) return g->initializers[i];
    return NULL;
}

static xc_status same_initializers(const xc_graph *a, const xc_graph *b)
{
    for (int i = 0; i < a->n_initializers; i++) {
        const xc_tensor *x = a->initializers[i], *y = find_initializer(b, x->name);
        if (!y) return xc_fail(XC_ERR_MODEL, "initializer '%s' is missing", x->name);
        if (!same_tensor_type(x, y)) {
            char sa[128], sb[128];
            xc_dims_str(x->rank, x->dims, sa, sizeof sa);
            xc_dims_str(y->rank, y->dims, sb, sizeof sb);
            return xc_fail(XC_ERR_MODEL, "initializer '%s' is %s%s, the plan's model has %s%s", x->name, xc_dtype_name(y->dtype),
                           sb, xc_dtype_name(x->dtype), sa);
        }
    }
    for (int i = 0; i < b->n_initializers; i++)
        if (!find_initializer(a, b->initializers[i]->name))
            return xc_fail(XC_ERR_MODEL, "initializer '%s' is not in the plan's model", b->initializers[i]->name);
    return XC_OK;
}

static xc_status same_graph_body(const xc_graph *a, const xc_graph *b)
{
    XC_TRY(same_values("inputs", a->n_inputs, a->inputs, b->n_inputs, b->inputs));
    XC_TRY(same_values("outputs", a->n_outputs, a->outputs, b->n_outputs, b->outputs));
    XC_TRY(same_initializers(a, b));
    if (a->n_nodes != b->n_nodes)
        return xc_fail(XC_ERR_MODEL, "the graph has %d nodes, the plan's model %d", b->n_nodes, a->n_nodes);
    for (int k = 0; k < a->n_nodes; k++) XC_TRY(same_node(&a->nodes[k], &b->nodes[k], k));
    return XC_OK;
}

static xc_status same_graph(const xc_graph *a, const xc_graph *b, const char *where)
{
    xc_status s = same_graph_body(a, b);
    return s == XC_OK || !where ? s : xc_error_prefix(s, "%s: ", where);
}

xc_status xc_refit_same_structure(const xc_model *was, const xc_model *now)
{
    xc_status s = same_graph(was->graph, now->graph, NULL);
    if (s != XC_OK)
        return xc_error_prefix(s, "%s: not the structure of the engine's model (refit replaces weights only): ",
                               now->path ? now->path : "the model");
    return XC_OK;
}

/* validate.c — load-time validation: every problem a model can have is found here, before
 * anything runs, and reported in one line naming the node or tensor. */
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xc_graph_find_initializer(const xc_graph *g, const char *name, const xc_tensor **t)
{
    for (int i = 0; i < g->n_initializers; i++)
        if (!strcmp(g->initializers[i]->name, name)) {
            if (t) *t = g->initializers[i];
            return 1;
        }
    return 0;
}

int xc_graph_is_runtime_input(const xc_graph *g, int i)
{
    return !xc_graph_find_initializer(g, g->inputs[i].name, NULL);
}

static xc_status check_opsets(const xc_model *m)
{
    int64_t v = xc_model_opset(m, "");
    if (m->n_opsets == 0) return xc_fail(XC_ERR_MODEL, "model imports no opset");
    if (v > XC_MAX_OPSET)
        return xc_fail(XC_ERR_UNSUPPORTED, "model uses ai.onnx opset %lld, newer than the newest supported (%d)",
                       (long long)v, XC_MAX_OPSET);
    for (int i = 0; i < m->n_opsets; i++)
        if (m->opsets[i].version < 1)
            return xc_fail(XC_ERR_MODEL, "opset import for domain '%s' has invalid version %lld",
                           m->opsets[i].domain, (long long)m->opsets[i].version);
    return XC_OK;
}

/* Every value has exactly one source: a graph input, an initializer or one node output. */
static xc_status check_names(const xc_graph *g, xc_names *producer)
{
    char lb[256];
    for (int i = 0; i < g->n_initializers; i++) {
        if (xc_names_get(producer, g->initializers[i]->name) != -1)
            return xc_fail(XC_ERR_MODEL, "initializer '%s' is defined twice", g->initializers[i]->name);
        XC_TRY(xc_names_put(producer, g->initializers[i]->name, -2));
    }
    for (int i = 0; i < g->n_inputs; i++) {
        const char *n = g->inputs[i].name;
        if (!n[0]) return xc_fail(XC_ERR_MODEL, "graph input #%d has no name", i);
        int prev = xc_names_get(producer, n);
        if (prev == -3) return xc_fail(XC_ERR_MODEL, "graph input '%s' is listed twice", n);
        if (prev == -1) XC_TRY(xc_names_put(producer, n, -3));
    }
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *nd = &g->nodes[k];
        for (int o = 0; o < nd->n_outputs; o++) {
            const char *n = nd->outputs[o];
            if (!n[0]) continue;
            int prev = xc_names_get(producer, n);
            if (prev != -1)
                return xc_fail(XC_ERR_MODEL, "%s: output '%s' is already defined by %s", xc_node_label(nd, lb, sizeof lb), n,
                               prev == -2 ? "an initializer" : prev == -3 ? "a graph input" : "another node");
            XC_TRY(xc_names_put(producer, n, k));
        }
    }
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *nd = &g->nodes[k];
        for (int i = 0; i < nd->n_inputs; i++)
            if (nd->inputs[i][0] && xc_names_get(producer, nd->inputs[i]) == -1)
                return xc_fail(XC_ERR_MODEL, "%s: input '%s' has no producer (not a graph input, initializer or node output)",
                               xc_node_label(nd, lb, sizeof lb), nd->inputs[i]);
    }
    for (int i = 0; i < g->n_outputs; i++) {
        if (!g->outputs[i].name[0]) return xc_fail(XC_ERR_MODEL, "graph output #%d has no name", i);
        if (xc_names_get(producer, g->outputs[i].name) == -1)
            return xc_fail(XC_ERR_MODEL, "graph output '%s' is not produced by any node, input or initializer", g->outputs[i].name);
    }
    return XC_OK;
}

static void heap_push(int *h, int *n, int v)
{
    int i = (*n)++;
    while (i > 0 && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static int heap_pop(int *h, int *n)
{
    int top = h[0], v = h[--*n], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1] < h[c]) c++;
        if (h[c] >= v) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
    return top;
}

/* Kahn's algorithm, stable: nodes already in order keep it. Reports a node on a cycle. */
static xc_status toposort(xc_graph *g, const xc_names *producer)
{
    int n = g->n_nodes;
    int *pending = calloc(n ? n : 1, sizeof(int)), *order = malloc(sizeof(int) * (n ? n : 1));
    int *start = calloc(n + 1, sizeof(int)), *users = NULL, *fill = NULL;
    xc_status s = XC_OK;
    if (!pending || !order || !start) { s = xc_fail(XC_ERR_NOMEM, "out of memory"); goto out; }
    /* consumer lists in CSR form */
    size_t edges = 0;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < g->nodes[k].n_inputs; i++) {
            int p = g->nodes[k].inputs[i][0] ? xc_names_get(producer, g->nodes[k].inputs[i]) : -1;
            if (p >= 0) { start[p + 1]++; pending[k]++; edges++; }
        }
    for (int k = 0; k < n; k++) start[k + 1] += start[k];
    users = malloc(sizeof(int) * (edges ? edges : 1));
    fill = calloc(n ? n : 1, sizeof(int));
    if (!users || !fill) { s = xc_fail(XC_ERR_NOMEM, "out of memory"); goto out; }
    for (int k = 0; k < n; k++)
        for (int i = 0; i < g->nodes[k].n_inputs; i++) {
            int p = g->nodes[k].inputs[i][0] ? xc_names_get(producer, g->nodes[k].inputs[i]) : -1;
            if (p >= 0) users[start[p] + fill[p]++] = k;
        }
    /* ready nodes leave a min-heap by index, so a graph already in order keeps its order */
    int done = 0, heap_n = 0;
    int *heap = fill; /* reuse: fill is no longer needed */
    for (int k = 0; k < n; k++)
        if (pending[k] == 0) heap_push(heap, &heap_n, k);
    while (heap_n) {
        int k = heap_pop(heap, &heap_n);
        order[done++] = k;
        for (int e = start[k]; e < start[k + 1]; e++)
            if (--pending[users[e]] == 0) heap_push(heap, &heap_n, users[e]);
    }
    if (done < n) {
        for (int k = 0; k < n; k++)
            if (pending[k] > 0) {
                char lb[256];
                s = xc_fail(XC_ERR_MODEL, "graph has a cycle through %s", xc_node_label(&g->nodes[k], lb, sizeof lb));
                break;
            }
        goto out;
    }
    xc_node *sorted = malloc(sizeof(xc_node) * (n ? n : 1));
    if (!sorted) { s = xc_fail(XC_ERR_NOMEM, "out of memory"); goto out; }
    for (int k = 0; k < n; k++) sorted[k] = g->nodes[order[k]];
    free(g->nodes);
    g->nodes = sorted;
out:
    free(pending);
    free(order);
    free(start);
    free(users);
    free(fill);
    return s;
}

static const char *attr_type_name(xc_attr_type t)
{
    static const char *names[] = {"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS",
                                  "STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static xc_status check_node(const xc_model *m, xc_node *nd)
{
    char lb[256];
    const char *dom = nd->domain;
    nd->opset = (int)xc_model_opset(m, dom);
    if (!nd->opset)
        return xc_fail(XC_ERR_MODEL, "%s: domain '%s' is not imported by the model", xc_node_label(nd, lb, sizeof lb), dom);
    if (!nd->op_type[0]) return xc_fail(XC_ERR_MODEL, "%s: node has no op_type", xc_node_label(nd, lb, sizeof lb));
    nd->schema = NULL;
    if (dom[0] && strcmp(dom, "ai.onnx")) return XC_OK; /* other domains: loadable, listed as unsupported */
    if (!xc_onnx_op_known(nd->op_type))
        return xc_fail(XC_ERR_MODEL, "%s: unknown op type '%s' (not an ONNX operator)", xc_node_label(nd, lb, sizeof lb), nd->op_type);
    nd->schema = xc_schema_find(nd->op_type, nd->opset, NULL);
    const xc_op_schema *s = nd->schema;
    if (!s) return XC_OK;
    if (nd->n_inputs < s->min_in || (s->max_in >= 0 && nd->n_inputs > s->max_in))
        return xc_fail(XC_ERR_MODEL, "%s: has %d inputs, expected %d..%d", xc_node_label(nd, lb, sizeof lb), nd->n_inputs,
                       s->min_in, s->max_in);
    if (nd->n_outputs < s->min_out || nd->n_outputs > s->max_out)
        return xc_fail(XC_ERR_MODEL, "%s: has %d outputs, expected %d..%d", xc_node_label(nd, lb, sizeof lb), nd->n_outputs,
                       s->min_out, s->max_out);
    for (int i = 0; i < s->min_in; i++)
        if (!nd->inputs[i][0])
            return xc_fail(XC_ERR_MODEL, "%s: required input %d is empty", xc_node_label(nd, lb, sizeof lb), i);
    for (int a = 0; a < nd->n_attrs; a++) {
        const xc_attr *at = &nd->attrs[a];
        const xc_attr_spec *sp = NULL;
        for (const xc_attr_spec *p = s->attrs; p && p->name; p++)
            if (!strcmp(p->name, at->name)) sp = p;
        for (int b = 0; b < a; b++)
            if (!strcmp(nd->attrs[b].name, at->name))
                return xc_fail(XC_ERR_MODEL, "%s: attribute '%s' is given twice", xc_node_label(nd, lb, sizeof lb), at->name);
        if (!sp)
            return xc_fail(XC_ERR_MODEL, "%s: unknown attribute '%s' for %s-%d", xc_node_label(nd, lb, sizeof lb), at->name,
                           nd->op_type, s->since);
        if (at->ref_attr_name) continue; /* only inside functions */
        if (sp->type != at->type)
            return xc_fail(XC_ERR_MODEL, "%s: attribute '%s' has type %s, expected %s", xc_node_label(nd, lb, sizeof lb),
                           at->name, attr_type_name(at->type), attr_type_name(sp->type));
    }
    for (const xc_attr_spec *p = s->attrs; p && p->name; p++)
        if (p->required && !xc_node_attr(nd, p->name))
            return xc_fail(XC_ERR_MODEL, "%s: required attribute '%s' is missing", xc_node_label(nd, lb, sizeof lb), p->name);
    return XC_OK;
}

xc_status xc_model_validate(xc_model *m)
{
    xc_graph *g = m->graph;
    XC_TRY(check_opsets(m));
    xc_names producer;
    XC_TRY(xc_names_init(&producer, (size_t)g->n_nodes * 2 + g->n_initializers + g->n_inputs));
    xc_status s = check_names(g, &producer);
    if (s == XC_OK) s = toposort(g, &producer);
    xc_names_free(&producer);
    XC_TRY(s);
    for (int k = 0; k < g->n_nodes; k++) XC_TRY(check_node(m, &g->nodes[k]));
    xc_graph_types_free(m->types);
    m->types = NULL;
    return xc_graph_infer(g, NULL, 0, &m->types);
}

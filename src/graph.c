/* graph.c — freeing models and graphs; attribute lookup helpers; subgraph captures. */
#include "graph.h"
#include "names.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <protobuf-c/protobuf-c.h>

void xc_attr_clear(xc_attr *a)
{
    free(a->name);
    free(a->s);
    xc_tensor_free(a->t);
    xc_graph_free(a->g);
    free(a->floats);
    free(a->ints);
    for (size_t i = 0; a->strings && i < a->n; i++) free(a->strings[i]);
    free(a->strings);
    free(a->string_lens);
    for (size_t i = 0; a->tensors && i < a->n; i++) xc_tensor_free(a->tensors[i]);
    free(a->tensors);
    for (size_t i = 0; a->graphs && i < a->n; i++) xc_graph_free(a->graphs[i]);
    free(a->graphs);
    if (a->type_proto) xc_value_info_clear(a->type_proto);
    free(a->type_proto);
    free(a->ref_attr_name);
    free(a->doc_string);
    memset(a, 0, sizeof *a);
}

void xc_node_clear(xc_node *n)
{
    free(n->name);
    free(n->op_type);
    free(n->domain);
    free(n->doc_string);
    for (int i = 0; n->inputs && i < n->n_inputs; i++) free(n->inputs[i]);
    for (int i = 0; n->outputs && i < n->n_outputs; i++) free(n->outputs[i]);
    free(n->inputs);
    free(n->outputs);
    for (int i = 0; n->attrs && i < n->n_attrs; i++) xc_attr_clear(&n->attrs[i]);
    free(n->attrs);
    memset(n, 0, sizeof *n);
}

void xc_value_info_clear(xc_value_info *v)
{
    free(v->name);
    free(v->doc_string);
    for (int i = 0; i < XC_MAX_RANK; i++) free(v->dim_params[i]);
    memset(v, 0, sizeof *v);
}

static void clear_values(xc_value_info *v, int n)
{
    for (int i = 0; v && i < n; i++) xc_value_info_clear(&v[i]);
    free(v);
}

void xc_graph_free(xc_graph *g)
{
    if (!g) return;
    for (int i = 0; g->nodes && i < g->n_nodes; i++) xc_node_clear(&g->nodes[i]);
    free(g->nodes);
    clear_values(g->inputs, g->n_inputs);
    clear_values(g->outputs, g->n_outputs);
    clear_values(g->value_info, g->n_value_info);
    for (int i = 0; g->initializers && i < g->n_initializers; i++) xc_tensor_free(g->initializers[i]);
    free(g->initializers);
    free(g->name);
    free(g->doc_string);
    free(g);
}

void xc_model_free(xc_model *m)
{
    if (!m) return;
    xc_graph_free(m->graph);
    for (int i = 0; m->opsets && i < m->n_opsets; i++) free(m->opsets[i].domain);
    free(m->opsets);
    for (int i = 0; m->metadata && i < m->n_metadata; i++) {
        free(m->metadata[i].key);
        free(m->metadata[i].value);
    }
    free(m->metadata);
    free(m->path);
    free(m->producer_name);
    free(m->producer_version);
    free(m->domain);
    free(m->doc_string);
    if (m->proto) protobuf_c_message_free_unpacked(m->proto, NULL);
    if (m->types_free) m->types_free(m->types);
    free(m);
}

int64_t xc_model_opset(const xc_model *m, const char *domain)
{
    int onnx = !domain[0] || !strcmp(domain, "ai.onnx");
    for (int i = 0; i < m->n_opsets; i++) {
        const char *d = m->opsets[i].domain;
        if (onnx ? (!d[0] || !strcmp(d, "ai.onnx")) : !strcmp(d, domain)) return m->opsets[i].version;
    }
    return 0;
}

const xc_attr *xc_node_attr(const xc_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, name)) return &n->attrs[i];
    return NULL;
}

int64_t xc_attr_int(const xc_node *n, const char *name, int64_t def)
{
    const xc_attr *a = xc_node_attr(n, name);
    return a && a->type == XC_ATTR_INT ? a->i : def;
}

float xc_attr_float(const xc_node *n, const char *name, float def)
{
    const xc_attr *a = xc_node_attr(n, name);
    return a && a->type == XC_ATTR_FLOAT ? a->f : def;
}

const char *xc_attr_string(const xc_node *n, const char *name, const char *def)
{
    const xc_attr *a = xc_node_attr(n, name);
    return a && a->type == XC_ATTR_STRING ? a->s : def;
}

int xc_attr_ints(const xc_node *n, const char *name, const int64_t **ints, size_t *count)
{
    const xc_attr *a = xc_node_attr(n, name);
    if (!a || a->type != XC_ATTR_INTS) return 0;
    *ints = a->ints;
    *count = a->n;
    return 1;
}

int xc_attr_floats(const xc_node *n, const char *name, const float **floats, size_t *count)
{
    const xc_attr *a = xc_node_attr(n, name);
    if (!a || a->type != XC_ATTR_FLOATS) return 0;
    *floats = a->floats;
    *count = a->n;
    return 1;
}

xc_status xc_node_vfail(const xc_node *n, xc_status code, const char *fmt, va_list ap)
{
    char msg[1024], lb[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return xc_fail(code, "%s: %s", xc_node_label(n, lb, sizeof lb), msg);
}

xc_status xc_node_fail(const xc_node *n, xc_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xc_status s = xc_node_vfail(n, code, fmt, ap);
    va_end(ap);
    return s;
}

const char *xc_node_label(const xc_node *n, char *buf, size_t len)
{
    int o = 0; /* the first output given: optional outputs before it are "" (LSTM with Y omitted) */
    while (o < n->n_outputs - 1 && !n->outputs[o][0]) o++;
    if (n->name && n->name[0])
        snprintf(buf, len, "node '%s' (%s)", n->name, n->op_type);
    else if (n->n_outputs > 0)
        snprintf(buf, len, "node producing '%s' (%s)", n->outputs[o], n->op_type);
    else
        snprintf(buf, len, "unnamed %s node", n->op_type);
    return buf;
}

int xc_node_has_input(const xc_node *n, int i) { return i < n->n_inputs && n->inputs[i][0] != 0; }

const xc_value_info *xc_graph_declared(const xc_graph *g, const char *name)
{
    for (int i = 0; i < g->n_inputs; i++)
        if (!strcmp(g->inputs[i].name, name)) return &g->inputs[i];
    for (int i = 0; i < g->n_outputs; i++)
        if (!strcmp(g->outputs[i].name, name)) return &g->outputs[i];
    for (int i = 0; i < g->n_value_info; i++)
        if (!strcmp(g->value_info[i].name, name)) return &g->value_info[i];
    return NULL;
}

int xc_graph_find_initializer(const xc_graph *g, const char *name, const xc_tensor **t)
{
    for (int i = 0; i < g->n_initializers; i++)
        if (!strcmp(g->initializers[i]->name, name)) {
            if (t) *t = g->initializers[i];
            return 1;
        }
    return 0;
}

int xc_graph_is_runtime_input(const xc_graph *g, int i) { return !xc_graph_find_initializer(g, g->inputs[i].name, NULL); }

int xc_node_has_subgraphs(const xc_node *n)
{
    for (int a = 0; a < n->n_attrs; a++)
        if (n->attrs[a].g || n->attrs[a].graphs) return 1;
    return 0;
}

typedef struct name_list {
    const char **v;
    int n, cap;
} name_list;

static xc_status list_push(name_list *l, const char *s)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        const char **v = realloc(l->v, sizeof *v * (size_t)cap);
        if (!v) return xc_fail(XC_ERR_NOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return XC_OK;
}

static xc_status node_free_names(const xc_node *n, name_list *out);

/* Names g reads that g itself does not define (its inputs, initializers, node outputs). */
static xc_status graph_free_names(const xc_graph *g, name_list *out)
{
    xc_names def;
    size_t cap = (size_t)g->n_inputs + g->n_initializers + 1;
    for (int k = 0; k < g->n_nodes; k++) cap += g->nodes[k].n_outputs;
    XC_TRY(xc_names_init(&def, cap));
    xc_status s = XC_OK;
    for (int i = 0; i < g->n_inputs && s == XC_OK; i++) s = xc_names_put(&def, g->inputs[i].name, 1);
    for (int i = 0; i < g->n_initializers && s == XC_OK; i++) s = xc_names_put(&def, g->initializers[i]->name, 1);
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++)
        for (int o = 0; o < g->nodes[k].n_outputs && s == XC_OK; o++)
            if (g->nodes[k].outputs[o][0]) s = xc_names_put(&def, g->nodes[k].outputs[o], 1);
    name_list inner = {0};
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++) {
        const xc_node *n = &g->nodes[k];
        for (int i = 0; i < n->n_inputs && s == XC_OK; i++)
            if (n->inputs[i][0] && xc_names_get(&def, n->inputs[i]) < 0) s = list_push(out, n->inputs[i]);
        inner.n = 0;
        if (s == XC_OK) s = node_free_names(n, &inner);
        for (int i = 0; i < inner.n && s == XC_OK; i++)
            if (xc_names_get(&def, inner.v[i]) < 0) s = list_push(out, inner.v[i]);
    }
    for (int i = 0; i < g->n_outputs && s == XC_OK; i++)
        if (g->outputs[i].name[0] && xc_names_get(&def, g->outputs[i].name) < 0) s = list_push(out, g->outputs[i].name);
    free(inner.v);
    xc_names_free(&def);
    return s;
}

static xc_status node_free_names(const xc_node *n, name_list *out)
{
    for (int a = 0; a < n->n_attrs; a++) {
        const xc_attr *at = &n->attrs[a];
        if (at->g) XC_TRY(graph_free_names(at->g, out));
        for (size_t j = 0; at->graphs && j < at->n; j++) XC_TRY(graph_free_names(at->graphs[j], out));
    }
    return XC_OK;
}

xc_status xc_node_captures(const xc_node *n, const char ***names, int *count)
{
    *names = NULL;
    *count = 0;
    if (!xc_node_has_subgraphs(n)) return XC_OK;
    name_list all = {0}, uniq = {0};
    xc_names seen;
    xc_status s = node_free_names(n, &all);
    if (s != XC_OK) {
        free(all.v);
        return s;
    }
    if ((s = xc_names_init(&seen, (size_t)all.n + 1)) != XC_OK) {
        free(all.v);
        return s;
    }
    for (int i = 0; i < all.n && s == XC_OK; i++)
        if (xc_names_get(&seen, all.v[i]) < 0 && (s = xc_names_put(&seen, all.v[i], 1)) == XC_OK) s = list_push(&uniq, all.v[i]);
    xc_names_free(&seen);
    free(all.v);
    if (s != XC_OK) {
        free(uniq.v);
        return s;
    }
    *names = uniq.v;
    *count = uniq.n;
    return XC_OK;
}

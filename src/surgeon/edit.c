/* edit.c — small in-place graph edits and the dataflow facts the surgeon's operations share:
 * who produces a value, which values a node reads (subgraph captures included). */
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

xc_status sg_list_push(sg_list *l, const char *s)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        const char **v = realloc(l->v, sizeof *v * cap);
        if (!v) return xc_fail(XC_ERR_NOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return XC_OK;
}

void sg_list_free(sg_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Names a subgraph (and the subgraphs inside it) defines, and names it reads. */
static xc_status scan_subgraph(const xc_graph *g, xc_names *defined, sg_list *read)
{
    for (int i = 0; i < g->n_inputs; i++) XC_TRY(xc_names_put(defined, g->inputs[i].name, 1));
    for (int i = 0; i < g->n_initializers; i++) XC_TRY(xc_names_put(defined, g->initializers[i]->name, 1));
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o][0]) XC_TRY(xc_names_put(defined, n->outputs[o], 1));
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i][0]) XC_TRY(sg_list_push(read, n->inputs[i]));
        for (int a = 0; a < n->n_attrs; a++) {
            const xc_attr *at = &n->attrs[a];
            if (at->g) XC_TRY(scan_subgraph(at->g, defined, read));
            for (size_t j = 0; at->graphs && j < at->n; j++) XC_TRY(scan_subgraph(at->graphs[j], defined, read));
        }
    }
    for (int i = 0; i < g->n_outputs; i++) XC_TRY(sg_list_push(read, g->outputs[i].name));
    return XC_OK;
}

xc_status sg_node_uses(const xc_node *n, sg_list *out)
{
    out->n = 0;
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i][0]) XC_TRY(sg_list_push(out, n->inputs[i]));
    int has_graph = 0;
    for (int a = 0; a < n->n_attrs; a++) has_graph |= n->attrs[a].g || n->attrs[a].graphs;
    if (!has_graph) return XC_OK;
    /* ONNX names are unique across scopes, so a subgraph's captures are exactly the names it
     * reads minus the names it defines. */
    xc_names defined;
    sg_list read = {0};
    XC_TRY(xc_names_init(&defined, 64));
    xc_status s = XC_OK;
    for (int a = 0; a < n->n_attrs && s == XC_OK; a++) {
        const xc_attr *at = &n->attrs[a];
        if (at->g) s = scan_subgraph(at->g, &defined, &read);
        for (size_t j = 0; at->graphs && j < at->n && s == XC_OK; j++) s = scan_subgraph(at->graphs[j], &defined, &read);
    }
    for (int i = 0; i < read.n && s == XC_OK; i++)
        if (xc_names_get(&defined, read.v[i]) < 0) s = sg_list_push(out, read.v[i]);
    xc_names_free(&defined);
    sg_list_free(&read);
    return s;
}

xc_status sg_producers(const xc_graph *g, xc_names *out)
{
    XC_TRY(xc_names_init(out, (size_t)g->n_nodes * 2 + g->n_initializers + g->n_inputs + 1));
    xc_status s = XC_OK;
    for (int i = 0; i < g->n_inputs && s == XC_OK; i++) s = xc_names_put(out, g->inputs[i].name, SG_INPUT);
    for (int i = 0; i < g->n_initializers && s == XC_OK; i++) s = xc_names_put(out, g->initializers[i]->name, SG_INIT);
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++)
        for (int o = 0; o < g->nodes[k].n_outputs && s == XC_OK; o++)
            if (g->nodes[k].outputs[o][0]) s = xc_names_put(out, g->nodes[k].outputs[o], k);
    if (s != XC_OK) xc_names_free(out);
    return s;
}

xc_status sg_require_value(const xc_names *producers, const char *name, const char *what)
{
    if (!name[0]) return xc_fail(XC_ERR_USAGE, "%s names an empty tensor name", what);
    if (xc_names_get(producers, name) == -1)
        return xc_fail(XC_ERR_USAGE, "%s names tensor '%s', which is not in the model", what, name);
    return XC_OK;
}

void sg_remove_nodes(xc_graph *g, const char *mask)
{
    int w = 0;
    for (int k = 0; k < g->n_nodes; k++) {
        if (mask[k])
            xc_node_clear(&g->nodes[k]);
        else
            g->nodes[w++] = g->nodes[k];
    }
    g->n_nodes = w;
}

void sg_remove_initializers(xc_graph *g, const char *mask)
{
    int w = 0;
    for (int i = 0; i < g->n_initializers; i++) {
        if (mask[i])
            xc_tensor_free(g->initializers[i]);
        else
            g->initializers[w++] = g->initializers[i];
    }
    g->n_initializers = w;
}

void sg_remove_input(xc_graph *g, const char *name)
{
    int w = 0;
    for (int i = 0; i < g->n_inputs; i++) {
        if (!strcmp(g->inputs[i].name, name))
            xc_value_info_clear(&g->inputs[i]);
        else
            g->inputs[w++] = g->inputs[i];
    }
    g->n_inputs = w;
}

xc_status sg_append_node(xc_graph *g, const xc_node *n)
{
    xc_node *nodes = realloc(g->nodes, sizeof *nodes * (g->n_nodes + 1));
    if (!nodes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    g->nodes = nodes;
    g->nodes[g->n_nodes++] = *n;
    return XC_OK;
}

xc_status sg_append_initializer(xc_graph *g, xc_tensor *t)
{
    xc_tensor **inits = realloc(g->initializers, sizeof *inits * (g->n_initializers + 1));
    if (!inits) {
        xc_tensor_free(t);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    g->initializers = inits;
    g->initializers[g->n_initializers++] = t;
    return XC_OK;
}

/* Before IR version 4 every initializer had to be listed among the graph inputs too (the checker
 * refuses a model where one is not): edits that keep an initializer but rebuild the inputs
 * (extract) or add initializers (folding) list them again. */
static xc_status list_initializers_as_inputs(xc_model *w)
{
    xc_graph *g = w->graph;
    if (w->ir_version >= 4) return XC_OK;
    for (int i = 0; i < g->n_initializers; i++) {
        const xc_tensor *t = g->initializers[i];
        int listed = 0;
        for (int k = 0; k < g->n_inputs && !listed; k++) listed = !strcmp(g->inputs[k].name, t->name);
        if (listed) continue;
        xc_value_info *in = realloc(g->inputs, sizeof *in * (size_t)(g->n_inputs + 1));
        if (!in) return xc_fail(XC_ERR_NOMEM, "out of memory");
        g->inputs = in;
        in = &g->inputs[g->n_inputs];
        memset(in, 0, sizeof *in);
        if (!(in->name = strdup(t->name))) return xc_fail(XC_ERR_NOMEM, "out of memory");
        in->dtype = t->dtype;
        in->rank = t->rank;
        memcpy(in->dims, t->dims, sizeof t->dims);
        g->n_inputs++;
    }
    return XC_OK;
}

xc_status sg_finish(xc_model *w, const char *what, xc_model **out)
{
    *out = NULL;
    xc_status s = list_initializers_as_inputs(w);
    if (s == XC_OK) s = xc_model_validate(w);
    if (s != XC_OK) {
        xc_model_free(w);
        return xc_error_prefix(s, "%s", what);
    }
    *out = w;
    return XC_OK;
}

static int node_named(const xc_graph *g, const char *name)
{
    for (int k = 0; k < g->n_nodes; k++)
        if (!strcmp(g->nodes[k].name, name)) return 1;
    return 0;
}

char *sg_fresh_name(const xc_graph *g, const xc_names *producers, const char *base)
{
    size_t len = strlen(base) + 24;
    char *name = malloc(len);
    if (!name) return NULL;
    snprintf(name, len, "%s", base);
    for (int i = 1; xc_names_get(producers, name) != -1 || node_named(g, name); i++) snprintf(name, len, "%s_%d", base, i);
    return name;
}

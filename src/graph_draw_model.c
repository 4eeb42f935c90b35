/* graph_draw_model.c — the model view's nodes and edges: a box per kept ONNX node, graph
 * inputs (invhouse) and outputs (house), initializers either as lines in their consumer's label
 * (default: weights would otherwise double the node count and dominate the picture) or as
 * separate note-shaped nodes, and one edge per tensor use labelled with its dtype and shape.
 * Under --around, tensors crossing the selection's border end at a small "..." stub so the
 * picture shows that the node has more neighbours. */
#include "graph_draw_internal.h"
#include <stdio.h>
#include <string.h>

#define MAX_INIT_LINES 6

/* Graphviz ids: "n<i>" for node i, "in:", "out:", "init:", "cut:" + a tensor name for the rest. */
static Agnode_t *value_node(xc_draw *d, const char *prefix, const char *tensor, int *created)
{
    xc_text id = {0};
    xc_text_printf(&id, "%s%s", prefix, tensor);
    Agnode_t *v = id.failed ? NULL : agnode(d->root, id.s, 0);
    *created = 0;
    if (!v && !id.failed) {
        v = agnode(d->root, id.s, 1);
        *created = v != NULL;
    }
    xc_text_free(&id);
    return v;
}

/* A graph input, output or shown initializer: its name and type, in the given shape. */
Agnode_t *xc_draw_io_node(xc_draw *d, const char *prefix, const char *tensor, const char *shape, const char *fill)
{
    int created;
    Agnode_t *v = value_node(d, prefix, tensor, &created);
    if (!v || !created) return v;
    xc_text label = {0};
    xc_text_literal(&label, tensor);
    xc_text_line(&label);
    xc_draw_tensor_type(d, tensor, &label);
    xc_draw_set(v, "label", label.s ? label.s : "");
    xc_draw_set(v, "shape", shape);
    xc_draw_set(v, "fillcolor", fill);
    xc_draw_set(v, "tooltip", tensor);
    xc_text_free(&label);
    return v;
}

static Agnode_t *stub_node(xc_draw *d, const char *tensor, int outgoing, int *created)
{
    Agnode_t *v = value_node(d, outgoing ? "cut-out:" : "cut:", tensor, created);
    if (v && *created) {
        xc_draw_set(v, "label", "...");
        xc_draw_set(v, "shape", "plaintext");
        xc_draw_set(v, "style", "");
        xc_draw_set(v, "tooltip", tensor);
    }
    return v;
}

/* An edge carrying tensor; labelled with its type unless the tail already shows it. */
Agedge_t *xc_draw_tensor_edge(xc_draw *d, Agnode_t *tail, Agnode_t *head, const char *tensor, int labelled)
{
    Agedge_t *e = agedge(d->root, tail, head, NULL, 1);
    if (!e) return NULL;
    xc_draw_set(e, "tooltip", tensor);
    if (labelled) {
        xc_text label = {0};
        xc_draw_tensor_type(d, tensor, &label);
        xc_draw_set(e, "label", label.s ? label.s : "");
        xc_text_free(&label);
    }
    return e;
}

int xc_draw_runtime_input(const xc_draw *d, const char *tensor)
{
    for (int i = 0; i < d->g->n_inputs; i++)
        if (!strcmp(d->g->inputs[i].name, tensor)) return xc_names_get(&d->initializer, tensor) < 0;
    return 0;
}

void xc_draw_node_label(const xc_draw *d, const xc_node *n, xc_text *t)
{
    if (n->domain[0]) {
        xc_text_literal(t, n->domain);
        xc_text_printf(t, "::");
    }
    xc_text_literal(t, n->op_type);
    xc_text_line(t);
    xc_text_literal(t, xc_draw_node_name(n));
    xc_draw_node_attrs(n, t);
    if (d->o->show_initializers) return;
    int listed = 0, more = 0;
    for (int k = 0; k < n->n_inputs; k++) {
        if (!n->inputs[k][0] || xc_names_get(&d->initializer, n->inputs[k]) < 0) continue;
        if (listed == MAX_INIT_LINES) {
            more++;
            continue;
        }
        listed++;
        xc_text_line(t);
        xc_text_literal(t, n->inputs[k]);
        xc_text_printf(t, " ");
        xc_draw_tensor_type(d, n->inputs[k], t);
    }
    if (more) {
        xc_text_line(t);
        xc_text_printf(t, "+%d more initializer%s", more, more > 1 ? "s" : "");
    }
}

static xc_status draw_nodes(xc_draw *d)
{
    for (int i = 0; i < d->g->n_nodes; i++) {
        if (!d->keep[i]) continue;
        char id[32];
        snprintf(id, sizeof id, "n%d", i);
        d->drawn[i] = agnode(d->parent[i], id, 1);
        if (!d->drawn[i]) return xc_fail(XC_ERR_NOMEM, "out of memory");
        xc_text label = {0};
        xc_draw_node_label(d, &d->g->nodes[i], &label);
        xc_draw_set(d->drawn[i], "label", label.s ? label.s : "");
        xc_draw_set(d->drawn[i], "tooltip", xc_draw_node_name(&d->g->nodes[i]));
        int failed = label.failed;
        xc_text_free(&label);
        if (failed) return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    return XC_OK;
}

/* The edge into node i for its input tensor t (none for a collapsed initializer). */
static xc_status input_edge(xc_draw *d, int i, const char *t)
{
    int p = xc_names_get(&d->producer, t);
    Agnode_t *tail = NULL;
    int labelled = 1;
    if (p >= 0) {
        int created;
        tail = d->keep[p] ? d->drawn[p] : stub_node(d, t, 0, &created);
    } else if (xc_names_get(&d->initializer, t) >= 0) {
        if (!d->o->show_initializers) return XC_OK;
        tail = xc_draw_io_node(d, "init:", t, "note", "#f6f0cf");
        labelled = 0;
    } else if (xc_draw_runtime_input(d, t)) {
        tail = xc_draw_io_node(d, "in:", t, "invhouse", "#d4edd4");
    } else {
        return XC_OK; /* validation guarantees every value has a source */
    }
    if (!tail || !xc_draw_tensor_edge(d, tail, d->drawn[i], t, labelled)) return xc_fail(XC_ERR_NOMEM, "out of memory");
    return XC_OK;
}

static xc_status draw_edges(xc_draw *d)
{
    const xc_graph *g = d->g;
    for (int i = 0; i < g->n_nodes; i++) {
        const xc_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs; k++) {
            if (!n->inputs[k][0]) continue;
            if (d->keep[i]) {
                XC_TRY(input_edge(d, i, n->inputs[k]));
                continue;
            }
            /* a dropped node reading a kept node's output: the kept side gets an outgoing stub */
            int p = xc_names_get(&d->producer, n->inputs[k]);
            if (p < 0 || !d->keep[p]) continue;
            int created;
            Agnode_t *stub = stub_node(d, n->inputs[k], 1, &created);
            if (stub && !created) continue; /* one stub per tensor, however many readers were dropped */
            if (!stub || !xc_draw_tensor_edge(d, d->drawn[p], stub, n->inputs[k], 1))
                return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
    }
    for (int o = 0; o < g->n_outputs; o++) {
        const char *t = g->outputs[o].name;
        int p = xc_names_get(&d->producer, t);
        Agnode_t *tail = p >= 0                                         ? (d->keep[p] ? d->drawn[p] : NULL)
                         : xc_draw_runtime_input(d, t) && !d->o->around ? xc_draw_io_node(d, "in:", t, "invhouse", "#d4edd4")
                                                                        : NULL;
        if (!tail) continue;
        Agnode_t *out = xc_draw_io_node(d, "out:", t, "house", "#f6d9bd");
        if (!out || !xc_draw_tensor_edge(d, tail, out, t, 0)) return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    return XC_OK;
}

/* Above this many drawn nodes the layout trades looks for time (see xc_draw_picture_defaults). */
#define LARGE_GRAPH 300

/* Defaults for the whole picture. Large graphs get cheaper layout settings. Measured with
 * libgvc 2.42 on a 1,000-node graph whose nodes each also read one of the previous 40 outputs
 * (2,000 labelled edges): 62 s with dot's defaults, most of it routing curved splines around
 * the long edges (Pshortestpath) and the rest in network simplex and crossing minimisation,
 * which iterate per node. Straight edges (splines=line) and capped iterations (nslimit,
 * nslimit1, mclimit at 0.1) bring it to about 5 s; chain-like models (real networks) stay near
 * 1 s either way, and pictures that large are read by zooming, not for their curves. */
void xc_draw_picture_defaults(xc_draw *d, int drawn)
{
    Agraph_t *g = d->root;
    agattr(g, AGRAPH, "rankdir", "TB");
    agattr(g, AGRAPH, "fontname", "Helvetica");
    agattr(g, AGRAPH, "labelloc", "t");
    agattr(g, AGNODE, "shape", "box");
    agattr(g, AGNODE, "style", "rounded,filled");
    agattr(g, AGNODE, "fillcolor", "#dfe9f5");
    agattr(g, AGNODE, "fontname", "Helvetica");
    agattr(g, AGNODE, "fontsize", "10");
    agattr(g, AGEDGE, "fontname", "Helvetica");
    agattr(g, AGEDGE, "fontsize", "8");
    agattr(g, AGEDGE, "color", "#606060");
    if (drawn > LARGE_GRAPH) {
        agattr(g, AGRAPH, "splines", "line");
        agattr(g, AGRAPH, "nslimit", "0.1");
        agattr(g, AGRAPH, "nslimit1", "0.1");
        agattr(g, AGRAPH, "mclimit", "0.1");
    }
    xc_text title = {0};
    const char *path = d->m->path ? d->m->path : d->g->name;
    const char *base = path && strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    xc_text_literal(&title, base ? base : "model");
    if (d->o->engine) xc_text_printf(&title, " (OpenCL engine)");
    if (d->o->around) {
        xc_text_printf(&title, ": %d edge%s around ", d->o->radius, d->o->radius == 1 ? "" : "s");
        xc_text_literal(&title, d->o->around);
    }
    xc_draw_set(g, "label", title.s ? title.s : "");
    xc_text_free(&title);
}

xc_status xc_draw_model(xc_draw *d)
{
    int drawn = 0;
    for (int i = 0; i < d->g->n_nodes; i++) drawn += d->keep[i];
    xc_draw_picture_defaults(d, drawn);
    XC_TRY(draw_nodes(d));
    return draw_edges(d);
}

/* graph_draw_internal.h — what the graph_draw*.c files share: one drawing in progress (the
 * cgraph graph being built, name indexes over the model, which nodes are kept) and the steps
 * xc_graph_draw() runs in order: select, clusters, nodes and edges, engine extras, styles,
 * write. Not part of the library's API. */
#ifndef XC_GRAPH_DRAW_INTERNAL_H
#define XC_GRAPH_DRAW_INTERNAL_H
#include "graph_draw.h"
#include "names.h"
#include <graphviz/cgraph.h>

typedef struct xc_draw {
    const xc_model *m;
    const xc_graph *g;
    const xc_draw_options *o;
    Agraph_t *root;
    xc_names node_index;      /* node display name -> node index */
    xc_names producer;        /* tensor name -> producing node index */
    xc_names initializer;     /* initializer name -> index in g->initializers */
    xc_names declared;        /* value name -> index into inputs, then outputs, then value_info */
    unsigned char *keep;      /* per node: drawn (the --around selection) */
    Agraph_t **parent;        /* per node: where it is drawn (root, or its layer's cluster) */
    Agnode_t **drawn;         /* per node: its Graphviz node, NULL when not kept */
    int *layer_of;            /* engine view: per node, the live layer covering it, or -1 */
    Agraph_t **cluster;       /* engine view: per layer, its cluster, NULL when not drawn */
} xc_draw;

/* A growable string (labels are built line by line). */
typedef struct xc_text {
    char *s;
    size_t len, cap;
    int failed;               /* an allocation failed: s holds what fitted */
} xc_text;
void xc_text_printf(xc_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with DOT's escString characters escaped, so names print literally. */
void xc_text_literal(xc_text *t, const char *s);
/* Starts a new label line ("\n" in DOT, centred) unless the text is empty. */
void xc_text_line(xc_text *t);
void xc_text_free(xc_text *t);

/* Display name of node i: its name, or its first output when it has none. */
const char *xc_draw_node_name(const xc_node *n);
/* "float32[1,64,?,?]" for a tensor (symbolic dims by their names where declared). */
void xc_draw_tensor_type(const xc_draw *d, const char *tensor, xc_text *t);
/* Sets attribute attr of object obj (graph, node or edge), declaring it when needed. */
void xc_draw_set(void *obj, const char *attr, const char *value);
/* Attribute attr of obj, "" when unset. */
const char *xc_draw_get(void *obj, const char *attr);

/* The steps, in the order xc_graph_draw() runs them. */
xc_status xc_draw_select(xc_draw *d);                /* graph_draw_around.c: fills keep */
xc_status xc_draw_engine_clusters(xc_draw *d);       /* graph_draw_engine.c: fills parent, cluster */
xc_status xc_draw_model(xc_draw *d);                 /* graph_draw_model.c: nodes and edges */
xc_status xc_draw_engine_extras(xc_draw *d);         /* graph_draw_engine.c: reformats, folded nodes */
xc_status xc_draw_style(xc_draw *d);                 /* graph_draw_style.c: overlay and highlights */
xc_status xc_draw_write(Agraph_t *g, const char *path); /* graph_draw_render.c */

/* Node label lines for an ONNX node's key attributes ("kernel_shape=[7,7] strides=[2,2]"). */
void xc_draw_node_attrs(const xc_node *n, xc_text *t);
#endif

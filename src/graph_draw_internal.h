/* graph_draw_internal.h — what the graph_draw*.c files share: one drawing in progress (the
 * cgraph graph being built, name indexes over the model, which nodes are kept) and the steps
 * xc_graph_draw() runs in order: select, clusters, nodes and edges, engine extras, styles,
 * write. Not part of the library's API. */
#ifndef XC_GRAPH_DRAW_INTERNAL_H
#define XC_GRAPH_DRAW_INTERNAL_H
#include "graph_draw.h"
#include "names.h"
#include "text.h"
#include <graphviz/cgraph.h>

/* A collapsed block of nodes (large pictures): the nodes sharing a name prefix, or a run of
 * consecutive parts of one prefix. */
typedef struct xc_draw_box {
    int level;     /* its nodes share their first `level` name components */
    int whole;     /* it holds every kept node under that prefix (else a run of its parts) */
    int *nodes, n; /* node indices, ascending (topological order); owned */
    Agnode_t *drawn;
} xc_draw_box;

typedef struct xc_draw {
    const xc_model *m;
    const xc_graph *g;
    const xc_draw_options *o;
    Agraph_t *root;
    xc_names node_index;  /* node display name -> node index */
    xc_names producer;    /* tensor name -> producing node index */
    xc_names initializer; /* initializer name -> index in g->initializers */
    xc_names declared;    /* value name -> index into inputs, then outputs, then value_info */
    unsigned char *keep;  /* per node: drawn (the --around selection) */
    Agraph_t **parent;    /* per node: where it is drawn (root, or its layer's cluster) */
    Agnode_t **drawn;     /* per node: its Graphviz node, NULL when not kept */
    int *layer_of;        /* engine view: per node, the live layer covering it, or -1 */
    Agraph_t **cluster;   /* engine view: per layer, its cluster, NULL when not drawn */
    xc_draw_box *boxes;   /* collapsed picture: the blocks (NULL when every node is drawn) */
    int n_boxes;
    int *box_of; /* collapsed picture: per node, its block, or -1 when not kept */
} xc_draw;

/* Labels are built line by line in growable strings (text.h). Appends s with DOT's escString characters escaped, so names print literally. */
void xc_text_literal(xc_text *t, const char *s);
/* Starts a new label line ("\n" in DOT, centred) unless the text is empty. */
void xc_text_line(xc_text *t);

/* Display name of node i: its name, or its first output when it has none. */
const char *xc_draw_node_name(const xc_node *n);
/* "float32[1,64,?,?]" for a tensor (symbolic dims by their names where declared). */
void xc_draw_tensor_type(const xc_draw *d, const char *tensor, xc_text *t);
/* Sets attribute attr of object obj (graph, node or edge), declaring it when needed. */
void xc_draw_set(void *obj, const char *attr, const char *value);
/* Attribute attr of obj, "" when unset. */
const char *xc_draw_get(void *obj, const char *attr);

/* The steps, in the order xc_graph_draw() runs them. */
xc_status xc_draw_select(xc_draw *d);          /* graph_draw_around.c: fills keep */
xc_status xc_draw_engine_clusters(xc_draw *d); /* graph_draw_engine.c: fills parent, cluster */
xc_status xc_draw_model(xc_draw *d);           /* graph_draw_model.c: nodes and edges */
xc_status xc_draw_engine_extras(xc_draw *d);   /* graph_draw_engine.c: reformats, folded nodes */
/* Instead of the three steps above when the picture is collapsed: */
xc_status xc_draw_blocks(xc_draw *d, int budget);       /* graph_draw_blocks.c: fills boxes, box_of */
xc_status xc_draw_collapsed(xc_draw *d);                /* graph_draw_summary.c: blocks and their edges */
xc_status xc_draw_style(xc_draw *d);                    /* graph_draw_style.c: overlay and highlights */
xc_status xc_draw_write(Agraph_t *g, const char *path); /* graph_draw_render.c */

/* Node label lines for an ONNX node's key attributes ("kernel_shape=[7,7] strides=[2,2]"). */
void xc_draw_node_attrs(const xc_node *n, xc_text *t);
/* graph_draw_model.c, shared with the collapsed picture: the whole picture's attributes (drawn:
 * how many boxes it will have), a node's full label, graph input and output nodes. */
void xc_draw_picture_defaults(xc_draw *d, int drawn);
void xc_draw_node_label(const xc_draw *d, const xc_node *n, xc_text *t);
Agnode_t *xc_draw_io_node(xc_draw *d, const char *prefix, const char *tensor, const char *shape, const char *fill);
int xc_draw_runtime_input(const xc_draw *d, const char *tensor);
Agedge_t *xc_draw_tensor_edge(xc_draw *d, Agnode_t *tail, Agnode_t *head, const char *tensor, int labelled);
#endif

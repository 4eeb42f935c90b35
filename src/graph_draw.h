/* graph_draw.h — pictures of a model or of an OpenCL engine, drawn in-process with Graphviz
 * (cgraph builds the graph, libgvc lays it out and renders it; nothing shells out to `dot`).
 *
 * Model view: one box per ONNX node (op type, name, key attributes, the initializers it reads),
 * edges labelled with the tensor's dtype and shape from load-time inference, graph inputs and
 * outputs as distinct shapes. Engine view: the same nodes grouped into one cluster per engine
 * layer, labelled with the layer's tactic, precision and time. Overlays colour nodes by a
 * per-layer comparison (`run --per-layer --json`), outline chosen names, or keep only the
 * neighbourhood of one node. Pictures of more than max_nodes nodes (SVG, PNG, PDF; never DOT,
 * which needs no layout) collapse into at most a few hundred blocks, since Graphviz's layout time
 * grows much faster than the node count (graph_draw_blocks.c says how blocks are chosen).
 *
 * Names: a node is known by its name, or by its first output when it has none (as in plans). */
#ifndef XC_GRAPH_DRAW_H
#define XC_GRAPH_DRAW_H
#include "graph.h"

struct xc_engine;

/* Verdicts of the per-layer comparison, as the results file spells them. */
typedef enum { XC_OVERLAY_NO_DATA, XC_OVERLAY_PASS, XC_OVERLAY_NEAR, XC_OVERLAY_FAIL } xc_overlay_verdict;

typedef struct xc_overlay_layer {
    char *name;   /* engine layer name ("conv1 + relu1") */
    char **nodes; /* ONNX node names it covers */
    int n_nodes;
    xc_overlay_verdict verdict;
    double max_abs, max_rel;  /* NaN when absent */
    char *tactic, *precision; /* NULL when absent */
} xc_overlay_layer;

typedef struct xc_overlay_tensor {
    char *name;
    int passed;
    double max_abs; /* NaN when absent */
} xc_overlay_tensor;

/* A per-layer comparison file ("format": "crosscheck-per-layer-1"), at the root or under
 * "per_layer" of a `run --json` file. */
typedef struct xc_overlay {
    char *path;
    char *mode; /* "accumulated", ... or NULL */
    int n_layers, n_tensors;
    xc_overlay_layer *layers;
    xc_overlay_tensor *tensors;
    int first_divergence; /* index into layers, -1 for none */
} xc_overlay;

/* Reads and checks a results file; every problem is one line naming the file and the entry. */
xc_status xc_overlay_load(const char *path, xc_overlay **out);
void xc_overlay_free(xc_overlay *o);

/* Pictures with more nodes than this are drawn as blocks by default: Graphviz's dot layout took
 * about 1 s for a 1,200-node chain, 5.6 s for 2,000 and 38 s for 4,000 (and 150 s for 10,000). */
#define XC_DRAW_MAX_NODES 1500
/* A collapsed picture has at most this many blocks (or max_nodes, when smaller): dot lays out a
 * few hundred boxes in seconds. */
#define XC_DRAW_MAX_BLOCKS 200

/* What a drawing simplified (filled when xc_draw_options.summary is set). */
typedef struct xc_draw_summary {
    int nodes;     /* nodes the picture would have shown */
    int blocks;    /* boxes drawn instead; 0 when every node was drawn */
    int by_prefix; /* the blocks follow node-name prefixes ("/encoder/layer.3"); else they are
                         runs of consecutive nodes in topological order */
} xc_draw_summary;

typedef struct xc_draw_options {
    const struct xc_engine *engine; /* NULL: model view; else its layers as clusters */
    const xc_overlay *overlay;      /* NULL: no colours from a comparison */
    int show_initializers;          /* separate nodes instead of lines in the consumer's label */
    const char *const *highlight;   /* node, tensor (or, in the engine view, layer) names */
    int n_highlight;
    const char *around; /* NULL: every node; else only those within radius edges */
    int radius;
    int max_nodes;            /* more nodes than this: blocks (not for .dot); 0: no limit */
    xc_draw_summary *summary; /* NULL, or filled with what was simplified */
} xc_draw_options;

xc_draw_options xc_draw_defaults(void);

/* The output formats, by file extension: "dot" (DOT text), "svg", "png", "pdf". Returns the
 * format name for path, or NULL when the extension is none of them. */
const char *xc_draw_format(const char *path);

/* Draws m (and o->engine, which must be built from m) and writes path in the format its
 * extension names. Unknown names in o (around, highlight, overlay nodes) fail with XC_ERR_USAGE
 * or XC_ERR_MODEL naming them; an unwritable path fails with XC_ERR_IO. */
xc_status xc_graph_draw(const xc_model *m, const xc_draw_options *o, const char *path);

#endif

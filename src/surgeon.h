/* surgeon.h — editing models: extract a subgraph, sanitize (constant folding on the reference,
 * cleanup, duplicate-initializer merging), insert a node in place of a subgraph, prune outputs.
 *
 * Every operation reads a validated model and returns a NEW validated model (the caller frees
 * both with xc_model_free); the input is never modified, so callers such as `debug reduce` can
 * extract subgraphs from one in-memory model in a loop. Nothing here prints. A result is
 * validated like a loaded file (names, cycles, opsets, attributes, types), so a bad edit fails
 * with one line naming the tensor or node. Results are saved with xc_model_save (onnx_io.h):
 * weights that came from external data stay external. */
#ifndef XC_SURGEON_H
#define XC_SURGEON_H
#include "graph.h"
#include "validate.h"

/* A deep copy sharing nothing with m (external-data mappings are shared by reference count,
 * never copied). Fields crosscheck does not understand survive, as on save. */
xc_status xc_model_clone(const xc_model *m, xc_model **out);

/* One tensor named on the command line: "name", "name:auto", "name:[1,3,?,W]:float32". */
typedef struct xc_io_spec {
    const char *name;
    xc_dtype dtype;                      /* XC_UNDEFINED: take it from the model (auto) */
    int rank;                            /* -1: take the shape from the model (auto) */
    int64_t dims[XC_MAX_RANK];           /* -1 for an unknown or symbolic dim */
    const char *dim_params[XC_MAX_RANK]; /* symbolic dim names, NULL where none */
} xc_io_spec;

/* Parses a comma-separated list (commas inside [...] do not split). with_shape: entries are
 * name[:shape[:dtype]] (inputs), else name[:dtype] (outputs); "auto" may stand for either part.
 * Names containing ':' (PyTorch's "onnx::Add_3") work: only recognised suffixes are split off.
 * text is modified and borrowed by the specs. Fails (XC_ERR_USAGE) naming the bad entry. */
xc_status xc_io_spec_parse_list(char *text, int with_shape, xc_io_spec *specs, int max, int *count);

/* Keeps exactly the nodes needed to compute `outputs` from `inputs`, initializers and
 * constants. Tensors named in inputs become graph inputs (their producers are cut off);
 * types not given are taken from the model (declared value infos, else inference). Fails
 * naming the tensor when a needed value is neither a given input, an initializer nor
 * computable from them, or when a name is not in the model. */
xc_status xc_surgeon_extract(const xc_model *m, const xc_io_spec *inputs, int n_in, const xc_io_spec *outputs, int n_out,
                             xc_model **out);

typedef struct xc_sanitize_options {
    int fold_constants;           /* evaluate constant nodes (shape subgraphs included) on the reference */
    int cleanup;                  /* remove dead nodes, unused initializers; merge duplicate initializers */
    int toposort;                 /* order nodes topologically (every result is: validation sorts) */
    size_t fold_size_threshold;   /* outputs larger than this many bytes are not folded; 0: no limit */
    const xc_input_shape *shapes; /* input shape overrides (make Shape of those inputs foldable) */
    int n_shapes;
} xc_sanitize_options;

/* What sanitize did, for printing. */
typedef struct xc_sanitize_report {
    int nodes_before, nodes_after;
    int folded;              /* nodes replaced by initializers */
    int kept_over_threshold; /* foldable nodes kept because an output exceeded the threshold */
    int initializers_merged; /* duplicate initializers replaced by the first copy */
    int removed_nodes, removed_initializers;
} xc_sanitize_report;

xc_status xc_surgeon_sanitize(const xc_model *m, const xc_sanitize_options *o, xc_model **out, xc_sanitize_report *rep);

/* Parses an attribute "value" text for node attribute `name`: an int, a float, a string, or a
 * list "[1,2]" / "[0.5,1]" / "[a,b]". type is the attribute's declared type (from the op's
 * schema) or XC_ATTR_UNDEFINED to guess from the text. Fills *out (cleared with xc_attr_clear). */
xc_status xc_attr_parse(const char *name, const char *value, xc_attr_type type, xc_attr *out);
/* Parses "k=v,k2=[1,2],..." for op_type at opset (attribute types from the schema when
 * crosscheck has one). *attrs is allocated; free each with xc_attr_clear, then the array. */
xc_status xc_attr_parse_list(const char *text, const char *op_type, int opset, xc_attr **attrs, int *count);

/* Replaces the subgraph between tensors `inputs` and `outputs` with one node op_type (ai.onnx)
 * named name (NULL: a fresh name) with the given attributes (copied), then removes the nodes
 * that became dead. The old producers of the outputs are disconnected. Fails naming the tensor
 * for unknown names, and on an unknown op or a cycle (an input computed from an output). */
xc_status xc_surgeon_insert(const xc_model *m, const char *const *inputs, int n_in, const char *const *outputs, int n_out,
                            const char *op_type, const char *name, const xc_attr *attrs, int n_attrs, xc_model **out);

/* Keeps (keep=1) or drops (keep=0) the named graph outputs, then removes dead nodes and unused
 * initializers. Fails on an unknown output name or when no output would remain. */
xc_status xc_surgeon_prune_outputs(const xc_model *m, const char *const *names, int n, int keep, xc_model **out);

#endif

/* validate.h — load-time checks and type inference over a whole graph. */
#ifndef XC_VALIDATE_H
#define XC_VALIDATE_H
#include "graph.h"
#include "names.h"
#include "ops/schema.h"

/* Everything inference learnt about a graph's values, and which nodes cannot run. */
struct xc_subgraph_types;
typedef struct xc_graph_types {
    int n_values;
    xc_names index;       /* value name -> slot */
    xc_type_shape *types; /* per slot */
    const char **names;   /* per slot, borrowed from the graph */
    xc_tensor **owned;    /* constant values inference made (freed with this) */
    int n_owned;
    char **node_unsupported; /* per node: why it cannot run (NULL if it can) */
    int n_nodes;
    struct xc_subgraph_types *subs; /* what inference learnt inside its nodes' subgraphs (owned) */
    int n_subs;
} xc_graph_types;

typedef struct xc_subgraph_types {
    const xc_graph *g;
    xc_graph_types *types;
} xc_subgraph_types;

/* The types inference found inside subgraph g of a node of the graph t describes; NULL when it
 * did not look inside (an If branch a constant condition never takes). */
const xc_graph_types *xc_subgraph_types_of(const xc_graph_types *t, const xc_graph *g);

/* A caller-given input shape ("--input-shapes x:[1,3,224,224]"). */
typedef struct xc_input_shape {
    const char *name;
    int rank;
    int64_t dims[XC_MAX_RANK];
} xc_input_shape;

/* Structure (names, producers, cycles, topological order), opsets, schemas, attributes and
 * types. Called by the loaders; fills m->graph's node schemas and sorts the nodes. */
xc_status xc_model_validate(xc_model *m);

/* Where validation reports problems when it should go past them (`check lint`): report() gets
 * the status and the message in xc_error_message(), a short kind ("arity", "cycle", ...), the
 * node involved (valid during the call only; NULL if none) and the tensor (NULL if none). A
 * non-OK return stops validation with that status. */
typedef struct xc_issue_sink {
    xc_status (*report)(void *user, xc_status code, const char *kind, const xc_node *node, const char *tensor);
    void *user;
} xc_issue_sink;

/* xc_model_validate reporting every independent problem to sink (NULL: fail at the first).
 * Cycles are broken and nodes with problems left untyped so that checking goes on. */
xc_status xc_model_validate_all(xc_model *m, const xc_issue_sink *sink);

/* Type and shape inference over g. Dims not fixed by the model or overrides stay unknown. */
xc_status xc_graph_infer(const xc_graph *g, const xc_input_shape *overrides, int n_overrides, xc_graph_types **out);
/* xc_graph_infer for validation: nodes with bad[k] set stay untyped, and with a sink a node
 * whose inference fails is reported ("inference") and left untyped instead of failing. */
xc_status xc_graph_infer_checked(const xc_graph *g, const xc_issue_sink *sink, const int *bad, xc_graph_types **out);
void xc_graph_types_free(xc_graph_types *t);
const xc_type_shape *xc_graph_type(const xc_graph_types *t, const char *name);

/* Runs one node's schema inference. */
xc_status xc_node_infer(const xc_node *n, const xc_type_shape *in, int n_in, xc_type_shape *out, int n_out);
#endif

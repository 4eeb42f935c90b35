/* schema.h — one schema per ONNX operator: arity, attributes, type and shape inference.
 *
 * Schemas are shared by every backend and by the surgeon. A family file (src/ops/<family>.c)
 * exports a table `const xc_op_schema xc_schemas_<family>[]` ending with {0}; registry.c lists
 * the tables. When an op's semantics changed between opsets, the family lists one entry per
 * version range (`since`): a node uses the entry with the largest `since` <= its opset.
 *
 * Inference runs twice: at load time (symbolic dims unknown, constant inputs known when they
 * come from initializers or Constant nodes) and at run time (every shape and value known), so
 * an interpreter never needs its own shape logic. */
#ifndef XC_SCHEMA_H
#define XC_SCHEMA_H
#include "graph.h"

typedef struct xc_attr_spec {
    const char *name;
    xc_attr_type type;
    int required;
} xc_attr_spec;

/* What is known about one input or output during inference. */
typedef struct xc_type_shape {
    int present;               /* 0: optional input omitted, or output not requested */
    xc_dtype dtype;            /* XC_UNDEFINED when unknown */
    int rank;                  /* -1 when unknown */
    int64_t dims[XC_MAX_RANK]; /* -1 where unknown */
    const xc_tensor *value;    /* the value when known (constant at load, always at run) */
    xc_value_kind kind;        /* a tensor, or a sequence/optional of tensors of dtype/shape */
} xc_type_shape;

/* What inference knows of the values of the graphs enclosing a node (innermost first), so
 * that a subgraph's captures get their types. */
struct xc_graph_types;
typedef struct xc_type_scope {
    const struct xc_type_scope *parent;
    const struct xc_graph_types *types;
} xc_type_scope;

typedef struct xc_infer_ctx {
    const xc_node *node;
    int opset;
    int n_in, n_out;
    const xc_type_shape *in;
    xc_type_shape *out;         /* present preset; infer sets dtype, rank and dims */
    const xc_type_scope *scope; /* the node's graph and those around it; NULL: captures unknown */
} xc_infer_ctx;

typedef struct xc_op_schema {
    const char *op_type;
    int since;          /* first opset version this entry describes */
    int min_in, max_in; /* max_in -1: variadic */
    int min_out, max_out;
    const xc_attr_spec *attrs; /* terminated by {NULL}; may be NULL for none */
    xc_status (*infer)(xc_infer_ctx *ctx);
} xc_op_schema;

/* 1 if op_type (ai.onnx) takes sequences or optionals as inputs (src/ops/sequence.c); every
 * other op is refused them at inference. */
int xc_op_takes_containers(const char *op_type);
/* 1 if op_type (ai.onnx) takes string tensors (src/ops/text.c); every other op is refused them. */
int xc_op_takes_strings(const char *op_type);

/* Finds the schema for op_type at opset (ai.onnx domain). NULL if none. *older_only is set to 1
 * when the op exists but only in versions newer than opset (semantics not implemented). */
const xc_op_schema *xc_schema_find(const char *op_type, int opset, int *older_only);
/* 1 if op_type is a standard ai.onnx operator name (implemented or not). */
int xc_onnx_op_known(const char *op_type);
/* 1 if the built-in tables serve op_type of a domain other than ai.onnx (its schema and kernel
 * are then found by op type as for ai.onnx). */
int xc_builtin_domain_op(const char *domain, const char *op_type);
/* Calls fn for each registered schema entry. */
void xc_schema_foreach(void (*fn)(const xc_op_schema *s, void *user), void *user);

/* ---- helpers for infer functions (src/ops/infer.c) ---- */

/* Fails with XC_ERR_UNSUPPORTED unless input i's dtype (when known) is in mask. */
xc_status xc_infer_require_type(xc_infer_ctx *c, int i, uint32_t mask);
/* out[o] gets in[i]'s dtype and shape. */
void xc_infer_copy(xc_infer_ctx *c, int o, int i);
/* Sets out[o] to dtype and a known shape. */
void xc_infer_set(xc_infer_ctx *c, int o, xc_dtype t, int rank, const int64_t *dims);
/* Sets out[o] to dtype with unknown rank. */
void xc_infer_unknown(xc_infer_ctx *c, int o, xc_dtype t);
/* Multidirectional (numpy) broadcast of the present inputs into out[o] with dtype t. */
xc_status xc_infer_broadcast(xc_infer_ctx *c, int o, xc_dtype t);
/* Broadcast of two shapes; -1 dims propagate. Fails naming both shapes if incompatible. */
xc_status xc_broadcast_shape(int ra, const int64_t *a, int rb, const int64_t *b, int *rank, int64_t *dims);
/* Reads a known int tensor input (int32/int64) as int64 values. Returns 1 if known (values and
 * count set), 0 if not known, not an int32/int64 tensor, or longer than max values: callers
 * that must reject those cases check the input themselves. */
int xc_infer_input_ints(xc_infer_ctx *c, int i, int64_t *vals, size_t max, size_t *count);
/* Reads a known scalar float input. Returns 1 if known. */
int xc_infer_input_float(xc_infer_ctx *c, int i, double *val);
/* Normalizes an axis in [-rank, rank) to [0, rank); fails naming the node otherwise. */
xc_status xc_normalize_axis(const xc_infer_ctx *c, int64_t axis, int rank, int *out);
/* Fails with XC_ERR_MODEL naming the node: "Conv: <message>". */
xc_status xc_infer_fail(const xc_infer_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fails with XC_ERR_UNSUPPORTED naming the node. */
xc_status xc_infer_unsupported(const xc_infer_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Infers subgraph g of c's node (src/infer_graph.c): g's inputs get the types in[0..n_in)
 * (NULL or dtype unknown: the declared ones), captures resolve through c's scope, and out[o]
 * gets the type of g's output o (n_out of them). A body node that fails or cannot run fails
 * the call, its message naming that node. */
xc_status xc_infer_subgraph(const xc_infer_ctx *c, const xc_graph *g, const xc_type_shape *in, int n_in, xc_type_shape *out,
                            int n_out);
/* 1 if every dim of the input's shape is known. */
int xc_infer_shape_known(const xc_type_shape *t);

#endif

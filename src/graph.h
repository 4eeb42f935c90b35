/* graph.h — the in-memory model: nodes, values, initializers, opsets, metadata.
 *
 * Ownership: xc_model owns its graph; a graph owns its nodes, value infos and initializer
 * tensors; a node owns its strings and attributes; an attribute owns its tensor or subgraph.
 * `proto` fields point into the parsed protobuf (kept alive by the model) so that fields
 * crosscheck does not understand are written back unchanged on save. Everything is freed by
 * xc_model_free(). Names are never NULL ("" for an absent optional input). */
#ifndef XC_GRAPH_H
#define XC_GRAPH_H
#include "crosscheck/model.h"
#include "tensor.h"
#include <stdarg.h>

/* Attribute types, numbered as ONNX AttributeProto.AttributeType. */
typedef enum {
    XC_ATTR_UNDEFINED = 0,
    XC_ATTR_FLOAT = 1,
    XC_ATTR_INT = 2,
    XC_ATTR_STRING = 3,
    XC_ATTR_TENSOR = 4,
    XC_ATTR_GRAPH = 5,
    XC_ATTR_FLOATS = 6,
    XC_ATTR_INTS = 7,
    XC_ATTR_STRINGS = 8,
    XC_ATTR_TENSORS = 9,
    XC_ATTR_GRAPHS = 10,
    XC_ATTR_SPARSE_TENSOR = 11,
    XC_ATTR_SPARSE_TENSORS = 12,
    XC_ATTR_TYPE_PROTO = 13,
    XC_ATTR_TYPE_PROTOS = 14
} xc_attr_type;

struct xc_graph;
struct xc_value_info;

typedef struct xc_attr {
    char *name;
    xc_attr_type type;
    float f;
    int64_t i;
    char *s; /* STRING: bytes, NUL-terminated for convenience */
    size_t s_len;
    xc_tensor *t;       /* TENSOR */
    struct xc_graph *g; /* GRAPH */
    size_t n;           /* element count of FLOATS/INTS/STRINGS/TENSORS/GRAPHS */
    float *floats;
    int64_t *ints;
    char **strings;
    size_t *string_lens;
    xc_tensor **tensors;
    struct xc_graph **graphs;
    struct xc_value_info *type_proto; /* TYPE_PROTO: the type, read as a nameless value's (Optional) */
    char *ref_attr_name;              /* may be NULL */
    char *doc_string;                 /* may be NULL */
    const void *proto;                /* original Onnx__AttributeProto or NULL */
} xc_attr;

struct xc_op_schema;

typedef struct xc_node {
    char *name, *op_type, *domain; /* domain "" means ai.onnx */
    char *doc_string;              /* may be NULL */
    int n_inputs, n_outputs, n_attrs;
    char **inputs, **outputs;
    xc_attr *attrs;
    const struct xc_op_schema *schema; /* resolved at load; NULL if crosscheck lacks the op */
    int opset;                         /* opset version of the node's domain */
    const void *proto;
} xc_node;

/* Type of a value: dtype and a shape whose dims are >= 0, or -1 when unknown (symbolic). For
 * a sequence or an optional, dtype and shape are those of the tensors it holds. */
typedef struct xc_value_info {
    char *name;
    xc_value_kind value; /* tensor, sequence(tensor), optional(tensor|sequence) */
    xc_dtype dtype;
    int rank; /* -1: rank unknown */
    int64_t dims[XC_MAX_RANK];
    char *dim_params[XC_MAX_RANK]; /* symbolic names, NULL where static */
    char *doc_string;
    const void *proto;
} xc_value_info;

typedef struct xc_graph {
    char *name, *doc_string;
    int n_nodes, n_inputs, n_outputs, n_value_info, n_initializers;
    xc_node *nodes; /* in topological order after xc_graph_validate() */
    xc_value_info *inputs, *outputs, *value_info;
    xc_tensor **initializers; /* each tensor->name is set */
    const void *proto;
} xc_graph;

typedef struct xc_opset {
    char *domain;
    int64_t version;
} xc_opset;
typedef struct xc_kv {
    char *key, *value;
} xc_kv;

struct xc_model {
    char *path; /* file it was loaded from, or NULL */
    int64_t ir_version, model_version;
    char *producer_name, *producer_version, *domain, *doc_string;
    int n_opsets, n_metadata;
    xc_opset *opsets;
    xc_kv *metadata;
    xc_graph *graph;
    void *proto;                                 /* Onnx__ModelProto (owned), keeps unknown fields alive */
    struct xc_graph_types *types;                /* load-time inference (symbolic dims unknown) */
    void (*types_free)(struct xc_graph_types *); /* set with types by validation (a layer above
                                                    the graph, which must not call it by name) */
};

/* Newest ai.onnx opset whose semantics crosscheck implements. */
#define XC_MAX_OPSET 28

/* 1 if name is an initializer of g (with *t set), else 0. */
int xc_graph_find_initializer(const xc_graph *g, const char *name, const xc_tensor **t);
/* Graph inputs that are not initializers: what a caller must feed. */
int xc_graph_is_runtime_input(const xc_graph *g, int input_index);
/* The graph's own declaration of a value (graph input, output or value_info), or NULL. */
const xc_value_info *xc_graph_declared(const xc_graph *g, const char *name);
void xc_graph_free(xc_graph *g);
void xc_node_clear(xc_node *n);
void xc_attr_clear(xc_attr *a);
void xc_value_info_clear(xc_value_info *v);

int64_t xc_model_opset(const xc_model *m, const char *domain); /* 0 when not imported */

/* Attribute lookup. Getters return the default when the attribute is absent. */
const xc_attr *xc_node_attr(const xc_node *n, const char *name);
int64_t xc_attr_int(const xc_node *n, const char *name, int64_t def);
float xc_attr_float(const xc_node *n, const char *name, float def);
const char *xc_attr_string(const xc_node *n, const char *name, const char *def);
/* INTS attribute: sets *ints/count and returns 1 if present, else 0. */
int xc_attr_ints(const xc_node *n, const char *name, const int64_t **ints, size_t *count);
int xc_attr_floats(const xc_node *n, const char *name, const float **floats, size_t *count);

/* Fails with code and "node 'x' (Op): <message>". */
xc_status xc_node_fail(const xc_node *n, xc_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
xc_status xc_node_vfail(const xc_node *n, xc_status code, const char *fmt, va_list ap);

/* Human label for errors: "node 'conv1' (Conv)" or "node #3 (Conv)". */
const char *xc_node_label(const xc_node *n, char *buf, size_t len);
/* 1 if n has a GRAPH or GRAPHS attribute (If, Loop, Scan, ...). */
int xc_node_has_subgraphs(const xc_node *n);
/* Outer-scope captures of n: the names its subgraphs (nested ones included) read but do not
 * define, each once, in first-use order; an inner definition hides an outer name of the same
 * spelling. *names (caller frees the array; the strings are borrowed from the graph) is NULL
 * and *count 0 when there are none. */
xc_status xc_node_captures(const xc_node *n, const char ***names, int *count);

/* Index of an input in n (or -1). A present input is one with a non-empty name. */
int xc_node_has_input(const xc_node *n, int i);

#endif

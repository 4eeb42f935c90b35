/* ref.h — what a reference kernel sees, and helpers kernels share.
 *
 * One plain function per operator. A family file reference/ops/<family>.c exports a table
 * `const xc_ref_kernel xc_ref_<family>[]` ending with {0}. Kernels compute in the op's own dtype
 * (half types: load as float, compute in float, round on store). Accumulation orders are
 * documented in each kernel; reductions that decide the oracle's honesty use double. */
#ifndef XC_REF_H
#define XC_REF_H
#include "backend.h"
#include "graph.h"
#include "ops/schema.h"

typedef struct xc_ref_args {
    const xc_node *node;
    int opset;
    int n_in, n_out;
    const xc_tensor *const *in; /* NULL for omitted optional inputs */
    xc_tensor **out;            /* preallocated (zeroed) when inference knew the shape; otherwise
                                    NULL and the kernel allocates with xc_tensor_new */
    const xc_type_shape *types; /* inferred output dtypes/shapes (rank -1 where data-dependent) */
    const xc_ref_scope *scope;  /* values of the node's graph and those around it (subgraph
                                    captures); NULL when the caller has none */
} xc_ref_args;

typedef xc_status (*xc_ref_fn)(xc_ref_args *a);
typedef struct xc_ref_kernel {
    const char *op_type;
    xc_ref_fn fn;
} xc_ref_kernel;

xc_ref_fn xc_ref_find(const char *op_type);
/* The kernel of node n: its domain's (ai.onnx tables, or a plugin's op), or NULL. */
xc_ref_fn xc_ref_find_node(const xc_node *n);

/* A subgraph (a loop body, a branch) prepared once and run any number of times
 * (reference/subgraph.c). Run: inputs, one per graph input, are borrowed; captures resolve
 * through outer; outputs, one per graph output, are new tensors the caller owns. Intermediate
 * values are freed after their last reader, as in the interpreter. */
typedef struct xc_ref_plan xc_ref_plan;
xc_status xc_ref_plan_create(const xc_graph *g, xc_ref_plan **out);
xc_status xc_ref_plan_run(xc_ref_plan *p, const xc_tensor *const *inputs, const xc_ref_scope *outer, xc_tensor **outputs);
void xc_ref_plan_free(xc_ref_plan *p);
/* Why the reference cannot run the subgraphs of n (a node of theirs has no schema or no
 * kernel), into buf; NULL when it can. */
const char *xc_ref_subgraphs_unsupported(const xc_node *n, char *buf, size_t len);

/* Fails naming the node: "node 'x' (Op): message". */
xc_status xc_ref_fail(const xc_ref_args *a, xc_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Equal on string tensors (reference/ops/text.c). */
xc_status xc_ref_string_equal(xc_ref_args *a);

/* Stores v into element i: integer types get v rounded half to even and clamped to their range
 * (NaN stores 0), float types get v rounded to nearest (reference/ops/quant.c; Resize uses it). */
void xc_ref_store_saturated(xc_dtype t, void *p, size_t i, double v);

/* Row-major strides (in elements) of a shape. */
void xc_ref_strides(int rank, const int64_t *dims, int64_t *strides);
/* Strides of t viewed as broadcast to (rank, dims): 0 along broadcast axes. */
void xc_ref_bcast_strides(const xc_tensor *t, int rank, const int64_t *dims, int64_t *strides);
/* Element offset of linear index i of shape (rank, dims) under the given strides. */
static inline int64_t xc_ref_offset(int64_t i, int rank, const int64_t *dims, const int64_t *strides)
{
    int64_t off = 0;
    for (int k = rank - 1; k >= 0; k--) {
        int64_t d = dims[k] ? dims[k] : 1;
        off += (i % d) * strides[k];
        i /= d;
    }
    return off;
}
#endif

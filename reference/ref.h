/* ref.h — what a reference kernel sees, and helpers kernels share.
 *
 * One plain function per operator. A family file reference/ops/<family>.c exports a table
 * `const xc_ref_kernel xc_ref_<family>[]` ending with {0}. Kernels compute in the op's own dtype
 * (half types: load as float, compute in float, round on store). Accumulation orders are
 * documented in each kernel; reductions that decide the oracle's honesty use double. */
#ifndef XC_REF_H
#define XC_REF_H
#include "graph.h"
#include "ops/schema.h"

typedef struct xc_ref_args {
    const xc_node *node;
    int opset;
    int n_in, n_out;
    const xc_tensor *const *in;  /* NULL for omitted optional inputs */
    xc_tensor **out;             /* preallocated (zeroed) when inference knew the shape; otherwise
                                    NULL and the kernel allocates with xc_tensor_new */
    const xc_type_shape *types;  /* inferred output dtypes/shapes (rank -1 where data-dependent) */
} xc_ref_args;

typedef xc_status (*xc_ref_fn)(xc_ref_args *a);
typedef struct xc_ref_kernel {
    const char *op_type;
    xc_ref_fn fn;
} xc_ref_kernel;

xc_ref_fn xc_ref_find(const char *op_type);
/* The kernel of node n: its domain's (ai.onnx tables, or a plugin's op), or NULL. */
xc_ref_fn xc_ref_find_node(const xc_node *n);

/* Fails naming the node: "node 'x' (Op): message". */
xc_status xc_ref_fail(const xc_ref_args *a, xc_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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

/* reduce.c — schemas of the reductions over a set of axes: ReduceSum, ReduceMean, ReduceProd,
 * ReduceMax, ReduceMin, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare. */
#include "schema.h"
#include <string.h>

/* Before opset 18 (13 for ReduceSum) the axes are an attribute; from then on an optional input. */
static const xc_attr_spec reduce_attrs_v1[] = {{"axes", XC_ATTR_INTS, 0}, {"keepdims", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec reduce_attrs_v18[] = {
    {"keepdims", XC_ATTR_INT, 0}, {"noop_with_empty_axes", XC_ATTR_INT, 0}, {NULL, 0, 0}};

#define AXIS_TYPES (XC_BIT(XC_INT32) | XC_BIT(XC_INT64))

/* Marks the reduced axes: the listed ones, or every axis when none is listed (no axis at all
 * under noop_with_empty_axes). Repeated axes are rejected, as numpy rejects them. */
static xc_status mark_reduced(xc_infer_ctx *c, const int64_t *axes, size_t n, int rank, int *reduced)
{
    int noop = xc_attr_int(c->node, "noop_with_empty_axes", 0) != 0;
    for (int k = 0; k < rank; k++) reduced[k] = n == 0 && !noop;
    for (size_t j = 0; j < n; j++) {
        int ax;
        XC_TRY(xc_normalize_axis(c, axes[j], rank, &ax));
        if (reduced[ax]) return xc_infer_fail(c, "axis %lld is listed twice", (long long)axes[j]);
        reduced[ax] = 1;
    }
    return XC_OK;
}

/* Reads the axes (at most XC_MAX_RANK, checked by the caller) from the attribute or from
 * input 1. Returns 1 when they are known. */
static int read_axes(xc_infer_ctx *c, int64_t *axes, size_t *n)
{
    const int64_t *attr;
    *n = 0;
    if (xc_attr_ints(c->node, "axes", &attr, n)) {
        if (*n) memcpy(axes, attr, *n * sizeof *axes);
        return 1;
    }
    if (c->n_in < 2 || !c->in[1].present) return 1;
    return xc_infer_input_ints(c, 1, axes, XC_MAX_RANK, n);
}

/* Shared by every Reduce*: the output keeps the input dtype; reduced axes become 1 (keepdims)
 * or disappear. */
static xc_status reduce_shape(xc_infer_ctx *c, uint32_t types)
{
    XC_TRY(xc_infer_require_type(c, 0, types));
    XC_TRY(xc_infer_require_type(c, 1, AXIS_TYPES));
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    int keep = xc_attr_int(c->node, "keepdims", 1) != 0;
    const xc_tensor *given = c->n_in > 1 && c->in[1].present ? c->in[1].value : NULL;
    const xc_attr *attr = xc_node_attr(c->node, "axes");
    size_t count = given ? xc_tensor_numel(given) : attr ? attr->n : 0;
    if (count > (size_t)x->rank) return xc_infer_fail(c, "%zu axes given for an input of rank %d", count, x->rank);
    int64_t axes[XC_MAX_RANK], dims[XC_MAX_RANK];
    size_t n;
    if (!read_axes(c, axes, &n)) {
        /* the axes are not known yet: keepdims alone tells the rank */
        if (!keep) {
            xc_infer_unknown(c, 0, x->dtype);
            return XC_OK;
        }
        for (int k = 0; k < x->rank; k++) dims[k] = -1;
        xc_infer_set(c, 0, x->dtype, x->rank, dims);
        return XC_OK;
    }
    int reduced[XC_MAX_RANK];
    XC_TRY(mark_reduced(c, axes, n, x->rank, reduced));
    int rank = 0;
    for (int k = 0; k < x->rank; k++)
        if (!reduced[k])
            dims[rank++] = x->dims[k];
        else if (keep)
            dims[rank++] = 1;
    xc_infer_set(c, 0, x->dtype, rank, dims);
    return XC_OK;
}

static xc_status infer_reduce(xc_infer_ctx *c) { return reduce_shape(c, XC_T_NUMERIC); }

/* Max and Min also take bool (opset 20). uint64 is left out: the reference orders integers as
 * int64, which would misplace values above INT64_MAX. */
static xc_status infer_reduce_order(xc_infer_ctx *c)
{
    return reduce_shape(c, (XC_T_NUMERIC | XC_BIT(XC_BOOL)) & ~XC_BIT(XC_UINT64));
}

/* ReduceLogSum and ReduceLogSumExp take only floats from opset 28. */
static xc_status infer_reduce_float(xc_infer_ctx *c) { return reduce_shape(c, XC_T_FLOATS); }

/* Each Reduce* op: the axes attribute version (opset 1, 11, 13...) and the axes input version. */
#define REDUCE(op, input_since, infer)                                                                                           \
    {op, 1, 1, 1, 1, 1, reduce_attrs_v1, infer}, { op, input_since, 1, 2, 1, 1, reduce_attrs_v18, infer }

const xc_op_schema xc_schemas_reduce[] = {
    REDUCE("ReduceSum", 13, infer_reduce),
    REDUCE("ReduceMean", 18, infer_reduce),
    REDUCE("ReduceProd", 18, infer_reduce),
    REDUCE("ReduceL1", 18, infer_reduce),
    REDUCE("ReduceL2", 18, infer_reduce),
    REDUCE("ReduceLogSum", 18, infer_reduce),
    {"ReduceLogSum", 28, 1, 2, 1, 1, reduce_attrs_v18, infer_reduce_float},
    REDUCE("ReduceLogSumExp", 18, infer_reduce),
    {"ReduceLogSumExp", 28, 1, 2, 1, 1, reduce_attrs_v18, infer_reduce_float},
    REDUCE("ReduceSumSquare", 18, infer_reduce),
    REDUCE("ReduceMax", 18, infer_reduce_order),
    REDUCE("ReduceMin", 18, infer_reduce_order),
    {0},
};

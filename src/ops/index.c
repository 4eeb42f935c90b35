/* index.c — schemas of the ops that work along one axis or produce indices: ArgMax, ArgMin,
 * TopK, CumSum, CumProd, NonZero, OneHot and Trilu. */
#include "schema.h"

static const xc_attr_spec arg_attrs_v1[] = {{"axis", XC_ATTR_INT, 0}, {"keepdims", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec arg_attrs_v12[] = {
    {"axis", XC_ATTR_INT, 0}, {"keepdims", XC_ATTR_INT, 0}, {"select_last_index", XC_ATTR_INT, 0}, {NULL, 0, 0}};
/* TopK-1 takes k as an attribute, TopK-10 as an input, TopK-11 adds largest and sorted. */
static const xc_attr_spec topk_attrs_v1[] = {{"axis", XC_ATTR_INT, 0}, {"k", XC_ATTR_INT, 1}, {NULL, 0, 0}};
static const xc_attr_spec topk_attrs_v10[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec topk_attrs_v11[] = {
    {"axis", XC_ATTR_INT, 0}, {"largest", XC_ATTR_INT, 0}, {"sorted", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec cum_attrs[] = {{"exclusive", XC_ATTR_INT, 0}, {"reverse", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec onehot_attrs[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec trilu_attrs[] = {{"upper", XC_ATTR_INT, 0}, {NULL, 0, 0}};

#define INDEX_TYPES (XC_BIT(XC_INT32) | XC_BIT(XC_INT64))

/* Reads a scalar (or one-element) integer input; *known says whether its value is known yet. */
static xc_status input_scalar(xc_infer_ctx *c, int i, int64_t *v, int *known)
{
    size_t n = 0;
    *known = 0;
    if (c->n_in <= i || !c->in[i].present) return XC_OK;
    const char *name = c->node->inputs[i];
    if (c->in[i].rank > 1) return xc_infer_fail(c, "input '%s' must be a scalar, has rank %d", name, c->in[i].rank);
    if (c->in[i].value && xc_tensor_numel(c->in[i].value) != 1)
        return xc_infer_fail(c, "input '%s' must hold one value, holds %zu", name, xc_tensor_numel(c->in[i].value));
    *known = xc_infer_input_ints(c, i, v, 1, &n);
    return XC_OK;
}

/* ArgMax/ArgMin: int64 indices; the axis becomes 1 (keepdims) or disappears. */
static xc_status infer_arg(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_NUMERIC));
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, XC_INT64);
        return XC_OK;
    }
    int axis, rank = 0;
    int64_t dims[XC_MAX_RANK];
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 0), x->rank, &axis));
    int keep = xc_attr_int(c->node, "keepdims", 1) != 0;
    for (int k = 0; k < x->rank; k++)
        if (k != axis)
            dims[rank++] = x->dims[k];
        else if (keep)
            dims[rank++] = 1;
    xc_infer_set(c, 0, XC_INT64, rank, dims);
    return XC_OK;
}

/* TopK: values and int64 indices, both with k entries along the axis. */
static xc_status infer_topk(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_NUMERIC));
    XC_TRY(xc_infer_require_type(c, 1, INDEX_TYPES));
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        xc_infer_unknown(c, 1, XC_INT64);
        return XC_OK;
    }
    int axis;
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", -1), x->rank, &axis));
    int64_t k = -1, dims[XC_MAX_RANK];
    int known = 1;
    if (c->n_in < 2)
        k = xc_attr_int(c->node, "k", -1); /* TopK-1 */
    else
        XC_TRY(input_scalar(c, 1, &k, &known));
    if (known && k < 0) return xc_infer_fail(c, "k is %lld, must be >= 0", (long long)k);
    if (known && x->dims[axis] >= 0 && k > x->dims[axis])
        return xc_infer_fail(c, "k is %lld, larger than the axis (%lld)", (long long)k, (long long)x->dims[axis]);
    for (int d = 0; d < x->rank; d++) dims[d] = d != axis ? x->dims[d] : known ? k : -1;
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    xc_infer_set(c, 1, XC_INT64, x->rank, dims);
    return XC_OK;
}

/* CumSum/CumProd: same shape as the input; the axis input is a scalar. */
static xc_status infer_cumulative(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_NUMERIC));
    XC_TRY(xc_infer_require_type(c, 1, INDEX_TYPES));
    int64_t axis;
    int ax, known;
    XC_TRY(input_scalar(c, 1, &axis, &known));
    if (known && c->in[0].rank >= 0) XC_TRY(xc_normalize_axis(c, axis, c->in[0].rank, &ax));
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

/* NonZero: int64 [rank, count]; the count depends on the data, so the kernel allocates. */
static xc_status infer_nonzero(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    int64_t dims[2] = {c->in[0].rank, -1};
    xc_infer_set(c, 0, XC_INT64, 2, dims);
    return XC_OK;
}

/* OneHot: the indices' shape with a depth-sized axis inserted; dtype of the values input. */
static xc_status infer_onehot(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_NUMERIC));
    XC_TRY(xc_infer_require_type(c, 1, XC_T_NUMERIC));
    XC_TRY(xc_infer_require_type(c, 2, XC_T_ALL));
    const xc_type_shape *ind = &c->in[0], *values = &c->in[2];
    if (xc_infer_shape_known(values) && (values->rank != 1 || values->dims[0] != 2))
        return xc_infer_fail(c, "values must be [off_value, on_value], a 1-D tensor of 2 elements");
    if (ind->rank < 0) {
        xc_infer_unknown(c, 0, values->dtype);
        return XC_OK;
    }
    if (ind->rank + 1 > XC_MAX_RANK) return xc_infer_unsupported(c, "output rank %d exceeds %d", ind->rank + 1, XC_MAX_RANK);
    int axis;
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", -1), ind->rank + 1, &axis));
    double depth = -1;
    if (c->in[1].rank > 1) return xc_infer_fail(c, "depth must be a scalar, has rank %d", c->in[1].rank);
    if (c->in[1].value && xc_tensor_numel(c->in[1].value) != 1)
        return xc_infer_fail(c, "depth must hold one value, holds %zu", xc_tensor_numel(c->in[1].value));
    /* a depth beyond 2^53 could never be allocated; the bound also keeps the cast defined */
    if (xc_infer_input_float(c, 1, &depth) && !(depth >= 1 && depth < 9007199254740992.0))
        return xc_infer_fail(c, "depth is %g, must be in [1, 2^53)", depth);
    int64_t dims[XC_MAX_RANK];
    for (int k = 0, j = 0; k < ind->rank + 1; k++) dims[k] = k == axis ? (int64_t)depth : ind->dims[j++];
    xc_infer_set(c, 0, values->dtype, ind->rank + 1, dims);
    return XC_OK;
}

/* Trilu: same shape as the input, which must be at least a matrix. */
static xc_status infer_trilu(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    XC_TRY(xc_infer_require_type(c, 1, XC_BIT(XC_INT64)));
    int64_t k;
    int known;
    XC_TRY(input_scalar(c, 1, &k, &known)); /* any k is valid: this only checks it is one value */
    if (c->in[0].rank >= 0 && c->in[0].rank < 2) return xc_infer_fail(c, "input must have rank >= 2, has %d", c->in[0].rank);
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

const xc_op_schema xc_schemas_index[] = {
    {"ArgMax", 1, 1, 1, 1, 1, arg_attrs_v1, infer_arg},
    {"ArgMax", 12, 1, 1, 1, 1, arg_attrs_v12, infer_arg},
    {"ArgMin", 1, 1, 1, 1, 1, arg_attrs_v1, infer_arg},
    {"ArgMin", 12, 1, 1, 1, 1, arg_attrs_v12, infer_arg},
    {"TopK", 1, 1, 1, 2, 2, topk_attrs_v1, infer_topk},
    {"TopK", 10, 2, 2, 2, 2, topk_attrs_v10, infer_topk},
    {"TopK", 11, 2, 2, 2, 2, topk_attrs_v11, infer_topk},
    {"CumSum", 11, 2, 2, 1, 1, cum_attrs, infer_cumulative},
    {"CumProd", 26, 2, 2, 1, 1, cum_attrs, infer_cumulative},
    {"NonZero", 9, 1, 1, 1, 1, NULL, infer_nonzero},
    {"OneHot", 9, 3, 3, 1, 1, onehot_attrs, infer_onehot},
    {"Trilu", 14, 1, 2, 1, 1, trilu_attrs, infer_trilu},
    {0},
};

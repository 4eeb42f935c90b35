/* pool.c — schemas of MaxPool, AveragePool, LpPool, GlobalAveragePool and GlobalMaxPool.
 * One entry per version whose attribute list changed; later versions that only admit more
 * dtypes (AveragePool-11/22, MaxPool-11/12/22, LpPool-11/22, Global*-22) share an entry, and
 * MaxPool's int8/uint8 (opset 12+) are checked against the node's opset. */
#include "conv_geom.h"

#define WINDOW_ATTRS                                                                                                             \
    {"auto_pad", XC_ATTR_STRING, 0}, {"pads", XC_ATTR_INTS, 0}, { "strides", XC_ATTR_INTS, 0 }
#define KERNEL_SHAPE                                                                                                             \
    {                                                                                                                            \
        "kernel_shape", XC_ATTR_INTS, 1                                                                                          \
    }
#define CEIL_DILATIONS                                                                                                           \
    {"ceil_mode", XC_ATTR_INT, 0}, { "dilations", XC_ATTR_INTS, 0 }
#define ATTRS_END                                                                                                                \
    {                                                                                                                            \
        NULL, 0, 0                                                                                                               \
    }

static const xc_attr_spec average_pool_1[] = {WINDOW_ATTRS, KERNEL_SHAPE, ATTRS_END};
static const xc_attr_spec average_pool_7[] = {WINDOW_ATTRS, KERNEL_SHAPE, {"count_include_pad", XC_ATTR_INT, 0}, ATTRS_END};
static const xc_attr_spec average_pool_10[] = {
    WINDOW_ATTRS, KERNEL_SHAPE, {"count_include_pad", XC_ATTR_INT, 0}, {"ceil_mode", XC_ATTR_INT, 0}, ATTRS_END};
static const xc_attr_spec average_pool_19[] = {
    WINDOW_ATTRS, KERNEL_SHAPE, {"count_include_pad", XC_ATTR_INT, 0}, CEIL_DILATIONS, ATTRS_END};
static const xc_attr_spec max_pool_1[] = {WINDOW_ATTRS, KERNEL_SHAPE, ATTRS_END};
static const xc_attr_spec max_pool_8[] = {WINDOW_ATTRS, KERNEL_SHAPE, {"storage_order", XC_ATTR_INT, 0}, ATTRS_END};
static const xc_attr_spec max_pool_10[] = {
    WINDOW_ATTRS, KERNEL_SHAPE, {"storage_order", XC_ATTR_INT, 0}, CEIL_DILATIONS, ATTRS_END};
static const xc_attr_spec lp_pool_1[] = {WINDOW_ATTRS, {"kernel_shape", XC_ATTR_INTS, 0}, {"p", XC_ATTR_FLOAT, 0}, ATTRS_END};
static const xc_attr_spec lp_pool_2[] = {WINDOW_ATTRS, KERNEL_SHAPE, {"p", XC_ATTR_INT, 0}, ATTRS_END};
static const xc_attr_spec lp_pool_18[] = {WINDOW_ATTRS, KERNEL_SHAPE, {"p", XC_ATTR_INT, 0}, CEIL_DILATIONS, ATTRS_END};

/* X is [N, C, spatial...]; *known is 0 while its rank is not known (outputs stay unknown). */
static xc_status check_pool_input(xc_infer_ctx *c, uint32_t types, int *known)
{
    XC_TRY(xc_infer_require_type(c, 0, types));
    *known = c->in[0].rank >= 0;
    if (*known && c->in[0].rank < 3) return xc_infer_fail(c, "X must have rank >= 3 (N, C, spatial...), has %d", c->in[0].rank);
    return XC_OK;
}

/* Y is [N, C, window outputs...]; MaxPool's Indices (output 1) has Y's shape. */
static xc_status infer_window_pool(xc_infer_ctx *c, uint32_t types)
{
    const xc_type_shape *x = &c->in[0];
    int known;
    XC_TRY(check_pool_input(c, types, &known));
    if (!known) {
        for (int o = 0; o < c->n_out; o++) xc_infer_unknown(c, o, o ? XC_INT64 : x->dtype);
        return XC_OK;
    }
    xc_window w;
    XC_TRY(xc_window_forward(c->node, x->rank - 2, x->dims + 2, NULL, &w));
    int64_t dims[XC_MAX_RANK] = {x->dims[0], x->dims[1]};
    for (int a = 0; a < w.nsp; a++) dims[2 + a] = w.out[a];
    for (int o = 0; o < c->n_out; o++) xc_infer_set(c, o, o ? XC_INT64 : x->dtype, x->rank, dims);
    return XC_OK;
}

static xc_status infer_max_pool(xc_infer_ctx *c)
{
    uint32_t small_ints = c->opset >= 12 ? XC_BIT(XC_INT8) | XC_BIT(XC_UINT8) : 0;
    return infer_window_pool(c, XC_T_FLOATS | small_ints);
}

static xc_status infer_float_pool(xc_infer_ctx *c) { return infer_window_pool(c, XC_T_FLOATS); }

/* Global pools: [N, C, spatial...] -> [N, C, 1, ...]. */
static xc_status infer_global_pool(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int known;
    XC_TRY(check_pool_input(c, XC_T_FLOATS, &known));
    if (!known) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    int64_t dims[XC_MAX_RANK] = {x->dims[0], x->dims[1]};
    for (int k = 2; k < x->rank; k++) dims[k] = 1;
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

const xc_op_schema xc_schemas_pool[] = {
    {"AveragePool", 1, 1, 1, 1, 1, average_pool_1, infer_float_pool},
    {"AveragePool", 7, 1, 1, 1, 1, average_pool_7, infer_float_pool},
    {"AveragePool", 10, 1, 1, 1, 1, average_pool_10, infer_float_pool},
    {"AveragePool", 19, 1, 1, 1, 1, average_pool_19, infer_float_pool},
    {"MaxPool", 1, 1, 1, 1, 1, max_pool_1, infer_max_pool},
    {"MaxPool", 8, 1, 1, 1, 2, max_pool_8, infer_max_pool},
    {"MaxPool", 10, 1, 1, 1, 2, max_pool_10, infer_max_pool},
    {"LpPool", 1, 1, 1, 1, 1, lp_pool_1, infer_float_pool},
    {"LpPool", 2, 1, 1, 1, 1, lp_pool_2, infer_float_pool},
    {"LpPool", 18, 1, 1, 1, 1, lp_pool_18, infer_float_pool},
    {"GlobalAveragePool", 1, 1, 1, 1, 1, NULL, infer_global_pool},
    {"GlobalMaxPool", 1, 1, 1, 1, 1, NULL, infer_global_pool},
    {0},
};

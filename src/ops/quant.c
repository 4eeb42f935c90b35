/* quant.c — schemas of QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear: linear (de)quantization with a scale
 * and optional zero point given per tensor, per axis (1-D along `axis`) or per block
 * (`block_size` consecutive elements along `axis` share one scale, opset 21+). Quantized
 * types: 8- and 16-bit integers, float8 (19+), int4/uint4 (21+), float4e2m1 (23+) and
 * int2/uint2 (25+); the type is not checked against the opset (the onnx checker does that).
 * DynamicQuantizeLinear picks a uint8 scale and zero point covering x's range (and 0) itself. */
#include "schema.h"
#include "checked.h"

/* The quantized integer types crosscheck can store. */
#define XC_T_QUANT                                                                                                               \
    (XC_BIT(XC_UINT8) | XC_BIT(XC_INT8) | XC_BIT(XC_UINT16) | XC_BIT(XC_INT16) | XC_T_FLOAT8 | XC_T_LOW_INTS                     \
     | XC_BIT(XC_FLOAT4E2M1))
#define XC_T_HALF_FLOATS (XC_BIT(XC_FLOAT) | XC_BIT(XC_FLOAT16) | XC_BIT(XC_BFLOAT16))

static const xc_attr_spec axis_attrs[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec q19_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"saturate", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec q21_attrs[] = {{"axis", XC_ATTR_INT, 0},
                                         {"saturate", XC_ATTR_INT, 0},
                                         {"block_size", XC_ATTR_INT, 0},
                                         {"output_dtype", XC_ATTR_INT, 0},
                                         {NULL, 0, 0}};
static const xc_attr_spec q23_attrs[] = {{"axis", XC_ATTR_INT, 0},       {"saturate", XC_ATTR_INT, 0},
                                         {"block_size", XC_ATTR_INT, 0}, {"output_dtype", XC_ATTR_INT, 0},
                                         {"precision", XC_ATTR_INT, 0},  {NULL, 0, 0}};
static const xc_attr_spec dq21_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"block_size", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec dq23_attrs[] = {
    {"axis", XC_ATTR_INT, 0}, {"block_size", XC_ATTR_INT, 0}, {"output_dtype", XC_ATTR_INT, 0}, {NULL, 0, 0}};

static int dim_differs(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }

/* 1 if dtype number t (from an attribute) is in mask. */
static int type_in(int64_t t, uint32_t mask) { return t > 0 && t < 32 && (mask & XC_BIT(t)); }

/* Input i (scale or zero point) must be one element (per tensor), 1-D of x's size along axis
 * (per axis), or, with block_size B > 0, x's shape with ceil(n / B) along axis (blocked). */
static xc_status check_scale_shape(xc_infer_ctx *c, int i)
{
    const xc_type_shape *x = &c->in[0], *s = &c->in[i];
    int64_t block = xc_attr_int(c->node, "block_size", 0);
    if (block < 0) return xc_infer_fail(c, "block_size %lld is negative", (long long)block);
    if (i >= c->n_in || !s->present || x->rank < 0 || s->rank < 0) return XC_OK;
    if (block == 0 && (s->rank == 0 || (s->rank == 1 && s->dims[0] == 1))) return XC_OK;
    int axis;
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 1), x->rank, &axis));
    if (block == 0) {
        if (s->rank != 1 || dim_differs(s->dims[0], x->dims[axis]))
            return xc_infer_fail(c, "input %d must be a scalar or 1-D of size %lld (axis %d)", i, (long long)x->dims[axis], axis);
        return XC_OK;
    }
    if (s->rank != x->rank) return xc_infer_fail(c, "blocked input %d must have rank %d", i, x->rank);
    for (int k = 0; k < x->rank; k++) {
        int64_t want = x->dims[k] < 0 ? -1 : k == axis ? xc_ceil_div_nonneg(x->dims[k], block) : x->dims[k];
        if (dim_differs(s->dims[k], want))
            return xc_infer_fail(c, "blocked input %d has dim %d = %lld, expected %lld", i, k, (long long)s->dims[k],
                                 (long long)want);
    }
    return XC_OK;
}

static xc_status check_scales(xc_infer_ctx *c)
{
    XC_TRY(check_scale_shape(c, 1));
    return check_scale_shape(c, 2);
}

/* y's type: the zero point's, else output_dtype, else uint8. */
static xc_status infer_quantize(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_HALF_FLOATS | XC_BIT(XC_DOUBLE) | XC_BIT(XC_INT32)));
    XC_TRY(xc_infer_require_type(c, 1, XC_T_HALF_FLOATS | XC_BIT(XC_DOUBLE) | XC_BIT(XC_INT32) | XC_BIT(XC_FLOAT8E8M0)));
    XC_TRY(check_scales(c));
    int64_t want = xc_attr_int(c->node, "output_dtype", 0), precision = xc_attr_int(c->node, "precision", 0);
    int has_zp = c->n_in > 2 && c->in[2].present;
    xc_dtype t = has_zp ? c->in[2].dtype : want ? (xc_dtype)want : XC_UINT8;
    if (want < 0 || (has_zp && want && t != XC_UNDEFINED && t != want))
        return xc_infer_fail(c, "output_dtype %lld does not match the zero point's type %s", (long long)want, xc_dtype_name(t));
    if (t != XC_UNDEFINED && xc_dtype_supported(t) && !(XC_T_QUANT & XC_BIT(t)))
        return xc_infer_fail(c, "%s is not a quantized type", xc_dtype_name(t));
    if (precision && !type_in(precision, XC_T_HALF_FLOATS | XC_BIT(XC_INT32)))
        return xc_infer_fail(c, "precision %lld is not float32, float16, bfloat16 or int32", (long long)precision);
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = t;
    return XC_OK;
}

/* y's type: output_dtype, else the scale's. */
static xc_status infer_dequantize(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_QUANT | XC_BIT(XC_INT32)));
    XC_TRY(xc_infer_require_type(c, 1, XC_T_HALF_FLOATS | XC_BIT(XC_FLOAT8E8M0))); /* e8m0: power-of-two scales */
    XC_TRY(check_scales(c));
    const xc_type_shape *x = &c->in[0], *zp = &c->in[2];
    if (c->n_in > 2 && zp->present && x->dtype != XC_UNDEFINED && zp->dtype != XC_UNDEFINED && zp->dtype != x->dtype)
        return xc_infer_fail(c, "zero point is %s but x is %s", xc_dtype_name(zp->dtype), xc_dtype_name(x->dtype));
    int64_t want = xc_attr_int(c->node, "output_dtype", 0);
    if (want && !type_in(want, XC_T_HALF_FLOATS))
        return xc_infer_fail(c, "output_dtype %lld is not float32, float16 or bfloat16", (long long)want);
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = want ? (xc_dtype)want : c->in[1].dtype;
    return XC_OK;
}

/* DynamicQuantizeLinear: y (uint8, x's shape), y_scale (float32 scalar), y_zero_point (uint8 scalar). */
static xc_status infer_dynamic_quantize(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_BIT(XC_FLOAT)));
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = XC_UINT8;
    xc_infer_set(c, 1, XC_FLOAT, 0, NULL);
    xc_infer_set(c, 2, XC_UINT8, 0, NULL);
    return XC_OK;
}

const xc_op_schema xc_schemas_quant[] = {
    {"DynamicQuantizeLinear", 11, 1, 1, 3, 3, NULL, infer_dynamic_quantize},
    {"QuantizeLinear", 10, 2, 3, 1, 1, NULL, infer_quantize},
    {"QuantizeLinear", 13, 2, 3, 1, 1, axis_attrs, infer_quantize},
    {"QuantizeLinear", 19, 2, 3, 1, 1, q19_attrs, infer_quantize},
    {"QuantizeLinear", 21, 2, 3, 1, 1, q21_attrs, infer_quantize},
    {"QuantizeLinear", 23, 2, 3, 1, 1, q23_attrs, infer_quantize},
    {"DequantizeLinear", 10, 2, 3, 1, 1, NULL, infer_dequantize},
    {"DequantizeLinear", 13, 2, 3, 1, 1, axis_attrs, infer_dequantize},
    {"DequantizeLinear", 21, 2, 3, 1, 1, dq21_attrs, infer_dequantize},
    {"DequantizeLinear", 23, 2, 3, 1, 1, dq23_attrs, infer_dequantize},
    {0},
};

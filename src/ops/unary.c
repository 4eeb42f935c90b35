/* unary.c — schemas of the elementwise unary operators: math functions, activations, Clip,
 * Cast/CastLike, Identity, IsNaN/IsInf, Not and Dropout (inference only).
 *
 * Versions that only widened the accepted dtypes share one entry, which accepts the widest
 * set; separate entries exist where attributes or inputs changed (the legacy consumed_inputs
 * attribute of opset 1, Clip's bounds becoming inputs, Cast's `to` becoming an int, ...). */
#include "schema.h"
#include "clip_bounds.h"
#include <float.h>
#include <math.h>
#include <string.h>

static const xc_attr_spec consumed_attrs[] = {{"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec alpha_attrs[] = {{"alpha", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec alpha_consumed_attrs[] = {
    {"alpha", XC_ATTR_FLOAT, 0}, {"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec selu_attrs[] = {{"alpha", XC_ATTR_FLOAT, 0}, {"gamma", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec selu_consumed_attrs[] = {
    {"alpha", XC_ATTR_FLOAT, 0}, {"gamma", XC_ATTR_FLOAT, 0}, {"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec hardsigmoid_attrs[] = {{"alpha", XC_ATTR_FLOAT, 0}, {"beta", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec hardsigmoid_consumed_attrs[] = {
    {"alpha", XC_ATTR_FLOAT, 0}, {"beta", XC_ATTR_FLOAT, 0}, {"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec gelu_attrs[] = {{"approximate", XC_ATTR_STRING, 0}, {NULL, 0, 0}};
static const xc_attr_spec shrink_attrs[] = {{"bias", XC_ATTR_FLOAT, 0}, {"lambd", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec clip6_attrs[] = {{"min", XC_ATTR_FLOAT, 0}, {"max", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec clip1_attrs[] = {
    {"min", XC_ATTR_FLOAT, 0}, {"max", XC_ATTR_FLOAT, 0}, {"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
/* saturate (19+) and round_mode (24+) only affect float8 targets, which crosscheck cannot store. */
static const xc_attr_spec cast1_attrs[] = {{"to", XC_ATTR_STRING, 1}, {NULL, 0, 0}};
static const xc_attr_spec cast6_attrs[] = {{"to", XC_ATTR_INT, 1}, {NULL, 0, 0}};
static const xc_attr_spec cast19_attrs[] = {{"to", XC_ATTR_INT, 1}, {"saturate", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec cast24_attrs[] = {
    {"to", XC_ATTR_INT, 1}, {"saturate", XC_ATTR_INT, 0}, {"round_mode", XC_ATTR_STRING, 0}, {NULL, 0, 0}};
static const xc_attr_spec castlike19_attrs[] = {{"saturate", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec castlike24_attrs[] = {{"saturate", XC_ATTR_INT, 0}, {"round_mode", XC_ATTR_STRING, 0}, {NULL, 0, 0}};
static const xc_attr_spec isinf_attrs[] = {
    {"detect_negative", XC_ATTR_INT, 0}, {"detect_positive", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec dropout1_attrs[] = {
    {"ratio", XC_ATTR_FLOAT, 0}, {"is_test", XC_ATTR_INT, 0}, {"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec dropout6_attrs[] = {{"ratio", XC_ATTR_FLOAT, 0}, {"is_test", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec dropout7_attrs[] = {{"ratio", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec dropout12_attrs[] = {{"seed", XC_ATTR_INT, 0}, {NULL, 0, 0}};

/* Output 0 has input 0's dtype and shape, which must be in mask. */
static xc_status infer_same(xc_infer_ctx *c, uint32_t mask)
{
    XC_TRY(xc_infer_require_type(c, 0, mask));
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

static xc_status infer_float(xc_infer_ctx *c) { return infer_same(c, XC_T_FLOATS); }
static xc_status infer_signed(xc_infer_ctx *c) { return infer_same(c, XC_T_FLOATS | XC_T_SINTS); }
static xc_status infer_numeric(xc_infer_ctx *c) { return infer_same(c, XC_T_NUMERIC); }
static xc_status infer_bool(xc_infer_ctx *c) { return infer_same(c, XC_BIT(XC_BOOL)); }
static xc_status infer_any(xc_infer_ctx *c) { return infer_same(c, ~0u); }

/* IsNaN, IsInf: float input (float8 too, opset 20+; the opset is not checked), bool output
 * of the same shape. */
static xc_status infer_float_test(xc_infer_ctx *c)
{
    XC_TRY(infer_same(c, XC_T_FLOATS | XC_T_FLOAT8));
    c->out[0].dtype = XC_BOOL;
    return XC_OK;
}

static xc_status infer_gelu(xc_infer_ctx *c)
{
    const char *approx = xc_attr_string(c->node, "approximate", "none");
    if (strcmp(approx, "none") && strcmp(approx, "tanh"))
        return xc_infer_fail(c, "approximate must be 'none' or 'tanh', not '%s'", approx);
    return infer_float(c);
}

/* Clip-11+: the optional min and max inputs are single values of the input's dtype. */
static xc_status infer_clip_inputs(xc_infer_ctx *c, uint32_t mask)
{
    for (int i = 1; i < c->n_in; i++) {
        const xc_type_shape *b = &c->in[i];
        if (!b->present) continue;
        if (b->dtype != XC_UNDEFINED && c->in[0].dtype != XC_UNDEFINED && b->dtype != c->in[0].dtype)
            return xc_infer_fail(c, "bound '%s' is %s but the input is %s", c->node->inputs[i], xc_dtype_name(b->dtype),
                                 xc_dtype_name(c->in[0].dtype));
        for (int k = 0; k < b->rank; k++)
            if (b->dims[k] >= 0 && b->dims[k] != 1) return xc_infer_fail(c, "bound '%s' must be a scalar", c->node->inputs[i]);
    }
    return infer_same(c, mask);
}

static xc_status infer_clip11(xc_infer_ctx *c) { return infer_clip_inputs(c, XC_T_FLOATS); }
static xc_status infer_clip12(xc_infer_ctx *c) { return infer_clip_inputs(c, XC_T_NUMERIC); }

void xc_clip_bounds(const xc_node *n, const double *lo_in, const double *hi_in, double *lo, double *hi)
{
    if (n->opset < 11) {
        *lo = xc_attr_float(n, "min", -FLT_MAX);
        *hi = xc_attr_float(n, "max", FLT_MAX);
    } else {
        *lo = lo_in ? *lo_in : -INFINITY;
        *hi = hi_in ? *hi_in : INFINITY;
    }
}

/* Cast-1 names the target type as a string: the TensorProto.DataType enum name. */
static const char *const onnx_type_names[] = {
    [XC_FLOAT] = "FLOAT",       [XC_UINT8] = "UINT8",         [XC_INT8] = "INT8",
    [XC_UINT16] = "UINT16",     [XC_INT16] = "INT16",         [XC_INT32] = "INT32",
    [XC_INT64] = "INT64",       [XC_STRING] = "STRING",       [XC_BOOL] = "BOOL",
    [XC_FLOAT16] = "FLOAT16",   [XC_DOUBLE] = "DOUBLE",       [XC_UINT32] = "UINT32",
    [XC_UINT64] = "UINT64",     [XC_COMPLEX64] = "COMPLEX64", [XC_COMPLEX128] = "COMPLEX128",
    [XC_BFLOAT16] = "BFLOAT16",
};

static xc_status cast_target(xc_infer_ctx *c, xc_dtype *to)
{
    int64_t t = -1;
    if (c->opset < 6) {
        const char *name = xc_attr_string(c->node, "to", "");
        for (size_t k = 1; k < sizeof onnx_type_names / sizeof onnx_type_names[0]; k++)
            if (onnx_type_names[k] && !strcmp(onnx_type_names[k], name)) t = (int64_t)k;
        if (t < 0) return xc_infer_fail(c, "'to' names no data type: '%s'", name);
    } else {
        t = xc_attr_int(c->node, "to", 0);
        if (t <= XC_UNDEFINED || t >= XC_DTYPE_COUNT) return xc_infer_fail(c, "'to' is no data type: %lld", (long long)t);
    }
    *to = (xc_dtype)t;
    if (!xc_dtype_supported(*to)) return xc_infer_unsupported(c, "casting to %s is not supported", xc_dtype_name(*to));
    return XC_OK;
}

static xc_status infer_cast(xc_infer_ctx *c)
{
    xc_dtype to = XC_UNDEFINED;
    XC_TRY(cast_target(c, &to));
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = to;
    return XC_OK;
}

/* CastLike: input 0's shape, input 1's dtype (unknown while input 1's is). */
static xc_status infer_castlike(xc_infer_ctx *c)
{
    xc_dtype to = c->in[1].dtype;
    if (to != XC_UNDEFINED && !xc_dtype_supported(to))
        return xc_infer_unsupported(c, "casting to %s is not supported", xc_dtype_name(to));
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = to;
    return XC_OK;
}

/* Dropout runs in inference mode: output = input, mask (bool from opset 10, T before) all true.
 * The legacy is_test attribute is ignored: crosscheck only runs inference. */
static xc_status infer_dropout(xc_infer_ctx *c)
{
    XC_TRY(infer_same(c, XC_T_FLOATS | XC_T_FLOAT8)); /* float8: opset 22+, not checked */
    const xc_type_shape *training = c->n_in > 2 ? &c->in[2] : NULL;
    if (training && training->present && training->value && xc_tensor_numel(training->value) > 0
        && xc_load_i64(training->value->dtype, training->value->data, 0))
        return xc_infer_unsupported(c, "training mode (random dropout) is not supported");
    if (c->n_out > 1 && c->out[1].present) {
        xc_infer_copy(c, 1, 0);
        c->out[1].dtype = c->opset >= 10 ? XC_BOOL : c->in[0].dtype;
    }
    return XC_OK;
}

#define UNARY(op, since, attrs, infer)                                                                                           \
    {                                                                                                                            \
        op, since, 1, 1, 1, 1, attrs, infer                                                                                      \
    }
/* An op defined in opset 1 with the legacy consumed_inputs attribute, dropped in opset 6. */
#define LEGACY_UNARY(op, infer6) UNARY(op, 1, consumed_attrs, infer_float), UNARY(op, 6, NULL, infer6)

const xc_op_schema xc_schemas_unary[] = {
    LEGACY_UNARY("Abs", infer_numeric),
    LEGACY_UNARY("Neg", infer_signed),
    LEGACY_UNARY("Exp", infer_float),
    LEGACY_UNARY("Log", infer_float),
    LEGACY_UNARY("Sqrt", infer_float),
    LEGACY_UNARY("Reciprocal", infer_float),
    LEGACY_UNARY("Floor", infer_float),
    LEGACY_UNARY("Ceil", infer_float),
    LEGACY_UNARY("Tanh", infer_float),
    LEGACY_UNARY("Sigmoid", infer_float),
    LEGACY_UNARY("Relu", infer_float),
    UNARY("Relu", 14, NULL, infer_signed),
    UNARY("Round", 11, NULL, infer_float),
    UNARY("Sign", 9, NULL, infer_numeric),
    UNARY("Sin", 7, NULL, infer_float),
    UNARY("Cos", 7, NULL, infer_float),
    UNARY("Tan", 7, NULL, infer_float),
    UNARY("Asin", 7, NULL, infer_float),
    UNARY("Acos", 7, NULL, infer_float),
    UNARY("Atan", 7, NULL, infer_float),
    UNARY("Sinh", 9, NULL, infer_float),
    UNARY("Cosh", 9, NULL, infer_float),
    UNARY("Asinh", 9, NULL, infer_float),
    UNARY("Acosh", 9, NULL, infer_float),
    UNARY("Atanh", 9, NULL, infer_float),
    UNARY("Erf", 9, NULL, infer_numeric),
    UNARY("Erf", 13, NULL, infer_float),
    UNARY("LeakyRelu", 1, alpha_consumed_attrs, infer_float),
    UNARY("LeakyRelu", 6, alpha_attrs, infer_float),
    UNARY("Elu", 1, alpha_consumed_attrs, infer_float),
    UNARY("Elu", 6, alpha_attrs, infer_float),
    UNARY("Selu", 1, selu_consumed_attrs, infer_float),
    UNARY("Selu", 6, selu_attrs, infer_float),
    UNARY("Celu", 12, alpha_attrs, infer_float),
    UNARY("Gelu", 20, gelu_attrs, infer_gelu),
    UNARY("Mish", 18, NULL, infer_float),
    UNARY("HardSigmoid", 1, hardsigmoid_consumed_attrs, infer_float),
    UNARY("HardSigmoid", 6, hardsigmoid_attrs, infer_float),
    UNARY("HardSwish", 14, NULL, infer_float),
    UNARY("Softplus", 1, NULL, infer_float),
    UNARY("Softsign", 1, NULL, infer_float),
    UNARY("Swish", 24, alpha_attrs, infer_float),
    UNARY("ThresholdedRelu", 10, alpha_attrs, infer_float),
    UNARY("Shrink", 9, shrink_attrs, infer_numeric),
    UNARY("Clip", 1, clip1_attrs, infer_float),
    UNARY("Clip", 6, clip6_attrs, infer_float),
    {"Clip", 11, 1, 3, 1, 1, NULL, infer_clip11},
    {"Clip", 12, 1, 3, 1, 1, NULL, infer_clip12},
    UNARY("Cast", 1, cast1_attrs, infer_cast),
    UNARY("Cast", 6, cast6_attrs, infer_cast),
    UNARY("Cast", 19, cast19_attrs, infer_cast),
    UNARY("Cast", 24, cast24_attrs, infer_cast),
    {"CastLike", 15, 2, 2, 1, 1, NULL, infer_castlike},
    {"CastLike", 19, 2, 2, 1, 1, castlike19_attrs, infer_castlike},
    {"CastLike", 24, 2, 2, 1, 1, castlike24_attrs, infer_castlike},
    UNARY("Identity", 1, NULL, infer_any),
    UNARY("IsNaN", 9, NULL, infer_float_test),
    UNARY("IsInf", 10, isinf_attrs, infer_float_test),
    UNARY("Not", 1, NULL, infer_bool),
    {"Dropout", 1, 1, 1, 1, 2, dropout1_attrs, infer_dropout},
    {"Dropout", 6, 1, 1, 1, 2, dropout6_attrs, infer_dropout},
    {"Dropout", 7, 1, 1, 1, 2, dropout7_attrs, infer_dropout},
    {"Dropout", 12, 1, 3, 1, 2, dropout12_attrs, infer_dropout},
    {0},
};

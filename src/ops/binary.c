/* binary.c — schemas of the elementwise binary family: arithmetic (Add Sub Mul Div Pow Mod),
 * variadic (Max Min Sum Mean), comparisons, logic (And Or Xor), bitwise ops, Where and PRelu.
 *
 * Opset 7+ (8+ for the variadic ops) broadcast numpy-style. Older versions either require equal
 * shapes or, with broadcast=1, use the legacy rule: B's shape matches a contiguous run of A's dims
 * starting at `axis` (default: A's trailing dims), size-1 dims of B broadcasting. */
#include "schema.h"
#include <string.h>

/* The dtypes each op computes on, and whether its output is bool. Versions differ only in how
 * many types the spec lists; every listed type is accepted at every version. */
typedef struct elementwise_rule {
    const char *op_type;
    uint32_t types;
    int bool_out;
} elementwise_rule;

#define T_BOOL XC_BIT(XC_BOOL)

static const elementwise_rule rules[] = {
    {"Add", XC_T_NUMERIC, 0},
    {"Sub", XC_T_NUMERIC, 0},
    {"Mul", XC_T_NUMERIC, 0},
    {"Div", XC_T_NUMERIC, 0},
    {"Mod", XC_T_NUMERIC, 0},
    {"Max", XC_T_NUMERIC, 0},
    {"Min", XC_T_NUMERIC, 0},
    {"Sum", XC_T_FLOATS, 0},
    {"Mean", XC_T_FLOATS, 0},
    {"Equal", XC_T_ALL | XC_BIT(XC_STRING), 1},
    {"Less", XC_T_NUMERIC, 1},
    {"LessOrEqual", XC_T_NUMERIC, 1},
    {"Greater", XC_T_NUMERIC, 1},
    {"GreaterOrEqual", XC_T_NUMERIC, 1},
    {"And", T_BOOL, 1},
    {"Or", T_BOOL, 1},
    {"Xor", T_BOOL, 1},
    {"BitShift", XC_T_INTS, 0},
    {"BitwiseAnd", XC_T_INTS, 0},
    {"BitwiseOr", XC_T_INTS, 0},
    {"BitwiseXor", XC_T_INTS, 0},
    {"BitwiseNot", XC_T_INTS, 0},
    {"Pow", XC_T_FLOATS | XC_T_SINTS, 0},
    {"PRelu", XC_T_FLOATS | XC_T_SINTS, 0},
    {"Where", XC_T_ALL, 0},
};

static const elementwise_rule *rule_of(const xc_node *n)
{
    for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++)
        if (!strcmp(rules[k].op_type, n->op_type)) return &rules[k];
    return NULL;
}

/* Checks inputs [first, n_in) against the op's types and against each other; *t gets their
 * dtype (XC_UNDEFINED while none is known). */
static xc_status common_dtype(xc_infer_ctx *c, int first, xc_dtype *t)
{
    const elementwise_rule *r = rule_of(c->node);
    *t = XC_UNDEFINED;
    for (int i = first; i < c->n_in; i++) {
        XC_TRY(xc_infer_require_type(c, i, r->types));
        xc_dtype ti = c->in[i].present ? c->in[i].dtype : XC_UNDEFINED;
        if (ti == XC_UNDEFINED) continue;
        if (*t != XC_UNDEFINED && ti != *t)
            return xc_infer_fail(c, "inputs must share one dtype, got %s and %s", xc_dtype_name(*t), xc_dtype_name(ti));
        *t = ti;
    }
    return XC_OK;
}

static xc_dtype out_dtype(const xc_infer_ctx *c, xc_dtype t) { return rule_of(c->node)->bool_out ? XC_BOOL : t; }

/* Opset 7+ (variadic: 8+): numpy broadcasting of all inputs. */
static xc_status infer_numpy(xc_infer_ctx *c)
{
    xc_dtype t;
    XC_TRY(common_dtype(c, 0, &t));
    return xc_infer_broadcast(c, 0, out_dtype(c, t));
}

/* Old versions without broadcasting: every input has the same shape. */
static xc_status infer_same_shape(xc_infer_ctx *c)
{
    const xc_type_shape *first = NULL;
    for (int i = 0; i < c->n_in; i++) {
        const xc_type_shape *x = &c->in[i];
        if (!x->present || x->rank < 0) continue;
        if (!first) first = x;
        int same = x->rank == first->rank;
        for (int k = 0; same && k < x->rank; k++) same = x->dims[k] < 0 || first->dims[k] < 0 || x->dims[k] == first->dims[k];
        if (!same)
            return xc_infer_fail(c, "inputs 0 and %d differ in shape, and this version (opset %d) does not broadcast", i,
                                 c->opset);
    }
    return infer_numpy(c);
}

/* Checks that b, placed at dims [axis, axis + b->rank) of a, matches them: each of its dims equal
 * or 1. Unknown dims are assumed to fit. */
static xc_status check_placed(const xc_infer_ctx *c, const xc_type_shape *a, const xc_type_shape *b, int64_t axis)
{
    if (axis < 0 || axis + b->rank > a->rank)
        return xc_infer_fail(c, "input 1 of rank %d does not fit input 0 of rank %d at axis %lld", b->rank, a->rank,
                             (long long)axis);
    for (int k = 0; k < b->rank; k++) {
        int64_t da = a->dims[axis + k], db = b->dims[k];
        if (da >= 0 && db >= 0 && db != da && db != 1)
            return xc_infer_fail(c, "input 1 dim %d (%lld) does not match input 0 dim %lld (%lld)", k, (long long)db,
                                 (long long)(axis + k), (long long)da);
    }
    return XC_OK;
}

/* Opset < 7 with broadcast/axis attributes: the output has A's shape. */
static xc_status infer_legacy(xc_infer_ctx *c)
{
    if (!xc_attr_int(c->node, "broadcast", 0)) return infer_same_shape(c);
    const xc_type_shape *a = &c->in[0], *b = &c->in[1];
    xc_dtype t;
    XC_TRY(common_dtype(c, 0, &t));
    if (a->rank < 0) {
        xc_infer_unknown(c, 0, out_dtype(c, t));
        return XC_OK;
    }
    xc_infer_set(c, 0, out_dtype(c, t), a->rank, a->dims);
    if (b->rank < 0) return XC_OK;
    int64_t axis = xc_attr_int(c->node, "axis", a->rank - b->rank);
    return check_placed(c, a, b, axis < 0 ? axis + a->rank : axis);
}

static xc_status infer_mod(xc_infer_ctx *c)
{
    int64_t fmod = xc_attr_int(c->node, "fmod", 0);
    if (fmod != 0 && fmod != 1) return xc_infer_fail(c, "fmod must be 0 or 1, got %lld", (long long)fmod);
    /* Before opset 28, floor-style modulo was only defined for integers. */
    if (!fmod && c->opset < 28 && xc_dtype_is_float(c->in[0].dtype))
        return xc_infer_fail(c, "fmod=0 needs integer inputs before opset 28, got %s", xc_dtype_name(c->in[0].dtype));
    return infer_numpy(c);
}

static xc_status infer_bitshift(xc_infer_ctx *c)
{
    const char *dir = xc_attr_string(c->node, "direction", "");
    if (strcmp(dir, "LEFT") && strcmp(dir, "RIGHT")) return xc_infer_fail(c, "direction must be LEFT or RIGHT, got '%s'", dir);
    for (int i = 0; i < c->n_in && c->opset < 28; i++) /* before opset 28, T is unsigned only */
        if (c->in[i].present && c->in[i].dtype != XC_UNDEFINED && xc_dtype_is_int(c->in[i].dtype)
            && xc_dtype_is_signed(c->in[i].dtype))
            return xc_infer_fail(c, "input '%s' is %s; BitShift before opset 28 takes unsigned integers only", c->node->inputs[i],
                                 xc_dtype_name(c->in[i].dtype));
    return infer_numpy(c);
}

/* Pow: the exponent may have any numeric dtype; the output has the base's. */
static xc_status infer_pow(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, rule_of(c->node)->types));
    XC_TRY(xc_infer_require_type(c, 1, XC_T_NUMERIC));
    return xc_infer_broadcast(c, 0, c->in[0].dtype);
}

static xc_status infer_where(xc_infer_ctx *c)
{
    xc_dtype t;
    if (c->in[0].dtype != XC_UNDEFINED && c->in[0].dtype != XC_BOOL)
        return xc_infer_fail(c, "condition must be bool, got %s", xc_dtype_name(c->in[0].dtype));
    XC_TRY(common_dtype(c, 1, &t));
    return xc_infer_broadcast(c, 0, t);
}

/* PRelu: the output has X's shape; the slope broadcasts to it one way. Before opset 7 a slope
 * that is not a single value runs along the channel axis 1 (Caffe2 style). */
static xc_status infer_prelu(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0], *slope = &c->in[1];
    xc_dtype t;
    XC_TRY(common_dtype(c, 0, &t));
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = t;
    if (x->rank < 0 || slope->rank < 0) return XC_OK;
    if (c->opset >= 7) return check_placed(c, x, slope, x->rank - slope->rank);
    int single = 1;
    for (int k = 0; k < slope->rank; k++) single &= slope->dims[k] == 1;
    if (single) return XC_OK;
    return check_placed(c, x, slope, slope->rank < x->rank ? 1 : 0);
}

static const xc_attr_spec legacy_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"broadcast", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec legacy_consumed_attrs[] = {
    {"axis", XC_ATTR_INT, 0}, {"broadcast", XC_ATTR_INT, 0}, {"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec consumed_attrs[] = {{"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec mod_attrs[] = {{"fmod", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec bitshift_attrs[] = {{"direction", XC_ATTR_STRING, 1}, {NULL, 0, 0}};

#define ARITH(op)                                                                                                                \
    {op, 1, 2, 2, 1, 1, legacy_consumed_attrs, infer_legacy}, {op, 6, 2, 2, 1, 1, legacy_attrs, infer_legacy},                   \
    {                                                                                                                            \
        op, 7, 2, 2, 1, 1, NULL, infer_numpy                                                                                     \
    }
#define LOGIC(op)                                                                                                                \
    {op, 1, 2, 2, 1, 1, legacy_attrs, infer_legacy}, { op, 7, 2, 2, 1, 1, NULL, infer_numpy }
#define VARIADIC(op)                                                                                                             \
    {op, 1, 1, -1, 1, 1, consumed_attrs, infer_same_shape}, {op, 6, 1, -1, 1, 1, NULL, infer_same_shape},                        \
    {                                                                                                                            \
        op, 8, 1, -1, 1, 1, NULL, infer_numpy                                                                                    \
    }

const xc_op_schema xc_schemas_binary[] = {
    ARITH("Add"),
    ARITH("Sub"),
    ARITH("Mul"),
    ARITH("Div"),
    {"Pow", 1, 2, 2, 1, 1, legacy_attrs, infer_legacy},
    {"Pow", 7, 2, 2, 1, 1, NULL, infer_pow},
    {"Mod", 10, 2, 2, 1, 1, mod_attrs, infer_mod},
    VARIADIC("Max"),
    VARIADIC("Min"),
    VARIADIC("Sum"),
    VARIADIC("Mean"),
    LOGIC("Equal"),
    LOGIC("Less"),
    LOGIC("Greater"),
    LOGIC("And"),
    LOGIC("Or"),
    LOGIC("Xor"),
    {"LessOrEqual", 12, 2, 2, 1, 1, NULL, infer_numpy},
    {"GreaterOrEqual", 12, 2, 2, 1, 1, NULL, infer_numpy},
    {"Where", 9, 3, 3, 1, 1, NULL, infer_where},
    {"PRelu", 1, 2, 2, 1, 1, consumed_attrs, infer_prelu},
    {"PRelu", 6, 2, 2, 1, 1, NULL, infer_prelu},
    {"BitShift", 11, 2, 2, 1, 1, bitshift_attrs, infer_bitshift},
    {"BitwiseAnd", 18, 2, 2, 1, 1, NULL, infer_numpy},
    {"BitwiseOr", 18, 2, 2, 1, 1, NULL, infer_numpy},
    {"BitwiseXor", 18, 2, 2, 1, 1, NULL, infer_numpy},
    {"BitwiseNot", 18, 1, 1, 1, 1, NULL, infer_numpy},
    {0},
};

/* qlinear.c — schemas of the integer-arithmetic quantized products: MatMulInteger and
 * ConvInteger (int32 results of (a - a_zero_point) x (b - b_zero_point)), and QLinearMatMul and
 * QLinearConv (the same products requantized with a_scale * b_scale / y_scale onto y's zero
 * point). MatMul operands follow numpy.matmul broadcasting; Conv takes Conv's attributes. A
 * zero point or scale is one value (per tensor), or one per row of a / per column of b (per
 * output channel of w for the convolutions). */
#include "schema.h"
#include "conv_geom.h"
#include "matmul_einsum.h"

#define T_8BIT (XC_BIT(XC_INT8) | XC_BIT(XC_UINT8))
#define T_SCALE (XC_BIT(XC_FLOAT) | XC_BIT(XC_FLOAT16) | XC_BIT(XC_BFLOAT16))

static int dims_clash(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }

/* Input i (a zero point or scale) must hold 1 or `per` values (per < 0: unknown). */
static xc_status check_param(xc_infer_ctx *c, int i, int64_t per, const char *per_what)
{
    const xc_type_shape *t = &c->in[i];
    if (i >= c->n_in || !t->present || !xc_infer_shape_known(t)) return XC_OK;
    int64_t n = 1;
    for (int k = 0; k < t->rank; k++) n *= t->dims[k];
    if (n == 1 || (t->rank == 1 && !dims_clash(n, per))) return XC_OK;
    return xc_infer_fail(c, "input %d ('%s') must hold one value or one per %s (%lld)", i, c->node->inputs[i], per_what,
                         (long long)per);
}

/* A zero point must have its operand's type. */
static xc_status check_zero_point(xc_infer_ctx *c, int zp, int operand)
{
    const xc_type_shape *z = &c->in[zp], *x = &c->in[operand];
    if (zp < c->n_in && z->present && z->dtype && x->dtype && z->dtype != x->dtype)
        return xc_infer_fail(c, "zero point '%s' is %s but its operand is %s", c->node->inputs[zp], xc_dtype_name(z->dtype),
                             xc_dtype_name(x->dtype));
    return XC_OK;
}

/* out[0] = numpy.matmul's shape of inputs ia and ib, with dtype t. */
static xc_status infer_matmul_integer(xc_infer_ctx *c)
{
    for (int i = 0; i < 4; i++) XC_TRY(xc_infer_require_type(c, i, T_8BIT));
    XC_TRY(check_zero_point(c, 2, 0));
    XC_TRY(check_zero_point(c, 3, 1));
    int64_t m, n;
    XC_TRY(xc_infer_matmul_shape(c, 0, 1, XC_INT32, &m, &n));
    XC_TRY(check_param(c, 2, m, "row of A"));
    return check_param(c, 3, n, "column of B");
}

/* Inputs a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp; y has y_zp's type. */
static xc_status infer_qlinear_matmul(xc_infer_ctx *c)
{
    static const int quant[] = {0, 2, 3, 5, 7}, scale[] = {1, 4, 6};
    for (int i = 0; i < 5; i++) XC_TRY(xc_infer_require_type(c, quant[i], T_8BIT));
    for (int i = 0; i < 3; i++) XC_TRY(xc_infer_require_type(c, scale[i], T_SCALE));
    XC_TRY(check_zero_point(c, 2, 0));
    XC_TRY(check_zero_point(c, 5, 3));
    int64_t m, n;
    XC_TRY(xc_infer_matmul_shape(c, 0, 3, c->in[7].dtype, &m, &n));
    XC_TRY(check_param(c, 1, m, "row of a"));
    XC_TRY(check_param(c, 2, m, "row of a"));
    XC_TRY(check_param(c, 4, n, "column of b"));
    XC_TRY(check_param(c, 5, n, "column of b"));
    XC_TRY(check_param(c, 6, m, "row of y"));
    return check_param(c, 7, m, "row of y");
}

/* out[0] = Conv's output shape for X = input ix and W = input iw, with dtype t; *m = W's
 * output channels (-1 unknown). */
static xc_status conv_shape(xc_infer_ctx *c, int ix, int iw, xc_dtype t, int64_t *m)
{
    const xc_type_shape *x = &c->in[ix], *w = &c->in[iw];
    *m = w->rank > 0 ? w->dims[0] : -1;
    if (x->rank < 0 || w->rank < 0) {
        xc_infer_unknown(c, 0, t);
        return XC_OK;
    }
    if (x->rank < 3 || x->rank != w->rank || x->rank > 5)
        return xc_infer_fail(c, "X and W must have the same rank, 3 to 5 (N, C, spatial...), got %d and %d", x->rank, w->rank);
    int64_t group = xc_attr_int(c->node, "group", 1);
    if (group < 1) return xc_infer_fail(c, "group is %lld", (long long)group);
    if (x->dims[1] >= 0 && w->dims[1] >= 0 && x->dims[1] != w->dims[1] * group)
        return xc_infer_fail(c, "X has %lld channels but W expects %lld (group %lld)", (long long)x->dims[1],
                             (long long)(w->dims[1] * group), (long long)group);
    if (*m >= 0 && *m % group)
        return xc_infer_fail(c, "%lld output channels are not divisible by group %lld", (long long)*m, (long long)group);
    xc_window win;
    XC_TRY(xc_window_forward(c->node, x->rank - 2, x->dims + 2, w->dims + 2, &win));
    int64_t dims[XC_MAX_RANK] = {x->dims[0], *m};
    for (int a = 0; a < x->rank - 2; a++) dims[2 + a] = win.out[a];
    xc_infer_set(c, 0, t, x->rank, dims);
    return XC_OK;
}

static xc_status infer_conv_integer(xc_infer_ctx *c)
{
    for (int i = 0; i < 4; i++) XC_TRY(xc_infer_require_type(c, i, T_8BIT));
    XC_TRY(check_zero_point(c, 2, 0));
    XC_TRY(check_zero_point(c, 3, 1));
    int64_t m;
    XC_TRY(conv_shape(c, 0, 1, XC_INT32, &m));
    XC_TRY(check_param(c, 2, 1, "tensor"));
    return check_param(c, 3, m, "output channel");
}

/* Inputs x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B (int32 bias). */
static xc_status infer_qlinear_conv(xc_infer_ctx *c)
{
    static const int quant[] = {0, 2, 3, 5, 7}, scale[] = {1, 4, 6};
    for (int i = 0; i < 5; i++) XC_TRY(xc_infer_require_type(c, quant[i], T_8BIT));
    for (int i = 0; i < 3; i++) XC_TRY(xc_infer_require_type(c, scale[i], XC_BIT(XC_FLOAT)));
    XC_TRY(xc_infer_require_type(c, 8, XC_BIT(XC_INT32)));
    XC_TRY(check_zero_point(c, 2, 0));
    XC_TRY(check_zero_point(c, 5, 3));
    int64_t m;
    XC_TRY(conv_shape(c, 0, 3, c->in[7].dtype, &m));
    static const int per_tensor[] = {1, 2, 6, 7};
    for (int i = 0; i < 4; i++) XC_TRY(check_param(c, per_tensor[i], 1, "tensor"));
    XC_TRY(check_param(c, 4, m, "output channel"));
    XC_TRY(check_param(c, 5, m, "output channel"));
    if (c->n_in > 8 && c->in[8].present && c->in[8].rank >= 0 && (c->in[8].rank != 1 || dims_clash(c->in[8].dims[0], m)))
        return xc_infer_fail(c, "B must be 1-D with one value per output channel (%lld)", (long long)m);
    return XC_OK;
}

const xc_op_schema xc_schemas_qlinear[] = {
    {"MatMulInteger", 10, 2, 4, 1, 1, NULL, infer_matmul_integer},
    {"ConvInteger", 10, 2, 4, 1, 1, xc_conv_attrs, infer_conv_integer},
    {"QLinearMatMul", 10, 8, 8, 1, 1, NULL, infer_qlinear_matmul},
    {"QLinearConv", 10, 8, 9, 1, 1, xc_conv_attrs, infer_qlinear_conv},
    {0},
};

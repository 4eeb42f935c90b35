/* quant.c — the quant layer kind: ONNX QuantizeLinear (float32 -> int8/uint8/int16/uint16) and
 * DequantizeLinear (those and int32 -> float32), float32 scales per tensor or per axis (blocked
 * scales are left to the reference). Constant scales and zero points are uploaded as float32 /
 * int32 arrays (exact whatever the layer's storage); ones computed at run time are read as
 * they are stored. Tactic quant.linear
 * (kernels/quant.cl): one element per work-item. These are the Q/DQ layers of an explicitly
 * quantized (QDQ) model that the qdq_fusion pass did not fold into an int8 conv or gemm; with
 * that pass off (--disable-fusion qdq_fusion) every Q and DQ runs here. */
#include "axis_util.h"
#include "quant_util.h"
#include <stdio.h>
#include <string.h>

static int is_q(const xc_node *n) { return !strcmp(n->op_type, "QuantizeLinear"); }

static int zero_point(const xc_layer *l) { return l->n_in > 2 ? l->in[2] : -1; }

/* The per-axis view of x: the count of scales and the elements sharing one. */
static int axis_view(const xc_engine *e, const xc_layer *l, int64_t *axis_n, int64_t *inner)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    *axis_n = *inner = 1;
    if (xc_et_numel(&e->tensors[l->in[1]]) == 1) return 1;
    int axis = ax_normalize(xc_attr_int(l->node, "axis", 1), x->rank);
    if (axis < 0) return 0;
    ax_split s = ax_split_at(x, axis);
    *axis_n = s.n;
    *inner = s.inner;
    return 1;
}

static int accepts(const xc_engine *e, const xc_layer *l)
{
    const xc_node *n = l->node;
    if (n->domain[0] || (!is_q(n) && strcmp(n->op_type, "DequantizeLinear")) || l->n_in < 2 || l->n_out != 1) return 0;
    if (l->in[0] < 0 || l->in[1] < 0 || l->out[0] < 0 || xc_attr_int(n, "block_size", 0) != 0) return 0;
    int64_t precision = xc_attr_int(n, "precision", 0); /* the type x / scale is computed in */
    if (precision && precision != XC_FLOAT) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    if (x->value || !xc_et_numel(x) || xc_et_numel(x) >= (size_t)1 << 31) return 0;
    if (is_q(n) ? x->dtype != XC_FLOAT || !xq_is_q16(y->dtype)
                : (!xq_is_q16(x->dtype) && x->dtype != XC_INT32) || y->dtype != XC_FLOAT)
        return 0;
    int64_t axis_n, inner;
    return axis_view(e, l, &axis_n, &inner) && xq_params_ok(e, l->in[1], zero_point(l), (size_t)axis_n, 1);
}

/* Whether scale and zero point are both constants (then uploaded as float32 / int32). */
static int params_constant(const xc_engine *e, const xc_layer *l)
{
    return e->tensors[l->in[1]].value && (zero_point(l) < 0 || e->tensors[zero_point(l)].value);
}

static xc_status linear_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    int64_t axis_n, inner;
    axis_view(e, l, &axis_n, &inner);
    int ws = -1, wz = -1, constant = params_constant(e, l), zp = zero_point(l);
    if (constant) XC_TRY(xq_params_upload(e, l, "linear", l->in[1], zp, (size_t)axis_n, &ws, &wz));
    char opts[256] = "-cl-fp32-correctly-rounded-divide-sqrt";
    snprintf(opts + strlen(opts), sizeof opts - strlen(opts), "%s%s -DZ_T=%s", constant ? "" : " -DS_RUNTIME",
             constant || zp >= 0 ? "" : " -DZ_ABSENT", constant || zp < 0 ? "int" : xq_cl_type(e->tensors[zp].dtype));
    if (is_q(l->node))
        xq_sat_defines(opts, sizeof opts, y->dtype);
    else
        snprintf(opts + strlen(opts), sizeof opts - strlen(opts), " -DX_T=%s", xq_cl_type(x->dtype));
    snprintf(opts + strlen(opts), sizeof opts - strlen(opts), " %s", defines ? defines : "");
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "quant.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, is_q(l->node) ? "quantize" : "dequantize");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    if (constant) {
        xc_launch_weight(k, ws);
        xc_launch_weight(k, wz);
    } else { /* no zero point: the scale stands in, never read (z = 0 comes from Z_ABSENT) */
        XC_TRY(xc_launch_input(e, l, k, l->in[1]));
        XC_TRY(xc_launch_input(e, l, k, zp >= 0 ? zp : l->in[1]));
    }
    xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, (int64_t)xc_et_numel(x));
    xc_launch_int(k, axis_n);
    xc_launch_int(k, inner);
    xc_launch_1d(k, xc_et_numel(x));
    return XC_OK;
}

static const xc_tactic linear = {"quant.linear", NULL, NULL, linear_prepare, NULL};
static const xc_tactic *const tactics[] = {&linear, NULL};
const xc_layer_kind xc_kind_quant = {"quant", accepts, tactics, 0};

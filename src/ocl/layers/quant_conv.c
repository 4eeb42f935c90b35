/* quant_conv.c — the qconv layer kind: an int8 Conv the qdq_fusion pass formed from
 * DequantizeLinear(x) -> Conv <- DequantizeLinear(w) [-> QuantizeLinear]: int8/uint8 input and
 * weights (per-tensor or per-output-channel scales), int32 accumulation, the epilogue
 * (x_scale * w_scale, bias, activation, requantize) fused (kernels/quant_epilogue.cl).
 * Tactic qconv.direct (kernels/quant_conv.cl): one work-item per output element. Layer inputs:
 * quant_util.h (XQ_*). Never chosen by lowering: accepts nothing on its own. */
#include "axis_util.h"
#include "ops/conv_geom.h"
#include "ocl/program.h"
#include "quant_util.h"
#include <stdio.h>
#include <string.h>

static int accepts(const xc_engine *e, const xc_layer *l)
{
    (void)e;
    (void)l;
    return 0;
}

static xc_status direct_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = &e->tensors[l->in[XQ_X]], *wt = &e->tensors[l->in[XQ_W]], *y = &e->tensors[l->out[0]];
    int nsp = x->rank - 2;
    xc_window win;
    XC_TRY(xc_window_forward(l->node, nsp, x->dims + 2, wt->dims + 2, &win));
    xc_window_lift(&win, 2);
    xq_packed pk;
    XC_TRY(xq_pack(e, l, (int)wt->dims[0], 0, 1.0f, 1.0f, &pk));
    char opts[512];
    snprintf(opts, sizeof opts, "%s", defines ? defines : "");
    xq_layer_defines(e, l, pk.wide, opts, sizeof opts);
    const char *body = xc_kernel_source("quant_conv.cl");
    if (!body) return xc_fail(XC_ERR_INTERNAL, "kernel source kernels/quant_conv.cl is not embedded");
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "quant_epilogue.cl", body, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "qconv_direct");
    XC_TRY(xq_bind_common(e, l, k, &pk));
    const int64_t geom[] = {x->dims[0], x->dims[1], win.in[0], win.in[1], wt->dims[0], win.out[0], win.out[1], win.kernel[0],
                            win.kernel[1], win.stride[0], win.stride[1], win.dilation[0], win.dilation[1], win.pad_begin[0],
                            win.pad_begin[1], xc_attr_int(l->node, "group", 1)};
    for (size_t i = 0; i < sizeof geom / sizeof geom[0]; i++) xc_launch_int(k, geom[i]);
    mv_launch_1d(k, xc_et_numel(y));
    return XC_OK;
}

static const xc_tactic direct = {"qconv.direct", NULL, NULL, direct_prepare, NULL};
static const xc_tactic *const tactics[] = {&direct, NULL};
const xc_layer_kind xc_kind_qconv = {"qconv", accepts, tactics};

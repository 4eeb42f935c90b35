/* quant_conv.c — the qconv layer kind: an int8 Conv the qdq_fusion pass formed from
 * DequantizeLinear(x) -> Conv <- DequantizeLinear(w) [-> QuantizeLinear]: int8/uint8 input and
 * weights (per-tensor or per-output-channel scales), int32 accumulation, the epilogue
 * (x_scale * w_scale, bias, activation, requantize) fused (kernels/quant_epilogue.cl).
 * Tactics (kernels/quant_conv.cl): qconv.direct, one work-item per output element (baseline);
 * qconv.blocked.<RM>x<RN>, RM output channels x RN output columns per work-item. Layer inputs:
 * quant_util.h (XQ_*). Never chosen by lowering: accepts nothing on its own. */
#include "axis_util.h"
#include "ops/conv_geom.h"
#include "ocl/program.h"
#include "quant_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int accepts(const xc_engine *e, const xc_layer *l)
{
    (void)e;
    (void)l;
    return 0;
}

/* Both tactics: kernel qconv_direct, or qconv_blocked when the defines give RM and RN. */
static xc_status prepare(xc_engine *e, xc_layer *l, const char *defines)
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
    int rm = xc_define_int(defines, "RM", 0), rn = xc_define_int(defines, "RN", 0);
    xc_launch *k = xc_layer_add_launch(l, p, rm ? "qconv_blocked" : "qconv_direct");
    XC_TRY(xq_bind_common(e, l, k, &pk));
    const int64_t geom[] = {x->dims[0],      x->dims[1],       win.in[0],        win.in[1],
                            wt->dims[0],     win.out[0],       win.out[1],       win.kernel[0],
                            win.kernel[1],   win.stride[0],    win.stride[1],    win.dilation[0],
                            win.dilation[1], win.pad_begin[0], win.pad_begin[1], xc_attr_int(l->node, "group", 1)};
    for (size_t i = 0; i < sizeof geom / sizeof geom[0]; i++) xc_launch_int(k, geom[i]);
    if (!rm) {
        xc_launch_1d(k, xc_et_numel(y));
        return XC_OK;
    }
    int64_t g = geom[15], mg = wt->dims[0] / g;
    size_t items =
        (size_t)x->dims[0] * (size_t)g * (size_t)((mg + rm - 1) / rm) * (size_t)win.out[0] * (size_t)((win.out[1] + rn - 1) / rn);
    xc_launch_1d(k, items);
    return XC_OK;
}

static const xc_variant blocks[] = {
    {"4x4", "-DRM=4 -DRN=4"}, {"8x4", "-DRM=8 -DRN=4"}, {"8x8", "-DRM=8 -DRN=8"}, {"16x4", "-DRM=16 -DRN=4"}, {NULL, NULL}};
static const xc_variant cpu_blocks[] = {{"8x4", "-DRM=8 -DRN=4"}, {NULL, NULL}};
static const xc_tactic direct = {"qconv.direct", NULL, NULL, prepare, NULL};
static const xc_tactic blocked = {"qconv.blocked", NULL, blocks, prepare, cpu_blocks};
static const xc_tactic *const tactics[] = {&direct, &blocked, NULL};
const xc_layer_kind xc_kind_qconv = {"qconv", accepts, tactics, 0};

/* gemm_residual.c — fuses an Add of a MatMul's output and another tensor of that shape into the
 * product's epilogue, as Gemm's C with beta 1: transformer blocks end their attention output and
 * FFN projections so, before the LayerNorm (TensorRT fuses it likewise). After gemm_bias_act (the
 * bias is the epilogue's already; an activation between the two stops it) and after the int8
 * passes (a layer they made int8 is no gemm layer any more; one with this C they would leave
 * float). The gemm kind takes the C only where the product folds into one (geometry in
 * src/ocl/layers/gemm.c), else the Add stays a layer of its own. */
#include "ocl/engine.h"
#include "ocl/layers/gemm.h"

int xc_residual_operand(const xc_engine *e, const xc_layer *add, int y);

static void try_fuse(xc_engine *e, int g)
{
    xc_layer *G = &e->layers[g];
    if (G->dead || G->kind != &xc_kind_gemm || G->act != XC_ACT_NONE || G->node->domain[0]) return;
    int a = xc_sole_consumer(e, G->out[0]);
    int r = a >= 0 ? xc_residual_operand(e, &e->layers[a], G->out[0]) : -1;
    if (r >= 0 && xc_fusion_allowed(e, g, a) && xc_gemm_set_residual(e, G, r)) xc_layer_absorb(e, g, a, "gemm_residual");
}

static xc_status run(xc_engine *e)
{
    for (int g = 0; g < e->n_layers; g++) try_fuse(e, g);
    return XC_OK;
}

const xc_pass xc_pass_gemm_residual = {"gemm_residual", 1, run};

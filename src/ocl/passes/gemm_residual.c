/* gemm_residual.c — fuses an Add of a MatMul's output and another tensor of that shape into the
 * product's epilogue, as Gemm's C with beta 1: transformer blocks end their attention output and
 * FFN projections so, before the LayerNorm (TensorRT fuses it likewise). After gemm_bias_act (the
 * bias is the epilogue's already; an activation between the two stops it) and after the int8
 * passes (a layer they made int8 is no gemm layer any more; one with this C they would leave
 * float). The gemm kind takes the C only where the product folds into one (geometry in
 * src/ocl/layers/gemm.c), else the Add stays a layer of its own. */
#include "ocl/engine.h"
#include <string.h>

extern const xc_layer_kind xc_kind_gemm;
int xc_residual_operand(const xc_engine *e, const xc_layer *add, int y);

#define GEMM_C 2 /* l->in position of Gemm's C */

static void try_fuse(xc_engine *e, int g)
{
    xc_layer *G = &e->layers[g];
    if (G->dead || G->kind != &xc_kind_gemm || G->act != XC_ACT_NONE || G->node->domain[0] || strcmp(G->node->op_type, "MatMul")
        || (G->n_in > GEMM_C && G->in[GEMM_C] >= 0))
        return;
    int a = xc_sole_consumer(e, G->out[0]);
    int r = a >= 0 ? xc_residual_operand(e, &e->layers[a], G->out[0]) : -1;
    if (r < 0 || !xc_fusion_allowed(e, g, a)) return;
    int n_in = G->n_in;
    while (G->n_in <= GEMM_C) G->in[G->n_in++] = -1;
    G->in[GEMM_C] = r;
    if (!G->kind->accepts(e, G)) { /* a batched product: its C would need a batch stride */
        G->in[GEMM_C] = -1;
        G->n_in = n_in;
        return;
    }
    xc_layer_absorb(e, g, a, "gemm_residual");
}

static xc_status run(xc_engine *e)
{
    for (int g = 0; g < e->n_layers; g++) try_fuse(e, g);
    return XC_OK;
}

const xc_pass xc_pass_gemm_residual = {"gemm_residual", 1, run};

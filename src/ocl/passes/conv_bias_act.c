/* conv_bias_act.c — fuses the activation after a conv (or a conv + residual) into its epilogue:
 * any one-node activation of the table that fuses (ocl/activation.h: Relu, Clip with constant
 * bounds, LeakyRelu, ...), and SiLU as exporters write it, x * Sigmoid(x) (the conv output read
 * by both the Sigmoid and the Mul). */
#include "ocl/engine.h"
#include <string.h>

extern const xc_layer_kind xc_kind_conv;

static int is_op(const xc_layer *l, const char *op)
{
    return !l->dead && l->n_nodes == 1 && !strcmp(l->node->op_type, op) && !l->node->domain[0];
}

/* SiLU on conv output y: returns the Sigmoid layer (and the Mul in *mul), or -1. */
static int silu_of(const xc_engine *e, int y, int *mul)
{
    int sig = -1, m = -1, uses = 0;
    if (e->tensors[y].graph_output >= 0) return -1;
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        for (int i = 0; !L->dead && i < L->n_in; i++) {
            if (L->in[i] != y) continue;
            uses++;
            if (is_op(L, "Sigmoid") && i == 0) sig = l;
            if (is_op(L, "Mul") && L->n_in == 2) m = l;
        }
    }
    if (uses != 2 || sig < 0 || m < 0 || xc_sole_consumer(e, e->layers[sig].out[0]) != m) return -1;
    *mul = m;
    return sig;
}

static void try_fuse(xc_engine *e, int c)
{
    xc_layer *C = &e->layers[c];
    if (C->dead || C->kind != &xc_kind_conv || C->act != XC_ACT_NONE) return;
    int y = C->out[0], a = xc_sole_consumer(e, y), mul;
    float alpha = 0, beta = 0;
    xc_activation act = XC_ACT_NONE;
    if (a >= 0 && xc_activation_fusable(e, &e->layers[a], &act, &alpha, &beta) && e->layers[a].in[0] == y
        && xc_fusion_allowed(e, c, a)) {
        C->act = act;
        C->alpha = alpha;
        C->beta = beta;
        xc_layer_absorb(e, c, a, "conv_bias_act");
        return;
    }
    int sig = a < 0 ? silu_of(e, y, &mul) : -1;
    if (sig < 0 || !xc_fusion_allowed(e, c, sig) || !xc_fusion_allowed(e, c, mul)) return;
    C->act = XC_ACT_SILU;
    xc_layer_absorb(e, c, sig, "conv_bias_act");
    xc_layer_absorb(e, sig, mul, "conv_bias_act"); /* the fused layer now sits at sig */
}

static xc_status run(xc_engine *e)
{
    for (int c = 0; c < e->n_layers; c++) try_fuse(e, c);
    return XC_OK;
}

const xc_pass xc_pass_conv_bias_act = {"conv_bias_act", 1, run};

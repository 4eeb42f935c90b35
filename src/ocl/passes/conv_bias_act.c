/* conv_bias_act.c — fuses the activation after a conv (or a conv + residual) into its epilogue:
 * Relu, Clip with constant bounds, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, and SiLU
 * as exporters write it, x * Sigmoid(x) (the conv output read by both the Sigmoid and the Mul). */
#include "ocl/engine.h"
#include <string.h>

extern const xc_layer_kind xc_kind_conv;

static int is_op(const xc_layer *l, const char *op)
{
    return !l->dead && l->n_nodes == 1 && !strcmp(l->node->op_type, op) && !l->node->domain[0];
}

/* Clip's bounds: attributes before opset 11, constant scalar inputs since; 0 when computed at run time. */
static int clip_bounds(const xc_engine *e, const xc_layer *l, float *lo, float *hi)
{
    *lo = xc_attr_float(l->node, "min", -3.402823466e38f);
    *hi = xc_attr_float(l->node, "max", 3.402823466e38f);
    for (int i = 1; i < 3 && i < l->n_in; i++) {
        if (l->in[i] < 0) continue;
        const float *v = xc_et_const_f32(&e->tensors[l->in[i]]);
        if (!v || xc_et_numel(&e->tensors[l->in[i]]) != 1) return 0;
        *(i == 1 ? lo : hi) = v[0];
    }
    return 1;
}

/* The activation layer l applies to its first input, with its parameters; XC_ACT_NONE if none fusable. */
static xc_activation activation_of(const xc_engine *e, const xc_layer *l, float *alpha, float *beta)
{
    static const struct { const char *op; xc_activation act; float alpha, beta; } acts[] = {
        {"Relu", XC_ACT_RELU, 0, 0},           {"LeakyRelu", XC_ACT_LEAKY_RELU, 0.01f, 0},
        {"Sigmoid", XC_ACT_SIGMOID, 0, 0},     {"HardSigmoid", XC_ACT_HARD_SIGMOID, 0.2f, 0.5f},
        {"HardSwish", XC_ACT_HARD_SWISH, 0, 0}, {"Tanh", XC_ACT_TANH, 0, 0},
    };
    if (is_op(l, "Clip")) return clip_bounds(e, l, alpha, beta) ? XC_ACT_CLIP : XC_ACT_NONE;
    for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++)
        if (is_op(l, acts[k].op)) {
            *alpha = xc_attr_float(l->node, "alpha", acts[k].alpha);
            *beta = xc_attr_float(l->node, "beta", acts[k].beta);
            return acts[k].act;
        }
    return XC_ACT_NONE;
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
    xc_activation act = a >= 0 ? activation_of(e, &e->layers[a], &alpha, &beta) : XC_ACT_NONE;
    if (act != XC_ACT_NONE && e->layers[a].in[0] == y && xc_fusion_allowed(e, c, a)) {
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

/* pointwise_chain.c — fuses chains of elementwise layers into one generated kernel (like
 * TensorRT's "fusedPointwiseNode(add1, relu1)"): a pointwise layer whose output only one other
 * pointwise layer reads absorbs that layer, its other operands becoming inputs of the fused
 * kernel. Broadcasting is kept: each input is loaded at its own broadcast offset. */
#include "ocl/engine.h"

extern const xc_layer_kind xc_kind_pointwise;

/* Adds tensor t to l's inputs unless present. Returns 0 when l has no room. */
static int add_input(xc_layer *l, int t)
{
    for (int i = 0; i < l->n_in; i++)
        if (l->in[i] == t) return 1;
    if (l->n_in == XC_LAYER_IO) return 0;
    l->in[l->n_in++] = t;
    return 1;
}

/* Fuses layer a into its consumer; returns the fused layer's index, or -1. */
static int try_fuse(xc_engine *e, int a)
{
    xc_layer *A = &e->layers[a];
    if (A->dead || A->kind != &xc_kind_pointwise || A->n_out != 1) return -1;
    int b = xc_sole_consumer(e, A->out[0]);
    if (b < 0 || e->layers[b].kind != &xc_kind_pointwise || !xc_fusion_allowed(e, a, b)) return -1;
    xc_layer *B = &e->layers[b];
    int need = A->n_in;
    for (int i = 0; i < B->n_in; i++) need += B->in[i] != A->out[0];
    if (need > XC_LAYER_IO) return -1;
    for (int i = 0; i < B->n_in; i++)
        if (B->in[i] != A->out[0]) add_input(A, B->in[i]);
    xc_layer_absorb(e, a, b, "pointwise_chain");
    return b;
}

static xc_status run(xc_engine *e)
{
    for (int a = 0; a < e->n_layers; a++)
        for (int head = a; head >= 0;) head = try_fuse(e, head); /* grow the chain forward */
    return XC_OK;
}

const xc_pass xc_pass_pointwise_chain = {"pointwise_chain", 1, run};

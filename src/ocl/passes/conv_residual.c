/* conv_residual.c — fuses an Add (or a two-input Sum, as older exporters wrote it) of a conv's
 * output and another tensor of the same shape into the conv's epilogue (bias, then this
 * residual, then any activation conv_bias_act fuses next), as ResNet blocks end. The other
 * operand becomes an extra input of the conv layer; the fused layer sits at the Add's place,
 * where that operand is ready. */
#include "ocl/engine.h"
#include <string.h>

extern const xc_layer_kind xc_kind_conv;
int xc_residual_operand(const xc_engine *e, const xc_layer *add, int y);

static int same_shape(const xc_etensor *a, const xc_etensor *b)
{
    if (a->rank != b->rank || a->dtype != b->dtype) return 0;
    for (int k = 0; k < a->rank; k++)
        if (a->dims[k] != b->dims[k]) return 0;
    return 1;
}

/* The Add's (or two-input Sum's) operand that is not output y, or -1 when it is no such sum of y
 * and a same-shaped tensor (gemm_residual.c asks too). */
int xc_residual_operand(const xc_engine *e, const xc_layer *add, int y)
{
    const char *op = add->node->op_type;
    if (add->n_nodes != 1 || (strcmp(op, "Add") && strcmp(op, "Sum")) || add->node->domain[0] || add->n_in != 2
        || add->n_out != 1)
        return -1;
    int other = add->in[0] == y ? add->in[1] : add->in[1] == y ? add->in[0] : -1;
    if (other < 0 || other == y || !same_shape(&e->tensors[other], &e->tensors[y])) return -1;
    return same_shape(&e->tensors[add->out[0]], &e->tensors[y]) ? other : -1;
}

static void try_fuse(xc_engine *e, int c)
{
    xc_layer *C = &e->layers[c];
    if (C->dead || C->kind != &xc_kind_conv || C->act != XC_ACT_NONE || C->residual >= 0 || C->n_in > 3) return;
    int a = xc_sole_consumer(e, C->out[0]);
    int r = a >= 0 ? xc_residual_operand(e, &e->layers[a], C->out[0]) : -1;
    if (r < 0 || !xc_fusion_allowed(e, c, a)) return;
    while (C->n_in < 3) C->in[C->n_in++] = -1; /* inputs 0..2 stay X, W, B */
    C->in[C->n_in++] = r;
    C->residual = r;
    xc_layer_absorb(e, c, a, "conv_residual");
}

static xc_status run(xc_engine *e)
{
    for (int c = 0; c < e->n_layers; c++) try_fuse(e, c);
    return XC_OK;
}

const xc_pass xc_pass_conv_residual = {"conv_residual", 1, run};

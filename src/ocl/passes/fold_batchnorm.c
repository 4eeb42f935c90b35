/* fold_batchnorm.c — folds an inference BatchNormalization into the conv before it, as
 * TensorRT does: y = (conv(x) + b - mean) * s + beta with s = scale / sqrt(var + epsilon) is a
 * conv with weights W[m] * s[m] and bias (b[m] - mean[m]) * s[m] + beta[m]. The folded weights
 * and bias are new constant tensors (the model's may be shared by other nodes), and the conv
 * layer absorbs the BN layer. Only a conv whose output nothing else reads is folded. */
#include "ocl/engine.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

extern const xc_layer_kind xc_kind_conv;

/* The BN layer's per-channel constants scale, B, mean, var (inputs 1..4), each of m floats. */
static int bn_params(const xc_engine *e, const xc_layer *bn, int64_t m, const float *p[4])
{
    if (bn->n_in != 5 || bn->n_out < 1 || bn->out[0] < 0) return 0;
    for (int o = 1; o < bn->n_out; o++)
        if (bn->out[o] >= 0) return 0; /* training-mode outputs: not an inference BN */
    for (int i = 0; i < 4; i++) {
        int t = bn->in[i + 1];
        if (t < 0 || !(p[i] = xc_et_const_f32(&e->tensors[t])) || xc_et_numel(&e->tensors[t]) != (size_t)m) return 0;
    }
    return 1;
}

/* A new constant float tensor named after the folded tensor (`from`) and the BN node. */
static int new_const(xc_engine *e, int from, const xc_layer *bn, int rank, const int64_t *dims, float **data)
{
    char name[512];
    snprintf(name, sizeof name, "%s#folded:%s", from >= 0 ? e->tensors[from].name : "bias", bn->node->outputs[0]);
    int id = xc_engine_add_tensor(e, name, XC_FLOAT, rank, dims);
    if (id < 0 || xc_tensor_new(XC_FLOAT, rank, dims, &e->tensors[id].value) != XC_OK) return -1;
    *data = e->tensors[id].value->data;
    return id;
}

/* Replaces conv layer c's weights and bias by the folded ones. */
static xc_status fold(xc_engine *e, int c, const xc_layer *bn, const float *p[4])
{
    xc_layer *C = &e->layers[c];
    int wid = C->in[1], bid = C->n_in > 2 ? C->in[2] : -1;
    int64_t wdims[XC_MAX_RANK], m = e->tensors[wid].dims[0];
    int rank = e->tensors[wid].rank;
    memcpy(wdims, e->tensors[wid].dims, sizeof wdims);
    size_t per = xc_et_numel(&e->tensors[wid]) / (size_t)m;
    float *w, *b;
    int nw = new_const(e, wid, bn, rank, wdims, &w), nb = nw < 0 ? -1 : new_const(e, bid, bn, 1, &m, &b);
    if (nb < 0) return XC_ERR_NOMEM;
    const float *w0 = xc_et_const_f32(&e->tensors[wid]), *b0 = bid >= 0 ? xc_et_const_f32(&e->tensors[bid]) : NULL;
    float eps = xc_attr_float(bn->node, "epsilon", 1e-5f);
    for (int64_t k = 0; k < m; k++) {
        float s = p[0][k] / sqrtf(p[3][k] + eps);
        for (size_t i = 0; i < per; i++) w[k * per + i] = w0[k * per + i] * s;
        b[k] = ((b0 ? b0[k] : 0.0f) - p[2][k]) * s + p[1][k];
    }
    C->in[1] = nw;
    if (C->n_in < 3) C->n_in = 3;
    C->in[2] = nb;
    return XC_OK;
}

static xc_status run(xc_engine *e)
{
    for (int b = 0; b < e->n_layers; b++) {
        const xc_layer *bn = &e->layers[b];
        if (bn->dead || bn->n_nodes != 1 || strcmp(bn->node->op_type, "BatchNormalization") || bn->node->domain[0]) continue;
        int x = bn->in[0], c = x >= 0 ? e->tensors[x].producer : -1;
        if (c < 0 || xc_sole_consumer(e, x) != b) continue;
        const xc_layer *C = &e->layers[c];
        if (C->dead || C->kind != &xc_kind_conv || C->n_nodes != 1 || C->act != XC_ACT_NONE || C->residual >= 0
            || !xc_fusion_allowed(e, c, b))
            continue;
        const float *p[4];
        if (!bn_params(e, bn, e->tensors[C->in[1]].dims[0], p)) continue;
        XC_TRY(fold(e, c, bn, p));
        xc_layer_absorb(e, c, b, "fold_batchnorm");
    }
    return XC_OK;
}

const xc_pass xc_pass_fold_batchnorm = {"fold_batchnorm", 1, run};

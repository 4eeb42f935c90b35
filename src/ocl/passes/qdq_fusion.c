/* qdq_fusion.c — explicit quantization, as TensorRT folds a QDQ model: DequantizeLinear(x) ->
 * Conv/Gemm/MatMul <- DequantizeLinear(w) [-> QuantizeLinear] becomes one int8 layer (kinds
 * qconv and qgemm, layers/quant_conv.c and quant_gemm.c) that reads the quantized x and the
 * quantized weights, accumulates in int32 and requantizes in its epilogue.
 *
 * What it takes: x's DequantizeLinear is a quant layer of int8/uint8 with a per-tensor scale;
 * the weights are a constant the builder folded from a DequantizeLinear of an int8/uint8
 * initializer (found again in the model by the folded tensor's name), per tensor or per output
 * channel; conv bias / Gemm C and a bias gemm_bias_act fused stay float constants (a folded
 * DequantizeLinear of int32 bias is exactly such a constant). A following QuantizeLinear with a
 * per-tensor scale that alone reads the output is folded too; without one the layer writes
 * float. x's DequantizeLinear is absorbed when the conv is its only reader, else the others
 * keep it. The fused layer covers the DQ, the conv/gemm (and its fused activation) and the Q,
 * so per-layer comparison names them all. Off: --disable-fusion qdq_fusion (Q and DQ then run
 * as quant layers around the float conv/gemm), and so for one layer --layer-precision constrains
 * to fp16 or fp32 (its conv/gemm, DQ or Q named). */
#include "ocl/build.h"
#include "../layers/quant_util.h"
#include <string.h>

extern const xc_layer_kind xc_kind_conv, xc_kind_gemm, xc_kind_quant, xc_kind_qconv, xc_kind_qgemm;

#define FUSION "qdq_fusion"

static int is_node(const xc_node *n, const char *op) { return !n->domain[0] && !strcmp(n->op_type, op); }

/* A live quant layer running ONNX op `op` with constant per-tensor scale and zero point, whose
 * quantized side (DQ's input, Q's output) is int8 or uint8. */
static int quant_layer(const xc_engine *e, int l, const char *op)
{
    if (l < 0) return 0;
    const xc_layer *L = &e->layers[l];
    return !L->dead && L->kind == &xc_kind_quant && L->n_nodes == 1 && is_node(L->node, op)
           && xq_params_ok(e, L->in[1], L->n_in > 2 ? L->in[2] : -1, 1, 0)
           && xq_is_q8(e->tensors[is_node(L->node, "QuantizeLinear") ? L->out[0] : L->in[0]].dtype);
}

/* The model's DequantizeLinear whose output is constant tensor w, with an int8/uint8 constant
 * input and scales per tensor or along axis `axis` of w (count `channels`); NULL if none. */
static const xc_node *weight_dq(const xc_engine *e, int w, int axis, int64_t channels, int in[3])
{
    const xc_etensor *wt = &e->tensors[w];
    if (!wt->value || !wt->name || !wt->name[0]) return NULL;
    const xc_graph *g = e->model->graph;
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        if (!is_node(n, "DequantizeLinear") || n->n_outputs < 1 || strcmp(n->outputs[0], wt->name) || n->n_inputs < 2) continue;
        if (xc_attr_int(n, "block_size", 0) != 0) return NULL;
        for (int i = 0; i < 3; i++) in[i] = i < n->n_inputs && n->inputs[i][0] ? xc_engine_tensor(e, n->inputs[i]) : -1;
        if (in[0] < 0 || !e->tensors[in[0]].value || !xq_is_q8(e->tensors[in[0]].dtype)) return NULL;
        if (e->tensors[in[0]].rank != wt->rank || in[1] < 0) return NULL;
        size_t ns = xc_et_numel(&e->tensors[in[1]]);
        int a = (int)xc_attr_int(n, "axis", 1);
        if (a < 0) a += wt->rank;
        if (ns != 1 && a != axis) return NULL;
        return xq_params_ok(e, in[1], in[2], (size_t)channels, 0) ? n : NULL;
    }
    return NULL;
}

/* A float constant bias of 1 or `channels` elements (or absent). */
static int bias_ok(const xc_engine *e, int t, int64_t channels)
{
    if (t < 0) return 1;
    const xc_etensor *b = &e->tensors[t];
    size_t n = xc_et_numel(b);
    return b->value && b->dtype == XC_FLOAT && (n == 1 || n == (size_t)channels) && (b->rank < 2 || b->dims[0] == 1 || n == 1);
}

/* The conv/gemm layer's weight axis that carries output channels and their count; 0 when the
 * layer is not one this pass can make int8. Fills in[] (XQ_*) but for x's and y's parameters. */
static int match_layer(const xc_engine *e, const xc_layer *L, int in[XQ_N_IN])
{
    if (L->dead || L->residual >= 0 || L->n_out != 1 || L->n_in < 2 || L->in[1] < 0) return 0;
    const xc_etensor *x = &e->tensors[L->in[0]], *w = &e->tensors[L->in[1]];
    int axis, wq[3];
    int64_t channels;
    if (L->kind == &xc_kind_conv) {
        axis = 0;
        channels = w->dims[0];
        in[XQ_BIAS] = L->n_in > 2 ? L->in[2] : -1;
        in[XQ_BIAS2] = -1;
    } else if (L->kind == &xc_kind_gemm) {
        int gemm = is_node(L->node, "Gemm");
        if (w->rank != 2 || x->rank < 2 || (gemm && (x->rank != 2 || xc_attr_int(L->node, "transA", 0)))) return 0;
        axis = gemm && xc_attr_int(L->node, "transB", 0) ? 0 : 1;
        channels = w->dims[axis];
        if (w->dims[!axis] != x->dims[x->rank - 1] || e->tensors[L->out[0]].rank != x->rank) return 0;
        in[XQ_BIAS] = L->n_in > 2 ? L->in[2] : -1;
        in[XQ_BIAS2] = L->n_in > 3 ? L->in[3] : -1;
    } else {
        return 0;
    }
    if (L->n_in > 4 || !bias_ok(e, in[XQ_BIAS], channels) || !bias_ok(e, in[XQ_BIAS2], channels)) return 0;
    if (!weight_dq(e, L->in[1], axis, channels, wq)) return 0;
    in[XQ_W] = wq[0];
    in[XQ_WS] = wq[1];
    in[XQ_WZ] = wq[2];
    return 1;
}

/* Makes layer c (a float conv/gemm) int8; returns 1 if it did. */
static int fuse(xc_engine *e, int c)
{
    int in[XQ_N_IN];
    for (int i = 0; i < XQ_N_IN; i++) in[i] = -1;
    xc_layer *L = &e->layers[c];
    if (!match_layer(e, L, in)) return 0;
    int xf = L->in[0], d = e->tensors[xf].producer;
    if (!quant_layer(e, d, "DequantizeLinear") || !xc_fusion_allowed(e, d, c)) return 0;
    if (xc_layer_constraint(e, L) >= XC_LAYER_PREC_FP16 || xc_layer_constraint(e, &e->layers[d]) >= XC_LAYER_PREC_FP16) return 0;
    in[XQ_X] = e->layers[d].in[0];
    in[XQ_XS] = e->layers[d].in[1];
    in[XQ_XZ] = e->layers[d].n_in > 2 ? e->layers[d].in[2] : -1;
    int q = xc_sole_consumer(e, L->out[0]);
    if (!quant_layer(e, q, "QuantizeLinear") || e->layers[q].in[0] != L->out[0] || !xc_fusion_allowed(e, c, q)) q = -1;
    if (q >= 0 && xc_layer_constraint(e, &e->layers[q]) >= XC_LAYER_PREC_FP16) return 0;
    if (q >= 0) {
        in[XQ_YS] = e->layers[q].in[1];
        in[XQ_YZ] = e->layers[q].n_in > 2 ? e->layers[q].in[2] : -1;
    }
    /* what the merged layer keeps of the conv/gemm: absorb gives it the first layer's */
    const xc_node *node = L->node;
    const xc_layer_kind *kind = L->kind == &xc_kind_conv ? &xc_kind_qconv : &xc_kind_qgemm;
    xc_activation act = L->act;
    float alpha = L->alpha, beta = L->beta;
    int at = c;
    if (q >= 0) {
        xc_layer_absorb(e, c, q, FUSION);
        at = q;
    }
    if (xc_sole_consumer(e, xf) == at) xc_layer_absorb(e, d, at, FUSION);
    L = &e->layers[at];
    L->node = node;
    L->kind = kind;
    L->act = act;
    L->alpha = alpha;
    L->beta = beta;
    L->residual = -1;
    L->fusion = FUSION;
    L->fusions |= xc_pass_bit(FUSION);
    L->n_in = XQ_N_IN;
    memcpy(L->in, in, sizeof in);
    return 1;
}

static xc_status run(xc_engine *e)
{
    int fused = 0;
    for (int c = 0; c < e->n_layers; c++) fused += fuse(e, c);
    if (!fused) return XC_OK;
    /* a DequantizeLinear every reader of which went int8 has nothing left to feed */
    xc_engine_count_uses(e);
    for (int l = 0; l < e->n_layers; l++) {
        xc_layer *L = &e->layers[l];
        if (L->dead || L->kind != &xc_kind_quant || !is_node(L->node, "DequantizeLinear")) continue;
        const xc_etensor *y = &e->tensors[L->out[0]];
        if (!y->consumers && y->graph_output < 0) L->dead = 1;
    }
    return XC_OK;
}

const xc_pass xc_pass_qdq_fusion = {FUSION, 1, run};

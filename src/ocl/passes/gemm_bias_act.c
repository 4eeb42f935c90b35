/* gemm_bias_act.c — fuses the elementwise tail of a Gemm/MatMul into the gemm kernel's epilogue:
 *   1. an Add of a constant vector broadcast along the last axis (a bias, as exporters split
 *      Linear into MatMul + Add);
 *   2. then one activation: any one-node activation of the table that fuses (ocl/activation.h:
 *      Relu, Clip with constant bounds, LeakyRelu, ...), SiLU written as x * Sigmoid(x), or the exact GELU written as
 *      Div(x, sqrt 2) (or Mul(x, 1/sqrt 2)) -> Erf -> Add 1 -> Mul x -> Mul 0.5, Muls in either order.
 * Every node of a pattern is absorbed (xc_layer_absorb); the tensors between them must have no
 * other readers, so nothing that is read elsewhere stops being materialized. */
#include "ocl/engine.h"
#include "ocl/layers/gemm.h"
#include <math.h>
#include <string.h>

#define FUSION "gemm_bias_act"
#define MAX_PATTERN 5 /* nodes after the gemm in the longest pattern (GELU) */

/* Whether layer li is a live single-node layer of ONNX op `op`. */
static int is_op(const xc_engine *e, int li, const char *op)
{
    if (li < 0) return 0;
    const xc_layer *L = &e->layers[li];
    return !L->dead && L->n_nodes == 1 && !L->node->domain[0] && !strcmp(L->node->op_type, op);
}

static int out_of(const xc_engine *e, int li) { return e->layers[li].out[0]; }

/* The operand of two-input layer li other than t; -1 unless li reads t exactly once. */
static int other_input(const xc_engine *e, int li, int t)
{
    const xc_layer *L = &e->layers[li];
    if (L->n_in != 2 || (L->in[0] == t) == (L->in[1] == t)) return -1;
    return L->in[0] == t ? L->in[1] : L->in[0];
}

/* Whether layer li's output has tensor t's shape (a scalar operand did not broadcast it). */
static int keeps_shape(const xc_engine *e, int li, int t)
{
    const xc_etensor *y = &e->tensors[out_of(e, li)], *x = &e->tensors[t];
    return e->layers[li].n_out == 1 && y->rank == x->rank && !memcmp(y->dims, x->dims, sizeof(int64_t) * x->rank);
}

/* Whether tensor t is a one-element float constant within relative tol of want. */
static int const_near(const xc_engine *e, int t, float want, float tol)
{
    const float *v = t >= 0 ? xc_et_const_f32(&e->tensors[t]) : NULL;
    return v && xc_et_numel(&e->tensors[t]) == 1 && fabsf(v[0] - want) <= tol * fabsf(want);
}

/* Live layers reading t, counting a layer once per input it occupies; returns the count. */
static int readers(const xc_engine *e, int t, int *out, int max)
{
    int n = 0;
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        for (int i = 0; !L->dead && i < L->n_in; i++)
            if (L->in[i] == t) {
                if (n < max) out[n] = l;
                n++;
            }
    }
    return n;
}

/* The only reader of t if it is an `op` layer, else -1. */
static int sole(const xc_engine *e, int t, const char *op)
{
    int li = xc_sole_consumer(e, t);
    return is_op(e, li, op) ? li : -1;
}

/* Absorbs layers chain[0..n-1] (in graph order) into gemm layer g; returns the fused layer. */
static int absorb_chain(xc_engine *e, int g, const int *chain, int n)
{
    for (int k = 0; k < n; k++) {
        xc_layer_absorb(e, g, chain[k], FUSION);
        g = chain[k];
    }
    return g;
}

/* Add(y, b) with b a constant [.., 1, N] vector: y's bias. Returns the fused layer, or g. */
static int fuse_bias(xc_engine *e, int g)
{
    int y = out_of(e, g), add = sole(e, y, "Add");
    if (add < 0 || !keeps_shape(e, add, y) || !xc_fusion_allowed(e, g, add)) return g;
    int b = other_input(e, add, y);
    const xc_etensor *bt = b >= 0 ? &e->tensors[b] : NULL, *yt = &e->tensors[y];
    if (!bt || !xc_et_const_f32(bt) || bt->rank < 1 || yt->rank < 1 || bt->dims[bt->rank - 1] != yt->dims[yt->rank - 1]
        || xc_et_numel(bt) != (size_t)yt->dims[yt->rank - 1])
        return g;
    if (!xc_gemm_set_bias(&e->layers[g], b)) return g;
    return absorb_chain(e, g, &add, 1);
}

/* x * Sigmoid(x): y read by exactly a Sigmoid and the Mul of y by the Sigmoid's output. */
static int silu(const xc_engine *e, int y, int *chain)
{
    int r[2];
    if (e->tensors[y].graph_output >= 0 || readers(e, y, r, 2) != 2) return 0;
    int s = is_op(e, r[0], "Sigmoid") ? r[0] : r[1], m = s == r[0] ? r[1] : r[0];
    if (!is_op(e, s, "Sigmoid") || !is_op(e, m, "Mul") || xc_sole_consumer(e, out_of(e, s)) != m
        || other_input(e, m, y) != out_of(e, s))
        return 0;
    chain[0] = s;
    chain[1] = m;
    return 2;
}

/* 0.5 * x * (1 + erf(x / sqrt 2)): y read by exactly the scaling Div/Mul and the Mul by 1 + erf. */
static int gelu_erf(const xc_engine *e, int y, int *chain)
{
    int r[2];
    if (e->tensors[y].graph_output >= 0 || readers(e, y, r, 2) != 2) return 0;
    for (int first = 0; first < 2; first++) {
        int d = r[first], m1 = r[!first];
        int scaled = (is_op(e, d, "Div") && e->layers[d].in[0] == y && const_near(e, other_input(e, d, y), sqrtf(2.0f), 1e-4f))
                     || (is_op(e, d, "Mul") && const_near(e, other_input(e, d, y), sqrtf(0.5f), 1e-4f));
        if (!scaled) continue;
        int erf = sole(e, out_of(e, d), "Erf");
        int add = erf >= 0 ? sole(e, out_of(e, erf), "Add") : -1;
        if (add < 0 || !const_near(e, other_input(e, add, out_of(e, erf)), 1.0f, 1e-6f)) continue;
        if (xc_sole_consumer(e, out_of(e, add)) != m1 || !is_op(e, m1, "Mul") || other_input(e, m1, y) != out_of(e, add))
            continue;
        int m2 = sole(e, out_of(e, m1), "Mul");
        if (m2 < 0 || !const_near(e, other_input(e, m2, out_of(e, m1)), 0.5f, 1e-6f)) continue;
        const int found[] = {d, erf, add, m1, m2};
        for (int k = 0; k < 5; k++)
            if (!keeps_shape(e, found[k], y)) return 0;
        memcpy(chain, found, sizeof found);
        return 5;
    }
    return 0;
}

/* The activation after gemm layer g, if one of the patterns. */
static void fuse_activation(xc_engine *e, int g)
{
    int y = out_of(e, g), chain[MAX_PATTERN], n = 0;
    xc_layer *l = &e->layers[g];
    int one = xc_sole_consumer(e, y);
    if (one >= 0 && xc_fusion_allowed(e, g, one) && keeps_shape(e, one, y) && e->layers[one].in[0] == y
        && xc_activation_fusable(e, &e->layers[one], &l->act, &l->alpha, &l->beta)) {
        absorb_chain(e, g, &one, 1);
        return;
    }
    if ((n = silu(e, y, chain)) > 0)
        l->act = XC_ACT_SILU;
    else if ((n = gelu_erf(e, y, chain)) > 0)
        l->act = XC_ACT_GELU_ERF;
    for (int k = 0; k < n; k++)
        if (!xc_fusion_allowed(e, g, chain[k])) n = 0;
    if (n > 0 && keeps_shape(e, chain[n - 1], y))
        absorb_chain(e, g, chain, n);
    else
        l->act = XC_ACT_NONE;
}

static xc_status run(xc_engine *e)
{
    for (int g = 0; g < e->n_layers; g++) {
        const xc_layer *l = &e->layers[g];
        if (l->dead || l->kind != &xc_kind_gemm || l->act != XC_ACT_NONE || (l->fusion && !strcmp(l->fusion, FUSION)))
            continue; /* already given its epilogue */
        fuse_activation(e, fuse_bias(e, g));
    }
    return XC_OK;
}

const xc_pass xc_pass_gemm_bias_act = {"gemm_bias_act", 1, run};

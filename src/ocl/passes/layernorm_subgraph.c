/* layernorm_subgraph.c — fuses LayerNorm as exporters write it over the last axis,
 *   m = ReduceMean(x); d = Sub(x, m); p = Pow(d, 2) or Mul(d, d); v = ReduceMean(p);
 *   s = Sqrt(Add(v, eps)); n = Div(d, s); [Mul(n, gamma)]; [Add(., beta)]
 * into ONE norm layer computing LayerNormalization (kernels/norm.cl), when every intermediate
 * is read only inside the pattern. The fused layer keeps the head's (ReduceMean's) place in
 * the chain of absorptions, so the head is turned into a norm layer first: in = {x, gamma or
 * -1, beta or -1} and epsilon in alpha, which is what the norm kind reads for this fusion. */
#include "ocl/layers/norm_util.h"
#include <math.h>
#include <string.h>

extern const xc_layer_kind xc_kind_norm;

#define MAX_CHAIN 9

/* Layer li is live, covers one node, and that node is `op`. */
static int is_op(const xc_engine *e, int li, const char *op)
{
    if (li < 0) return 0;
    const xc_layer *l = &e->layers[li];
    return !l->dead && l->n_nodes == 1 && !l->node->domain[0] && !strcmp(l->node->op_type, op);
}

/* The value of a one-element float constant t, or NAN. */
static float scalar(const xc_engine *e, int t)
{
    const float *v = t >= 0 ? xc_et_const_f32(&e->tensors[t]) : NULL;
    return v && xc_et_numel(&e->tensors[t]) == 1 ? v[0] : NAN;
}

/* The operand of binary layer li other than t (-1 unless t is exactly one of its two inputs). */
static int other_operand(const xc_engine *e, int li, int t)
{
    const xc_layer *l = &e->layers[li];
    if (l->n_in != 2) return -1;
    return l->in[0] == t && l->in[1] != t ? l->in[1] : l->in[1] == t && l->in[0] != t ? l->in[0] : -1;
}

/* A mean over the last axis of x's shape, keeping it. */
static int last_axis_mean(const xc_engine *e, int li)
{
    if (!is_op(e, li, "ReduceMean") || !xc_attr_int(e->layers[li].node, "keepdims", 1)) return 0;
    const xc_etensor *x = &e->tensors[e->layers[li].in[0]];
    int reduced[XC_MAX_RANK];
    if (x->rank < 1 || x->dtype != XC_FLOAT || !xc_reduce_axes(e, &e->layers[li], reduced)) return 0;
    for (int k = 0; k < x->rank; k++)
        if (reduced[k] != (k == x->rank - 1)) return 0;
    return 1;
}

/* gamma or beta: float, one value or one per element of the last axis, not widening x. */
static int row_param(const xc_engine *e, int t, const xc_etensor *x)
{
    if (t < 0) return 0;
    const xc_etensor *p = &e->tensors[t];
    size_t n = xc_et_numel(p);
    if (p->dtype != XC_FLOAT || p->rank > x->rank || (n != 1 && n != (size_t)x->dims[x->rank - 1])) return 0;
    for (int k = 0; k + 1 < p->rank; k++)
        if (p->dims[k] != 1) return 0;
    return 1;
}

/* Every live layer reading tensor t is a or b (and t is no graph output). */
static int read_only_by(const xc_engine *e, int t, int a, int b)
{
    if (e->tensors[t].graph_output >= 0) return 0;
    for (int li = 0; li < e->n_layers; li++) {
        if (e->layers[li].dead || li == a || li == b) continue;
        for (int i = 0; i < e->layers[li].n_in; i++)
            if (e->layers[li].in[i] == t) return 0;
    }
    return 1;
}

/* The squaring layer of d: Pow(d, 2) or Mul(d, d), or -1. */
static int square_of(const xc_engine *e, int d)
{
    for (int li = 0; li < e->n_layers; li++) {
        const xc_layer *l = &e->layers[li];
        if (l->dead || l->n_in != 2 || l->in[0] != d) continue;
        if ((is_op(e, li, "Pow") && scalar(e, l->in[1]) == 2.0f) || (is_op(e, li, "Mul") && l->in[1] == d)) return li;
    }
    return -1;
}

/* Matches the pattern at ReduceMean layer r1: the chain of layers in order, its length (0: no
 * match), epsilon, gamma and beta (-1 when absent). */
static int match(const xc_engine *e, int r1, int *chain, float *eps, int *gamma, int *beta)
{
    if (!last_axis_mean(e, r1)) return 0;
    const xc_layer *R1 = &e->layers[r1];
    int x = R1->in[0], n = 0;
    chain[n++] = r1;
    int sub = xc_sole_consumer(e, R1->out[0]);
    if (!is_op(e, sub, "Sub") || e->layers[sub].in[0] != x || e->layers[sub].in[1] != R1->out[0]) return 0;
    chain[n++] = sub;
    int d = e->layers[sub].out[0], sq = square_of(e, d);
    if (sq < 0) return 0;
    chain[n++] = sq;
    int r2 = xc_sole_consumer(e, e->layers[sq].out[0]);
    if (!last_axis_mean(e, r2)) return 0;
    chain[n++] = r2;
    int add = xc_sole_consumer(e, e->layers[r2].out[0]);
    if (!is_op(e, add, "Add") || !(*eps = scalar(e, other_operand(e, add, e->layers[r2].out[0])), *eps >= 0)) return 0;
    chain[n++] = add;
    int sqrt_ = xc_sole_consumer(e, e->layers[add].out[0]);
    if (!is_op(e, sqrt_, "Sqrt")) return 0;
    chain[n++] = sqrt_;
    int div = xc_sole_consumer(e, e->layers[sqrt_].out[0]);
    if (!is_op(e, div, "Div") || e->layers[div].in[0] != d || e->layers[div].in[1] != e->layers[sqrt_].out[0]
        || !read_only_by(e, d, sq, div))
        return 0;
    chain[n++] = div;
    const xc_etensor *xt = &e->tensors[x];
    *gamma = *beta = -1;
    int next = xc_sole_consumer(e, e->layers[div].out[0]);
    if (is_op(e, next, "Mul") && row_param(e, other_operand(e, next, e->layers[div].out[0]), xt)) {
        *gamma = other_operand(e, next, e->layers[div].out[0]);
        chain[n++] = next;
        next = xc_sole_consumer(e, e->layers[next].out[0]);
    }
    if (is_op(e, next, "Add") && row_param(e, other_operand(e, next, e->layers[chain[n - 1]].out[0]), xt)) {
        *beta = other_operand(e, next, e->layers[chain[n - 1]].out[0]);
        chain[n++] = next;
    }
    return n;
}

static xc_status run(xc_engine *e)
{
    int chain[MAX_CHAIN], gamma, beta;
    float eps;
    for (int li = 0; li < e->n_layers; li++) {
        int n = match(e, li, chain, &eps, &gamma, &beta);
        for (int k = 1; k < n; k++)
            if (!xc_fusion_allowed(e, li, chain[k])) n = 0;
        if (!n) continue;
        xc_layer *head = &e->layers[li];
        head->kind = &xc_kind_norm;
        head->cpu = 0; /* the norm kernel computes the whole pattern, whatever ran its nodes before */
        head->alpha = eps;
        head->in[1] = gamma;
        head->in[2] = beta;
        head->n_in = 3;
        for (int k = 1; k < n; k++) xc_layer_absorb(e, chain[k - 1], chain[k], "layernorm_subgraph");
    }
    return XC_OK;
}

const xc_pass xc_pass_layernorm_subgraph = {"layernorm_subgraph", 1, run};

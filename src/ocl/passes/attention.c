/* attention.c — fuses scaled dot-product attention as exporters write it,
 *   [Kt = Transpose(K, perm swapping the last two axes)]
 *   S = MatMul(Q, Kt); [S = Mul(S, c) | Mul(c, S) | Div(S, c)]; [S = Add(S, mask) | Add(mask, S)];
 *   P = Softmax(S, last axis); Y = MatMul(P, V)
 * into ONE attention layer (layers/attention.c, kernels/attention.cl) that never materializes
 * S or P: Q, K, V are [B, H, S, D] or [B*H, S, D] with equal batch dims, c is a one-element
 * constant, the mask is a float tensor broadcast to S's shape (over heads, batch, queries).
 * Every intermediate must be read only by the next node of the pattern (and be no graph
 * output), so nothing read elsewhere stops being materialized; anything else is left alone.
 * The fused layer sits at the second MatMul's place and reads in = {Q, K or Kt, V, mask or -1},
 * alpha = the scale; it covers the Transpose node when it absorbed one, which is how the
 * kernel knows K comes as rows [.., Skv, D] rather than as Kt [.., D, Skv]. */
#include "ocl/engine.h"
#include <math.h>
#include <string.h>

extern const xc_layer_kind xc_kind_attention;
int xc_attention_head_size_ok(int64_t dk, int64_t dv);

#define FUSION "attention"
#define MAX_CHAIN 6 /* Transpose, MatMul, scale, Add, Softmax, MatMul */

/* Layer li is live, covers one node, and that node is `op`. */
static int is_op(const xc_engine *e, int li, const char *op)
{
    if (li < 0) return 0;
    const xc_layer *l = &e->layers[li];
    return !l->dead && l->n_nodes == 1 && !l->node->domain[0] && !strcmp(l->node->op_type, op);
}

static int out_of(const xc_engine *e, int li) { return e->layers[li].out[0]; }

/* The operand of two-input layer li other than t; -1 unless li reads t exactly once. */
static int other_input(const xc_engine *e, int li, int t)
{
    const xc_layer *l = &e->layers[li];
    if (l->n_in != 2 || (l->in[0] == t) == (l->in[1] == t)) return -1;
    return l->in[0] == t ? l->in[1] : l->in[0];
}

/* The value of a one-element float constant t, or NAN. */
static float scalar(const xc_engine *e, int t)
{
    const float *v = t >= 0 ? xc_et_const_f32(&e->tensors[t]) : NULL;
    return v && xc_et_numel(&e->tensors[t]) == 1 ? v[0] : NAN;
}

static int same_dims(const xc_etensor *a, const xc_etensor *b)
{
    if (a->rank != b->rank) return 0;
    for (int k = 0; k < a->rank; k++)
        if (a->dims[k] != b->dims[k]) return 0;
    return 1;
}

/* A float tensor of rank 3 or 4 (batch dims [B*H] or [B, H]) with no zero dim. */
static int attn_operand(const xc_etensor *t, int rank)
{
    if (t->dtype != XC_FLOAT || t->rank != rank) return 0;
    for (int k = 0; k < rank; k++)
        if (t->dims[k] <= 0) return 0;
    return xc_et_numel(t) < (size_t)INT32_MAX;
}

/* mask broadcasts to s's shape without widening it: right-aligned, each dim 1 or s's. */
static int mask_fits(const xc_etensor *m, const xc_etensor *s)
{
    if (m->dtype != XC_FLOAT || m->rank > s->rank || xc_et_numel(m) >= (size_t)INT32_MAX) return 0;
    for (int k = 0; k < m->rank; k++) {
        int64_t d = m->dims[k], want = s->dims[s->rank - m->rank + k];
        if (d != 1 && d != want) return 0;
    }
    return 1;
}

/* Softmax (any opset) normalizing each row of the last axis of its rank-r input. */
static int last_axis_softmax(const xc_engine *e, int li, int rank)
{
    if (!is_op(e, li, "Softmax")) return 0;
    const xc_node *n = e->layers[li].node;
    int64_t axis = xc_attr_int(n, "axis", n->opset >= 13 ? -1 : 1);
    return axis == -1 || axis == rank - 1;
}

/* The Transpose layer producing t that swaps its last two axes, read only by the MatMul; or -1. */
static int k_transpose(const xc_engine *e, int t)
{
    int li = e->tensors[t].producer;
    if (!is_op(e, li, "Transpose") || xc_sole_consumer(e, t) < 0) return -1;
    const int64_t *perm;
    size_t n;
    const xc_etensor *x = &e->tensors[e->layers[li].in[0]];
    if (!xc_attr_ints(e->layers[li].node, "perm", &perm, &n) || (int)n != x->rank || n < 2) return -1;
    for (size_t k = 0; k < n; k++)
        if (perm[k] != (int64_t)(k + 2 < n ? k : k + 2 == n ? n - 1 : n - 2)) return -1;
    return li;
}

/* Matches the pattern at MatMul layer mm1: the chain of layers in order (a Transpose first when
 * absorbed), its length (0: no match), the scale and the mask (-1 when absent). */
static int match(const xc_engine *e, int mm1, int *chain, float *scale, int *mask)
{
    if (!is_op(e, mm1, "MatMul")) return 0;
    const xc_layer *M1 = &e->layers[mm1];
    const xc_etensor *q = &e->tensors[M1->in[0]], *kt = &e->tensors[M1->in[1]], *s = &e->tensors[out_of(e, mm1)];
    int rank = q->rank;
    if ((rank != 3 && rank != 4) || !attn_operand(q, rank) || !attn_operand(kt, rank) || !attn_operand(s, rank)) return 0;
    for (int k = 0; k + 2 < rank; k++)
        if (kt->dims[k] != q->dims[k]) return 0; /* no broadcasting of the batch dims */
    if (kt->dims[rank - 2] != q->dims[rank - 1]) return 0;
    int n = 0, tr = k_transpose(e, M1->in[1]);
    if (tr >= 0) chain[n++] = tr;
    chain[n++] = mm1;
    *scale = 1.0f;
    *mask = -1;
    int t = out_of(e, mm1), next = xc_sole_consumer(e, t);
    if (is_op(e, next, "Mul") || (is_op(e, next, "Div") && e->layers[next].in[0] == t)) {
        float c = scalar(e, other_input(e, next, t));
        if (!isfinite(c) || c == 0.0f || !same_dims(&e->tensors[out_of(e, next)], s)) return 0;
        *scale = strcmp(e->layers[next].node->op_type, "Div") ? c : 1.0f / c;
        chain[n++] = next;
        t = out_of(e, next);
        next = xc_sole_consumer(e, t);
    }
    if (is_op(e, next, "Add")) {
        int m = other_input(e, next, t);
        if (m < 0 || !mask_fits(&e->tensors[m], s) || !same_dims(&e->tensors[out_of(e, next)], s)) return 0;
        *mask = m;
        chain[n++] = next;
        t = out_of(e, next);
        next = xc_sole_consumer(e, t);
    }
    if (!last_axis_softmax(e, next, rank)) return 0;
    chain[n++] = next;
    int mm2 = xc_sole_consumer(e, out_of(e, next));
    if (!is_op(e, mm2, "MatMul") || e->layers[mm2].in[0] != out_of(e, next)) return 0;
    const xc_etensor *v = &e->tensors[e->layers[mm2].in[1]];
    if (!attn_operand(v, rank) || v->dims[rank - 2] != s->dims[rank - 1]) return 0;
    for (int k = 0; k + 2 < rank; k++)
        if (v->dims[k] != q->dims[k]) return 0;
    if (!xc_attention_head_size_ok(q->dims[rank - 1], v->dims[rank - 1])) return 0;
    chain[n++] = mm2;
    return n;
}

static xc_status run(xc_engine *e)
{
    int chain[MAX_CHAIN], mask;
    float scale;
    for (int li = 0; li < e->n_layers; li++) {
        int n = match(e, li, chain, &scale, &mask);
        for (int k = 1; k < n; k++)
            if (!xc_fusion_allowed(e, chain[0], chain[k])) n = 0;
        if (!n) continue;
        const xc_layer *mm1 = &e->layers[li];
        const xc_node *head = mm1->node;
        int q = mm1->in[0], k = mm1->in[1], v = e->layers[chain[n - 1]].in[1];
        if (chain[0] != li) k = e->layers[chain[0]].in[0]; /* K as rows, before the absorbed Transpose */
        for (int c = 1; c < n; c++) xc_layer_absorb(e, chain[c - 1], chain[c], FUSION);
        xc_layer *l = &e->layers[chain[n - 1]];
        l->kind = &xc_kind_attention;
        l->node = head;
        l->cpu = 0; /* the attention kernel computes the whole pattern, whatever ran its nodes before */
        l->act = XC_ACT_NONE;
        l->residual = -1;
        l->alpha = scale;
        l->beta = 0.0f;
        l->n_in = 4;
        l->in[0] = q;
        l->in[1] = k;
        l->in[2] = v;
        l->in[3] = mask;
    }
    return XC_OK;
}

const xc_pass xc_pass_attention = {FUSION, 1, run};

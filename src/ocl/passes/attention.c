/* attention.c — fuses scaled dot-product attention as exporters write it,
 *   [Kt = Transpose(K, perm swapping the last two axes)]
 *   S = MatMul(Q, Kt); [S = Mul(S, c) | Mul(c, S) | Div(S, c)]; [S = Add(S, mask) | Add(mask, S)];
 *   P = Softmax(S, last axis); Y = MatMul(P, V)
 * into ONE attention layer (layers/attention.c, kernels/attention.cl) that never materializes
 * S or P: Q, K, V are [B, H, S, D] or [B*H, S, D] with equal batch dims, c is a one-element
 * constant, the mask is a float tensor broadcast to S's shape (over heads, batch, queries).
 * The head split and merge around it are absorbed too: up to two Transposes in front of Q, Kt
 * and V (BERT's Reshape [B, S, H, D] -> Transpose (0,2,1,3), K's (0,2,3,1) or (0,2,1,3) then
 * (0,1,3,2)) and one Transpose of Y (the merge (0,2,1,3) before Reshape [B, S, H*D]), each
 * keeping the head axis innermost for Q, V and Y (the kernels read rows of D contiguous
 * elements; K may come any way): the kernels read and write those layouts by strides, so no
 * transpose runs. Every intermediate (each absorbed Transpose's output included) must be read
 * only by the next node of the pattern (and be no graph output), so nothing read elsewhere
 * stops being materialized; anything else is left alone.
 * The fused layer sits at its last node's place and reads in = {Q, K, V, mask or -1} as they
 * come before the absorbed Transposes, alpha = the scale; the layer derives each operand's
 * strides from the Transposes it covers (layers/attention.c). */
#include "ocl/engine.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const xc_layer_kind xc_kind_attention;
int xc_attention_head_size_ok(int64_t dk, int64_t dv);

#define FUSION "attention"
#define MAX_WALK 2                   /* Transposes absorbed in front of one operand */
#define MAX_CHAIN (3 * MAX_WALK + 6) /* those of Q, Kt, V; MatMul, scale, Add, Softmax, MatMul; Y's Transpose */

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

/* The perm of Transpose layer li when it is absorbable: rank-long, and the layer reads and
 * writes the tensors its node names (what layers/attention.c walks by); NULL otherwise. */
static const int64_t *transpose_perm(const xc_engine *e, int li)
{
    if (!is_op(e, li, "Transpose")) return NULL;
    const xc_layer *l = &e->layers[li];
    const xc_node *n = l->node;
    const int64_t *perm;
    size_t np;
    if (!xc_attr_ints(n, "perm", &perm, &np) || (int)np != e->tensors[l->in[0]].rank || l->n_out < 1
        || xc_names_get(&e->tensor_index, n->inputs[0]) != l->in[0] || xc_names_get(&e->tensor_index, n->outputs[0]) != l->out[0])
        return NULL;
    return perm;
}

/* Walks back from operand t (read once, by the pattern) through up to MAX_WALK Transposes, each
 * read only by the next step; keep_last: only as far as the last axis stays innermost. Appends
 * the Transposes taken to chain and returns the tensor in front of them (t when none). */
static int walk_transposes(const xc_engine *e, int t, int keep_last, int *chain, int *n)
{
    int64_t net[8]; /* operand axis a is axis net[a] of the walked tensor */
    int rank = e->tensors[t].rank, taken = 0, src = t;
    if (rank > 8) return t;
    for (int a = 0; a < rank; a++) net[a] = a;
    for (int step = 0; step < MAX_WALK && xc_sole_consumer(e, t) >= 0; step++) {
        int li = e->tensors[t].producer;
        const int64_t *perm = transpose_perm(e, li);
        if (!perm) break;
        for (int a = 0; a < rank; a++) net[a] = perm[net[a]];
        t = e->layers[li].in[0];
        chain[*n + step] = li;
        if (!keep_last || net[rank - 1] == rank - 1) taken = step + 1, src = t;
    }
    *n += taken;
    return src;
}

/* The Transpose reading only Y (t) that keeps the last axis innermost, to absorb; or -1. */
static int y_transpose(const xc_engine *e, int t)
{
    int li = xc_sole_consumer(e, t);
    const int64_t *perm = transpose_perm(e, li);
    int rank = e->tensors[t].rank;
    return perm && perm[rank - 1] == rank - 1 ? li : -1;
}

/* The operands the fused layer reads, as they come before the absorbed Transposes. */
typedef struct operands {
    int q, k, v, mask;
    float scale;
} operands;

static int by_index(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Matches the pattern at MatMul layer mm1: the chain of layers (absorbed Transposes included)
 * in layer order, the last the fused layer's place, and its length (0: no match). */
static int match(const xc_engine *e, int mm1, int *chain, operands *ops)
{
    if (!is_op(e, mm1, "MatMul")) return 0;
    const xc_layer *M1 = &e->layers[mm1];
    const xc_etensor *q = &e->tensors[M1->in[0]], *kt = &e->tensors[M1->in[1]], *s = &e->tensors[out_of(e, mm1)];
    int rank = q->rank;
    if ((rank != 3 && rank != 4) || !attn_operand(q, rank) || !attn_operand(kt, rank) || !attn_operand(s, rank)) return 0;
    for (int k = 0; k + 2 < rank; k++)
        if (kt->dims[k] != q->dims[k]) return 0; /* no broadcasting of the batch dims */
    if (kt->dims[rank - 2] != q->dims[rank - 1]) return 0;
    int n = 0;
    chain[n++] = mm1;
    ops->scale = 1.0f;
    ops->mask = -1;
    int t = out_of(e, mm1), next = xc_sole_consumer(e, t);
    if (is_op(e, next, "Mul") || (is_op(e, next, "Div") && e->layers[next].in[0] == t)) {
        float c = scalar(e, other_input(e, next, t));
        if (!isfinite(c) || c == 0.0f || !same_dims(&e->tensors[out_of(e, next)], s)) return 0;
        ops->scale = strcmp(e->layers[next].node->op_type, "Div") ? c : 1.0f / c;
        chain[n++] = next;
        t = out_of(e, next);
        next = xc_sole_consumer(e, t);
    }
    if (is_op(e, next, "Add")) {
        int m = other_input(e, next, t);
        if (m < 0 || !mask_fits(&e->tensors[m], s) || !same_dims(&e->tensors[out_of(e, next)], s)) return 0;
        ops->mask = m;
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
    ops->q = walk_transposes(e, M1->in[0], 1, chain, &n);
    ops->k = walk_transposes(e, M1->in[1], 0, chain, &n);
    ops->v = walk_transposes(e, e->layers[mm2].in[1], 1, chain, &n);
    int ty = y_transpose(e, out_of(e, mm2));
    if (ty >= 0) chain[n++] = ty;
    qsort(chain, (size_t)n, sizeof *chain, by_index);
    return n;
}

static xc_status run(xc_engine *e)
{
    int chain[MAX_CHAIN];
    operands ops = {-1, -1, -1, -1, 1.0f};
    for (int li = 0; li < e->n_layers; li++) {
        int n = match(e, li, chain, &ops);
        for (int k = 1; k < n; k++)
            if (!xc_fusion_allowed(e, chain[0], chain[k])) n = 0;
        if (!n) continue;
        const xc_node *head = e->layers[li].node;
        for (int c = 1; c < n; c++) xc_layer_absorb(e, chain[c - 1], chain[c], FUSION);
        xc_layer *l = &e->layers[chain[n - 1]];
        l->kind = &xc_kind_attention;
        l->node = head;
        l->cpu = 0; /* the attention kernel computes the whole pattern, whatever ran its nodes before */
        l->act = XC_ACT_NONE;
        l->residual = -1;
        l->alpha = ops.scale;
        l->beta = 0.0f;
        l->n_in = 4;
        l->in[0] = ops.q;
        l->in[1] = ops.k;
        l->in[2] = ops.v;
        l->in[3] = ops.mask;
    }
    return XC_OK;
}

const xc_pass xc_pass_attention = {FUSION, 1, run};

/* attention.c — reference kernels of Attention and RotaryEmbedding.
 *
 * Attention follows onnx/reference/ops/op_attention.py step by step. It computes in double and
 * rounds to the op's dtype T1 wherever the reference materialises a T1 tensor (Q and K scaled by
 * sqrt(scale), the QK scores, softcap, the biased scores, the probabilities), so half-precision
 * results round like the reference's; dot products and the softmax sum accumulate in double.
 * Q, K and V are held in the 4-D (batch, heads, sequence, head size) layout; 3-D tensors are
 * (batch, sequence, heads * head size). */
#include "ref.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Element offset of (b, h, s, d) in a 4-D (batch, heads, seq, size) or 3-D (batch, seq,
 * heads * size) tensor. */
static size_t head_index(int rank, int64_t b, int64_t h, int64_t s, int64_t d, int64_t heads, int64_t seq, int64_t size)
{
    if (rank == 4) return (size_t)(((b * heads + h) * seq + s) * size + d);
    return (size_t)(((b * seq + s) * heads + h) * size + d);
}

/* ---- Attention ---- */

static double *new_doubles(size_t n) { return malloc(n ? n * sizeof(double) : 1); }

typedef struct attn {
    xc_dtype t, softmax_t; /* T1, and the softmax's precision */
    int rank;              /* of Q, K, V and Y */
    int64_t batch, q_heads, kv_heads, q_seq, kv_seq, past_seq, total, head, v_head;
    double *q;                          /* (batch, q_heads, q_seq, head), times sqrt(scale) */
    double *k, *v;                      /* (batch, kv_heads, total, head | v_head): past, then new */
    double *mask;                       /* attn_mask as an additive bias (bool: 0 / -inf), or NULL */
    int64_t mask_last, mask_strides[4]; /* mask broadcast to (batch, q_heads, q_seq, mask_last) */
    const int64_t *nonpad;              /* nonpad_kv_seqlen, or NULL */
    int causal, mode;
    int64_t left, right; /* window sizes, -1: unbounded */
    double softcap;
} attn;

/* Sizes and attributes; the schema has checked that they are consistent. */
static void attn_geometry(const xc_ref_args *a, attn *at)
{
    const xc_tensor *q = a->in[0], *k = a->in[1], *v = a->in[2];
    const xc_tensor *past = a->n_in > 4 ? a->in[4] : NULL;
    at->t = q->dtype;
    at->softmax_t = (xc_dtype)xc_attr_int(a->node, "softmax_precision", q->dtype);
    at->rank = q->rank;
    at->batch = q->dims[0];
    if (q->rank == 4) {
        at->q_heads = q->dims[1];
        at->q_seq = q->dims[2];
        at->head = q->dims[3];
        at->kv_heads = k->dims[1];
        at->kv_seq = k->dims[2];
        at->v_head = v->dims[3];
    } else {
        at->q_heads = xc_attr_int(a->node, "q_num_heads", 0);
        at->kv_heads = xc_attr_int(a->node, "kv_num_heads", 0);
        at->q_seq = q->dims[1];
        at->kv_seq = k->dims[1];
        at->head = q->dims[2] / at->q_heads;
        at->v_head = v->dims[2] / at->kv_heads;
    }
    at->past_seq = past ? past->dims[2] : 0;
    at->total = at->past_seq + at->kv_seq;
    at->nonpad = a->n_in > 6 && a->in[6] ? (const int64_t *)a->in[6]->data : NULL;
    at->causal = xc_attr_int(a->node, "is_causal", 0) != 0;
    at->mode = (int)xc_attr_int(a->node, "qk_matmul_output_mode", 0);
    at->left = xc_attr_int(a->node, "left_window_size", -1);
    at->right = xc_attr_int(a->node, "right_window_size", -1);
    at->softcap = xc_attr_float(a->node, "softcap", 0.0f);
}

/* Copies t's (b, h, s, d) elements into dst (batch, heads, dst_seq, size) at sequence position
 * seq_at + s, times mul rounded to T1. */
static void load_heads(const attn *at, const xc_tensor *t, int64_t heads, int64_t size, double *dst, int64_t dst_seq,
                       int64_t seq_at, double mul)
{
    int64_t seq = t->rank == 4 ? t->dims[2] : t->dims[1];
    for (int64_t b = 0; b < at->batch; b++)
        for (int64_t h = 0; h < heads; h++)
            for (int64_t s = 0; s < seq; s++)
                for (int64_t d = 0; d < size; d++) {
                    double x = xc_load_f64(t->dtype, t->data, head_index(t->rank, b, h, s, d, heads, seq, size));
                    dst[((b * heads + h) * dst_seq + seq_at + s) * size + d] = xc_dtype_round(at->t, x * mul);
                }
}

static void store_all(xc_tensor *y, const double *src)
{
    size_t n = xc_tensor_numel(y);
    for (size_t i = 0; i < n; i++) xc_store_f64(y->dtype, y->data, i, src[i]);
}

/* The attn_mask as an additive bias and its strides broadcast to (batch, q_heads, q_seq, last). */
static xc_status load_mask(const xc_ref_args *a, attn *at)
{
    const xc_tensor *m = a->n_in > 3 ? a->in[3] : NULL;
    if (!m) return XC_OK;
    size_t n = xc_tensor_numel(m);
    if (!(at->mask = new_doubles(n))) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double x = xc_load_f64(m->dtype, m->data, i);
        at->mask[i] = m->dtype != XC_BOOL ? x : x != 0 ? 0 : -INFINITY;
    }
    int64_t s = 1;
    for (int d = 3; d >= 0; d--) {
        int md = d - (4 - m->rank);
        int64_t size = md >= 0 ? m->dims[md] : 1;
        at->mask_strides[d] = size == 1 ? 0 : s;
        s *= size;
    }
    at->mask_last = m->dims[m->rank - 1];
    return XC_OK;
}

/* Loads Q, K, V (past first) and writes present_key / present_value, then scales Q and K by
 * sqrt(scale) rounded to T1, as the reference does. */
static xc_status load_qkv(const xc_ref_args *a, attn *at)
{
    size_t nq = (size_t)(at->batch * at->q_heads * at->q_seq * at->head);
    size_t nk = (size_t)(at->batch * at->kv_heads * at->total * at->head),
           nv = (size_t)(at->batch * at->kv_heads * at->total * at->v_head);
    at->q = new_doubles(nq);
    at->k = new_doubles(nk);
    at->v = new_doubles(nv);
    if (!at->q || !at->k || !at->v) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    double scale = xc_node_attr(a->node, "scale") ? xc_attr_float(a->node, "scale", 1.0f) : 1.0 / sqrt((double)at->head);
    double mul = xc_dtype_round(at->t, sqrt(scale));
    load_heads(at, a->in[0], at->q_heads, at->head, at->q, at->q_seq, 0, mul);
    if (at->past_seq) {
        load_heads(at, a->in[4], at->kv_heads, at->head, at->k, at->total, 0, 1);
        load_heads(at, a->in[5], at->kv_heads, at->v_head, at->v, at->total, 0, 1);
    }
    load_heads(at, a->in[1], at->kv_heads, at->head, at->k, at->total, at->past_seq, 1);
    load_heads(at, a->in[2], at->kv_heads, at->v_head, at->v, at->total, at->past_seq, 1);
    if (a->n_out > 1 && a->out[1]) store_all(a->out[1], at->k);
    if (a->n_out > 2 && a->out[2]) store_all(a->out[2], at->v);
    for (size_t i = 0; i < nk; i++) at->k[i] = xc_dtype_round(at->t, at->k[i] * mul);
    return XC_OK;
}

/* The additive bias of query i against key j: attn_mask (keys past its last axis are masked),
 * the causal frontier j <= i + offset, the sliding window, and the nonpad padding mask. offset
 * counts the valid keys before the query block (past length, or nonpad - q_seq per batch). */
static double attn_bias(const attn *at, int64_t b, int64_t h, int64_t i, int64_t j, int64_t offset)
{
    double bias = 0;
    if (at->mask) {
        const int64_t *s = at->mask_strides;
        bias += j < at->mask_last ? at->mask[b * s[0] + h * s[1] + i * s[2] + j * s[3]] : -INFINITY;
    }
    int64_t diff = i + offset - j;
    if (at->causal && diff < 0) bias += -INFINITY;
    if ((at->left >= 0 && diff > at->left) || (at->right >= 0 && -diff > at->right)) bias += -INFINITY;
    if (at->nonpad && j >= at->nonpad[b]) bias += -INFINITY;
    return bias;
}

static double softcapped(const attn *at, double x)
{
    if (at->softcap <= 0) return x;
    double c = at->softcap;
    return xc_dtype_round(at->t, xc_dtype_round(at->t, tanh(xc_dtype_round(at->t, x / c))) * c);
}

/* In place: the reference's softmax of a row in dtype t (rounding where it materialises a t
 * tensor; the sum accumulates in double). A row whose maximum is -inf softmaxes to zeros; NaN
 * propagates. */
static void softmax_row(double *x, int64_t n, xc_dtype t)
{
    double mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < n && !isnan(mx); j++)
        if (x[j] > mx || isnan(x[j])) mx = x[j];
    if (isinf(mx) && mx < 0) mx = 0;
    for (int64_t j = 0; j < n; j++) sum += x[j] = xc_dtype_round(t, exp(xc_dtype_round(t, x[j] - mx)));
    sum = sum == 0 ? 1 : xc_dtype_round(t, sum);
    for (int64_t j = 0; j < n; j++) x[j] = xc_dtype_round(t, x[j] / sum);
}

/* One query row: scores against every key, bias, softmax, then the probabilities times V.
 * score/prob are total-sized scratch rows, acc v_head-sized. */
static void attention_row(const attn *at, const xc_ref_args *a, int64_t b, int64_t h, int64_t i, double *score, double *prob,
                          double *acc)
{
    int64_t kh = h / (at->q_heads / at->kv_heads), total = at->total;
    int64_t offset = at->past_seq ? at->past_seq : at->nonpad ? at->nonpad[b] - at->q_seq : 0;
    const double *q = at->q + ((b * at->q_heads + h) * at->q_seq + i) * at->head;
    const double *k = at->k + (b * at->kv_heads + kh) * total * at->head;
    const double *v = at->v + (b * at->kv_heads + kh) * total * at->v_head;
    xc_tensor *qk = a->n_out > 3 ? a->out[3] : NULL;
    size_t qk_row = (size_t)(((b * at->q_heads + h) * at->q_seq + i) * total);
    int all_masked = 1;
    for (int64_t j = 0; j < total; j++) {
        double dot = 0;
        for (int64_t d = 0; d < at->head; d++) dot += q[d] * k[j * at->head + d];
        double raw = xc_dtype_round(at->t, dot), capped = softcapped(at, raw), bias = attn_bias(at, b, h, i, j, offset);
        all_masked &= isinf(bias) && bias < 0;
        score[j] = xc_dtype_round(at->t, capped + bias);
        if (qk && at->mode < 3) /* mode 0 is the raw product, as the spec defines it */
            xc_store_f64(qk->dtype, qk->data, qk_row + (size_t)j, at->mode == 0 ? raw : at->mode == 1 ? capped : score[j]);
        prob[j] = xc_dtype_round(at->softmax_t, score[j]);
    }
    softmax_row(prob, total, at->softmax_t);
    for (int64_t j = 0; j < total; j++) {
        /* a fully-masked row attends nothing: zero probabilities, not NaN */
        prob[j] = all_masked ? 0 : xc_dtype_round(at->t, prob[j]);
        if (qk && at->mode == 3) xc_store_f64(qk->dtype, qk->data, qk_row + (size_t)j, prob[j]);
    }
    for (int64_t d = 0; d < at->v_head; d++) acc[d] = 0;
    for (int64_t j = 0; j < total; j++)
        for (int64_t d = 0; d < at->v_head; d++) acc[d] += prob[j] * v[j * at->v_head + d];
    xc_tensor *y = a->out[0];
    for (int64_t d = 0; d < at->v_head; d++)
        xc_store_f64(y->dtype, y->data, head_index(at->rank, b, h, i, d, at->q_heads, at->q_seq, at->v_head), acc[d]);
}

static xc_status ref_attention(xc_ref_args *a)
{
    attn at = {0};
    attn_geometry(a, &at);
    size_t scratch = (size_t)(2 * at.total + at.v_head);
    double *rows = new_doubles(scratch);
    xc_status s = rows ? XC_OK : xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = load_qkv(a, &at);
    if (s == XC_OK) s = load_mask(a, &at);
    for (int64_t b = 0; s == XC_OK && b < at.batch; b++)
        for (int64_t h = 0; h < at.q_heads; h++)
            for (int64_t i = 0; i < at.q_seq; i++) attention_row(&at, a, b, h, i, rows, rows + at.total, rows + 2 * at.total);
    free(rows);
    free(at.q);
    free(at.k);
    free(at.v);
    free(at.mask);
    return s;
}

/* ---- RotaryEmbedding ---- */

typedef struct rotary {
    const xc_tensor *x, *cos_c, *sin_c;
    xc_tensor *y;
    int64_t head, half; /* half = rotary_dim / 2 */
    int interleaved;
} rotary;

/* Rotates the pairs (x[k], x[k + half]), or (x[2k], x[2k + 1]) when interleaved, of the head
 * starting at element base by the cache's row; features past rotary_dim pass through. */
static void rotate_head(const rotary *r, size_t base, int64_t row)
{
    size_t es = xc_dtype_size(r->x->dtype);
    for (int64_t k = 0; k < r->half; k++) {
        size_t i1 = base + (size_t)(r->interleaved ? 2 * k : k), i2 = base + (size_t)(r->interleaved ? 2 * k + 1 : k + r->half);
        size_t ci = (size_t)(row * r->half + k);
        float c = xc_load_f32(r->cos_c->dtype, r->cos_c->data, ci), s = xc_load_f32(r->sin_c->dtype, r->sin_c->data, ci);
        float x1 = xc_load_f32(r->x->dtype, r->x->data, i1), x2 = xc_load_f32(r->x->dtype, r->x->data, i2);
        xc_store_f32(r->y->dtype, r->y->data, i1, c * x1 - s * x2);
        xc_store_f32(r->y->dtype, r->y->data, i2, s * x1 + c * x2);
    }
    size_t rest = base + (size_t)(2 * r->half);
    memcpy((char *)r->y->data + rest * es, (const char *)r->x->data + rest * es, (size_t)(r->head - 2 * r->half) * es);
}

/* Each head of each token is rotated by the (cos, sin) cache row of its position: position_ids
 * picks the row, else the cache is indexed by (batch, seq). Computes in float (the op's types are
 * float32 and the half types). */
static xc_status ref_rotary(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *pos = a->n_in > 3 ? a->in[3] : NULL;
    rotary r = {
        x, a->in[1], a->in[2], a->out[0], 0, a->in[1]->dims[a->in[1]->rank - 1], xc_attr_int(a->node, "interleaved", 0) != 0};
    int64_t batch = x->dims[0], seq = x->dims[x->rank == 4 ? 2 : 1];
    int64_t heads = x->rank == 4 ? x->dims[1] : xc_attr_int(a->node, "num_heads", 0);
    r.head = x->rank == 4 ? x->dims[3] : x->dims[2] / heads;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t s = 0; s < seq; s++) {
            int64_t row = pos ? ((const int64_t *)pos->data)[b * seq + s] : b * seq + s;
            if (pos && (row < 0 || row >= r.cos_c->dims[0]))
                return xc_ref_fail(a, XC_ERR_MODEL, "position id %lld is outside the %lld cached positions", (long long)row,
                                   (long long)r.cos_c->dims[0]);
            for (int64_t h = 0; h < heads; h++) rotate_head(&r, head_index(x->rank, b, h, s, 0, heads, seq, r.head), row);
        }
    return XC_OK;
}

const xc_ref_kernel xc_ref_attention[] = {
    {"Attention", ref_attention},
    {"RotaryEmbedding", ref_rotary},
    {0},
};

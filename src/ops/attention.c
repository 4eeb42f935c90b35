/* attention.c — schemas of Attention (opsets 23, 24 with nonpad_kv_seqlen, 25 with sliding
 * windows) and RotaryEmbedding (opset 23). Sizes may be unknown (-1) at load time; every check
 * below only fires on known sizes. */
#include "schema.h"

static int64_t known_sum(int64_t a, int64_t b) { return a < 0 || b < 0 ? -1 : a + b; }
static int64_t known_product(int64_t a, int64_t b) { return a < 0 || b < 0 ? -1 : a * b; }
static int dims_clash(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }

/* hidden / heads for 3-D inputs, failing when the hidden size does not split evenly. */
static xc_status split_heads(xc_infer_ctx *c, const char *what, int64_t hidden, int64_t heads, int64_t *head_size)
{
    *head_size = -1;
    if (hidden < 0) return XC_OK;
    if (hidden % heads)
        return xc_infer_fail(c, "%s hidden size %lld is not a multiple of %lld heads", what, (long long)hidden, (long long)heads);
    *head_size = hidden / heads;
    return XC_OK;
}

/* ---- Attention ---- */

#define ATTENTION23_ATTRS                                                                                                        \
    {"is_causal", XC_ATTR_INT, 0}, {"kv_num_heads", XC_ATTR_INT, 0}, {"q_num_heads", XC_ATTR_INT, 0},                            \
        {"qk_matmul_output_mode", XC_ATTR_INT, 0}, {"scale", XC_ATTR_FLOAT, 0}, {"softcap", XC_ATTR_FLOAT, 0},                   \
    {                                                                                                                            \
        "softmax_precision", XC_ATTR_INT, 0                                                                                      \
    }
static const xc_attr_spec attention23_attrs[] = {ATTENTION23_ATTRS, {NULL, 0, 0}};
static const xc_attr_spec attention25_attrs[] = {
    ATTENTION23_ATTRS,
    {"left_window_size", XC_ATTR_INT, 0},
    {"right_window_size", XC_ATTR_INT, 0},
    {NULL, 0, 0},
};

/* Sizes of one Attention node, in the 4-D (batch, heads, sequence, head size) view. */
typedef struct attn_geom {
    int64_t batch, q_heads, kv_heads, q_seq, kv_seq, past_seq, total_seq, head, v_head;
} attn_geom;

/* Reads the geometry of Q, K and V (ranks known and equal); 3-D inputs take their head counts from
 * the q_num_heads / kv_num_heads attributes. */
static xc_status attention_geometry(xc_infer_ctx *c, attn_geom *g)
{
    const xc_type_shape *q = &c->in[0], *k = &c->in[1], *v = &c->in[2];
    int64_t k_head;
    if (q->rank != 3 && q->rank != 4) return xc_infer_fail(c, "Q must be 3-D or 4-D, got rank %d", q->rank);
    if (k->rank != q->rank || v->rank != q->rank)
        return xc_infer_fail(c, "Q, K and V ranks differ (%d, %d, %d)", q->rank, k->rank, v->rank);
    g->batch = q->dims[0];
    if (q->rank == 4) {
        g->q_heads = q->dims[1];
        g->q_seq = q->dims[2];
        g->head = q->dims[3];
        g->kv_heads = k->dims[1];
        g->kv_seq = k->dims[2];
        k_head = k->dims[3];
        g->v_head = v->dims[3];
        if (dims_clash(v->dims[1], k->dims[1]) || dims_clash(v->dims[2], k->dims[2]))
            return xc_infer_fail(c, "K and V disagree on heads or sequence length");
    } else {
        g->q_heads = xc_attr_int(c->node, "q_num_heads", 0);
        g->kv_heads = xc_attr_int(c->node, "kv_num_heads", 0);
        if (g->q_heads <= 0 || g->kv_heads <= 0) return xc_infer_fail(c, "3-D inputs need positive q_num_heads and kv_num_heads");
        g->q_seq = q->dims[1];
        g->kv_seq = k->dims[1];
        if (dims_clash(v->dims[1], k->dims[1])) return xc_infer_fail(c, "K and V sequence lengths differ");
        XC_TRY(split_heads(c, "Q", q->dims[2], g->q_heads, &g->head));
        XC_TRY(split_heads(c, "K", k->dims[2], g->kv_heads, &k_head));
        XC_TRY(split_heads(c, "V", v->dims[2], g->kv_heads, &g->v_head));
    }
    if (dims_clash(k->dims[0], g->batch) || dims_clash(v->dims[0], g->batch))
        return xc_infer_fail(c, "Q, K and V batch sizes differ");
    if (dims_clash(k_head, g->head))
        return xc_infer_fail(c, "Q head size %lld differs from K's %lld", (long long)g->head, (long long)k_head);
    if (g->q_heads >= 0 && g->kv_heads >= 0 && (g->kv_heads ? g->q_heads % g->kv_heads : g->q_heads))
        return xc_infer_fail(c, "q_num_heads %lld is not a multiple of kv_num_heads %lld", (long long)g->q_heads,
                             (long long)g->kv_heads);
    return XC_OK;
}

/* past_key (batch, kv_heads, past, head) and past_value (batch, kv_heads, past, v_head) come
 * together, and not with nonpad_kv_seqlen (an external cache). */
static xc_status attention_past(xc_infer_ctx *c, attn_geom *g)
{
    int has_key = c->n_in > 4 && c->in[4].present, has_value = c->n_in > 5 && c->in[5].present;
    g->past_seq = 0;
    if (has_key != has_value) return xc_infer_fail(c, "past_key and past_value must be given together");
    if (has_key && c->n_in > 6 && c->in[6].present)
        return xc_infer_fail(c, "nonpad_kv_seqlen cannot be combined with past_key/past_value");
    for (int i = 4; has_key && i < 6; i++) {
        const xc_type_shape *p = &c->in[i];
        if (p->rank < 0) {
            g->past_seq = -1;
            continue;
        }
        if (p->rank != 4) return xc_infer_fail(c, "%s must be 4-D, got rank %d", c->node->inputs[i], p->rank);
        int64_t want[4] = {g->batch, g->kv_heads, p->dims[2], i == 4 ? g->head : g->v_head};
        for (int d = 0; d < 4; d++)
            if (dims_clash(p->dims[d], want[d])) return xc_infer_fail(c, "%s has a wrong size on axis %d", c->node->inputs[i], d);
        if (i == 5 && dims_clash(p->dims[2], g->past_seq)) return xc_infer_fail(c, "past_key and past_value lengths differ");
        g->past_seq = p->dims[2];
    }
    g->total_seq = known_sum(g->past_seq, g->kv_seq);
    return XC_OK;
}

/* attn_mask broadcasts (right-aligned) to (batch, q_heads, q_seq, total_seq), except that its
 * last axis may be shorter than total_seq: the missing keys are masked out. */
static xc_status attention_mask(xc_infer_ctx *c, const attn_geom *g)
{
    const xc_type_shape *m = &c->in[3];
    if (c->n_in < 4 || !m->present || m->rank < 0) return XC_OK;
    if (m->rank < 1 || m->rank > 4) return xc_infer_fail(c, "attn_mask must have rank 1 to 4, got %d", m->rank);
    int64_t target[3] = {g->batch, g->q_heads, g->q_seq};
    int64_t last = m->dims[m->rank - 1];
    if (last >= 0 && g->total_seq >= 0 && last > g->total_seq)
        return xc_infer_fail(c, "attn_mask covers %lld keys, more than the %lld there are", (long long)last,
                             (long long)g->total_seq);
    for (int d = 0; d < m->rank - 1; d++) {
        int64_t want = target[3 - m->rank + 1 + d];
        if (m->dims[d] != 1 && dims_clash(m->dims[d], want))
            return xc_infer_fail(c, "attn_mask axis %d has size %lld, which does not broadcast to %lld", d, (long long)m->dims[d],
                                 (long long)want);
    }
    return XC_OK;
}

/* nonpad_kv_seqlen: one valid-key count per batch entry. */
static xc_status attention_nonpad(xc_infer_ctx *c, const attn_geom *g)
{
    const xc_type_shape *np = &c->in[6];
    if (c->n_in < 7 || !np->present || np->rank < 0) return XC_OK;
    if (np->rank != 1 || dims_clash(np->dims[0], g->batch))
        return xc_infer_fail(c, "nonpad_kv_seqlen must have shape (%lld)", (long long)g->batch);
    return XC_OK;
}

static xc_status attention_attrs(xc_infer_ctx *c)
{
    int64_t mode = xc_attr_int(c->node, "qk_matmul_output_mode", 0), prec = xc_attr_int(c->node, "softmax_precision", XC_FLOAT);
    if (mode < 0 || mode > 3) return xc_infer_fail(c, "qk_matmul_output_mode %lld is not 0 to 3", (long long)mode);
    if (prec != XC_FLOAT && prec != XC_FLOAT16 && prec != XC_DOUBLE && prec != XC_BFLOAT16)
        return xc_infer_fail(c, "softmax_precision %lld is not a floating-point type", (long long)prec);
    if (xc_attr_int(c->node, "left_window_size", -1) < -1 || xc_attr_int(c->node, "right_window_size", -1) < -1)
        return xc_infer_fail(c, "window sizes must be -1 or nonnegative");
    return XC_OK;
}

static xc_status infer_attention(xc_infer_ctx *c)
{
    const xc_type_shape *q = &c->in[0], *k = &c->in[1], *v = &c->in[2];
    for (int i = 0; i < c->n_in && i < 6; i++)
        if (i != 3) XC_TRY(xc_infer_require_type(c, i, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 3, XC_T_ALL));
    XC_TRY(xc_infer_require_type(c, 6, XC_BIT(XC_INT64)));
    XC_TRY(attention_attrs(c));
    xc_dtype t = q->dtype;
    for (int o = 0; o < c->n_out; o++) xc_infer_unknown(c, o, o == 2 ? v->dtype : t);
    if (q->rank < 0 || k->rank < 0 || v->rank < 0) return XC_OK;
    attn_geom g = {0};
    XC_TRY(attention_geometry(c, &g));
    XC_TRY(attention_past(c, &g));
    XC_TRY(attention_mask(c, &g));
    XC_TRY(attention_nonpad(c, &g));
    int64_t y3[3] = {g.batch, g.q_seq, known_product(g.q_heads, g.v_head)}, y4[4] = {g.batch, g.q_heads, g.q_seq, g.v_head};
    int64_t pk[4] = {g.batch, g.kv_heads, g.total_seq, g.head}, pv[4] = {g.batch, g.kv_heads, g.total_seq, g.v_head};
    int64_t qk[4] = {g.batch, g.q_heads, g.q_seq, g.total_seq};
    const int64_t *shapes[4] = {q->rank == 3 ? y3 : y4, pk, pv, qk};
    for (int o = 0; o < c->n_out; o++) xc_infer_set(c, o, o == 2 ? v->dtype : t, o == 0 ? q->rank : 4, shapes[o]);
    return XC_OK;
}

/* ---- RotaryEmbedding ---- */

static const xc_attr_spec rotary_attrs[] = {
    {"interleaved", XC_ATTR_INT, 0},
    {"num_heads", XC_ATTR_INT, 0},
    {"rotary_embedding_dim", XC_ATTR_INT, 0},
    {NULL, 0, 0},
};

/* cos_cache and sin_cache: (max_position + 1, rotary_dim / 2) when position_ids (batch, seq) is
 * given, else (batch, seq, rotary_dim / 2). */
static xc_status check_rotary_caches(xc_infer_ctx *c, int64_t batch, int64_t seq, int64_t half)
{
    int has_pos = c->n_in > 3 && c->in[3].present;
    const xc_type_shape *pos = &c->in[3];
    if (has_pos && pos->rank >= 0 && (pos->rank != 2 || dims_clash(pos->dims[0], batch) || dims_clash(pos->dims[1], seq)))
        return xc_infer_fail(c, "position_ids must have shape (batch, sequence)");
    for (int i = 1; i <= 2; i++) {
        const xc_type_shape *cache = &c->in[i];
        if (cache->rank < 0) continue;
        int bad =
            has_pos ? cache->rank != 2 : cache->rank != 3 || dims_clash(cache->dims[0], batch) || dims_clash(cache->dims[1], seq);
        if (bad || dims_clash(cache->dims[cache->rank - 1], half))
            return xc_infer_fail(c, "%s must have shape %s with last axis %lld", c->node->inputs[i],
                                 has_pos ? "(positions, rotary_dim / 2)" : "(batch, sequence, rotary_dim / 2)", (long long)half);
    }
    return XC_OK;
}

static xc_status infer_rotary(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    for (int i = 0; i < 3; i++) XC_TRY(xc_infer_require_type(c, i, XC_BIT(XC_FLOAT) | XC_BIT(XC_FLOAT16) | XC_BIT(XC_BFLOAT16)));
    XC_TRY(xc_infer_require_type(c, 3, XC_BIT(XC_INT64)));
    xc_infer_copy(c, 0, 0);
    if (x->rank < 0) return XC_OK;
    if (x->rank != 3 && x->rank != 4) return xc_infer_fail(c, "input must be 3-D or 4-D, got rank %d", x->rank);
    int64_t heads = xc_attr_int(c->node, "num_heads", 0), head = x->rank == 4 ? x->dims[3] : -1;
    if (x->rank == 3) {
        if (heads <= 0) return xc_infer_fail(c, "3-D input needs a positive num_heads");
        XC_TRY(split_heads(c, "input", x->dims[2], heads, &head));
    }
    int64_t rot = xc_attr_int(c->node, "rotary_embedding_dim", 0);
    if (rot < 0) return xc_infer_fail(c, "rotary_embedding_dim %lld is negative", (long long)rot);
    if (rot == 0) rot = head;
    if (rot >= 0 && (rot % 2 || (head >= 0 && rot > head)))
        return xc_infer_fail(c, "rotary_embedding_dim %lld must be even and at most the head size %lld", (long long)rot,
                             (long long)head);
    return check_rotary_caches(c, x->dims[0], x->dims[x->rank == 4 ? 2 : 1], rot < 0 ? -1 : rot / 2);
}

const xc_op_schema xc_schemas_attention[] = {
    {"Attention", 23, 3, 6, 1, 4, attention23_attrs, infer_attention},
    {"Attention", 24, 3, 7, 1, 4, attention23_attrs, infer_attention},
    {"Attention", 25, 3, 7, 1, 4, attention25_attrs, infer_attention},
    {"RotaryEmbedding", 23, 3, 4, 1, 1, rotary_attrs, infer_rotary},
    {0},
};

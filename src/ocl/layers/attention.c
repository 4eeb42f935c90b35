/* attention.c — the attention layer kind: scaled dot-product attention in one kernel
 * (kernels/attention.cl), for two sources:
 *  - the attention fusion pass (passes/attention.c): MatMul -> scale -> mask Add -> Softmax ->
 *    MatMul, in = {Q, K (rows when the layer covers the Transpose, else Kt), V, mask or -1},
 *    alpha = the scale; a row whose every score is -inf gives NaN, as Softmax does;
 *  - the ONNX Attention node (opset 23) without past key/value, softcap, windows or extra
 *    outputs: 4-D [B, H, S, D] or 3-D [B, S, H*D] operands, grouped-query heads, a float
 *    attn_mask, is_causal; a fully masked row gives zeros, as the reference does.
 * Tactics: attention.flash.<BQ>x<BK> (the portable baseline: a work-group of BQ query rows,
 * key/value blocks of BK rows through local memory) and attention.flash_wide.<BQ>x<BK> (wider
 * query blocks that amortize each key/value block over more rows, tuned on GPUs only); on tensor
 * cores, attention.flash_tf32.<BQ>x<BKN> and attention.flash_mma_fp16.<BQ>x<BKN>
 * (kernels/attention_mma.cl, head sizes 32, 64 and 128). */
#include "ocl/engine.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_MAX 128 /* largest head size: DMAX private floats twice per work-item, BK rows of K and V in local memory */
#define BK_LOCAL 32  /* key rows per block in every variant (local memory: 2 * BK * HEAD_MAX floats) */
#define ATTN_MASK 1  /* flags, as kernels/attention.cl reads them */
#define ATTN_CAUSAL 2
#define ATTN_EMPTY_ZERO 4

/* Operand strides (elements) for batch, head, sequence and (K only) head-size axes. */
typedef struct geom {
    int64_t batch, heads, group, sq, skv, dk, dv;
    int64_t q[3], k[4], v[3], y[3], m[4];
    float scale;
    int flags;
} geom;

int xc_attention_head_size_ok(int64_t dk, int64_t dv) { return dk >= 1 && dv >= 1 && dk <= HEAD_MAX && dv <= HEAD_MAX; }

static int is_attention_op(const xc_layer *l) { return !strcmp(l->node->op_type, "Attention"); }

/* Strides of a broadcast mask over `rank` axes of `dims` (right-aligned). */
static void mask_strides(const xc_etensor *m, int rank, int64_t *st)
{
    int64_t s = 1;
    for (int a = rank - 1; a >= 0; a--) {
        int md = a - (rank - m->rank);
        int64_t size = md >= 0 ? m->dims[md] : 1;
        st[a] = size == 1 ? 0 : s;
        s *= size;
    }
}

static int mask_broadcasts(const xc_etensor *m, int rank, const int64_t *dims)
{
    if (m->dtype != XC_FLOAT || m->rank > rank || m->rank < 1 || xc_et_numel(m) >= (size_t)INT_MAX) return 0;
    for (int k = 0; k < m->rank; k++) {
        int64_t d = m->dims[k], want = dims[rank - m->rank + k];
        if (d != 1 && d != want) return 0;
    }
    return 1;
}

/* Contiguous [B, H, S, D] (or [B*H, S, D] with H 1) strides of batch, head and sequence. */
static void bhs(int64_t heads, int64_t seq, int64_t size, int64_t *st)
{
    st[2] = size;
    st[1] = seq * size;
    st[0] = heads * seq * size;
}

/* The covered node producing ONNX tensor `name` when it is a Transpose of rank `rank`, its perm
 * in *perm; else NULL. */
static const xc_node *covered_transpose(const xc_engine *e, const xc_layer *l, const char *name, int rank, const int64_t **perm)
{
    for (int k = 0; k < l->n_nodes; k++) {
        const xc_node *n = &e->model->graph->nodes[l->nodes[k]];
        size_t np;
        if (!strcmp(n->op_type, "Transpose") && n->n_outputs > 0 && !strcmp(n->outputs[0], name)
            && xc_attr_ints(n, "perm", perm, &np) && (int)np == rank)
            return n;
    }
    return NULL;
}

/* Dims and strides (elements) of `name`, the tensor a MatMul of the pattern reads (Q, Kt or V),
 * over t, the tensor the layer reads for it (stored contiguous): walking back from `name`
 * through the Transposes the layer covers (absorbed by the pass) to t. By name and backwards,
 * because one tensor may feed several of them (Q, K and V split from one projection). */
static void operand_view(const xc_engine *e, const xc_layer *l, const char *name, int t, int64_t *dims, int64_t *st)
{
    const xc_etensor *x = &e->tensors[t];
    int rank = x->rank;
    int64_t net[4], s = 1, src[4]; /* operand axis a is axis net[a] of the tensor reached */
    for (int a = 0; a < rank; a++) net[a] = a;
    const int64_t *perm;
    for (const xc_node *n; (n = covered_transpose(e, l, name, rank, &perm)) != NULL; name = n->inputs[0])
        for (int a = 0; a < rank; a++) net[a] = perm[net[a]];
    for (int a = rank - 1; a >= 0; s *= x->dims[a], a--) src[a] = s;
    for (int a = 0; a < rank; a++) dims[a] = x->dims[net[a]], st[a] = src[net[a]];
}

/* Strides of the pattern's Y [B, H, S, D] (or [B*H, S, D]) in the layer's output: through the
 * output Transpose the layer covers (absorbed by the pass), else contiguous. */
static void output_strides(const xc_engine *e, const xc_layer *l, int64_t *st)
{
    const xc_etensor *y = &e->tensors[l->out[0]];
    int rank = y->rank;
    int64_t ost[4], s = 1;
    for (int a = rank - 1; a >= 0; s *= y->dims[a], a--) ost[a] = st[a] = s;
    const int64_t *perm;
    if (covered_transpose(e, l, y->name, rank, &perm))
        for (int a = 0; a < rank; a++) st[perm[a]] = ost[a]; /* output axis a is Y's axis perm[a] */
}

/* Batch, head and sequence strides of a rank-r view (no head axis at rank 3). */
static void bhs_of(const int64_t *st, int r, int64_t *out)
{
    out[0] = st[0];
    out[1] = r == 4 ? st[1] : 0;
    out[2] = st[r - 2];
}

static void fused_geometry(const xc_engine *e, const xc_layer *l, geom *g)
{
    int64_t qd[4], qs[4], kd[4], ks[4], vd[4], vs[4], ys[4]; /* kd: Kt's dims, checked by the pass */
    const xc_node *mm1 = l->node, *mm2 = mm1;                /* the layer's node is the first MatMul; V goes into the other */
    for (int k = 0; k < l->n_nodes; k++) {
        const xc_node *n = &e->model->graph->nodes[l->nodes[k]];
        if (n != mm1 && !strcmp(n->op_type, "MatMul")) mm2 = n;
    }
    operand_view(e, l, mm1->inputs[0], l->in[0], qd, qs);
    operand_view(e, l, mm1->inputs[1], l->in[1], kd, ks); /* Kt: [.., D, Skv] */
    operand_view(e, l, mm2->inputs[1], l->in[2], vd, vs);
    int r = e->tensors[l->in[0]].rank;
    output_strides(e, l, ys);
    g->batch = qd[0];
    g->heads = r == 4 ? qd[1] : 1;
    g->group = 1;
    g->sq = qd[r - 2];
    g->dk = qd[r - 1];
    g->skv = vd[r - 2];
    g->dv = vd[r - 1];
    bhs_of(qs, r, g->q);
    bhs_of(vs, r, g->v);
    bhs_of(ys, r, g->y);
    g->k[0] = ks[0];
    g->k[1] = r == 4 ? ks[1] : 0;
    g->k[2] = ks[r - 1]; /* along the keys */
    g->k[3] = ks[r - 2]; /* along the head */
    g->scale = l->alpha;
    g->flags = 0;
    memset(g->m, 0, sizeof g->m);
    if (l->n_in > 3 && l->in[3] >= 0) {
        int64_t st[4];
        mask_strides(&e->tensors[l->in[3]], r, st);
        if (r == 4)
            memcpy(g->m, st, sizeof st);
        else
            g->m[0] = st[0], g->m[2] = st[1], g->m[3] = st[2];
        g->flags |= ATTN_MASK;
    }
}

/* The ONNX Attention node's geometry; 0 when the engine does not take it (see the top). */
static int op_geometry(const xc_engine *e, const xc_layer *l, geom *g)
{
    const xc_node *n = l->node;
    if (n->domain[0] || n->opset < 23 || l->n_in < 3 || l->n_in > 7 || l->n_out < 1 || l->out[0] < 0) return 0;
    for (int i = 0; i < 3; i++)
        if (l->in[i] < 0) return 0;
    for (int i = 4; i < l->n_in; i++)
        if (l->in[i] >= 0) return 0; /* past_key, past_value, nonpad_kv_seqlen */
    for (int o = 1; o < l->n_out; o++)
        if (l->out[o] >= 0) return 0; /* present_key/value, qk_matmul_output */
    if (xc_attr_float(n, "softcap", 0.0f) != 0.0f || xc_attr_int(n, "left_window_size", -1) != -1
        || xc_attr_int(n, "right_window_size", -1) != -1 || xc_attr_int(n, "softmax_precision", XC_FLOAT) != XC_FLOAT)
        return 0;
    const xc_etensor *q = &e->tensors[l->in[0]], *k = &e->tensors[l->in[1]], *v = &e->tensors[l->in[2]],
                     *y = &e->tensors[l->out[0]];
    int r = q->rank;
    if ((r != 3 && r != 4) || k->rank != r || v->rank != r || y->rank != r || q->dtype != XC_FLOAT || k->dtype != XC_FLOAT
        || v->dtype != XC_FLOAT || y->dtype != XC_FLOAT)
        return 0;
    int64_t hkv;
    g->batch = q->dims[0];
    if (r == 4) {
        g->heads = q->dims[1], hkv = k->dims[1];
        g->sq = q->dims[2], g->dk = q->dims[3], g->skv = k->dims[2], g->dv = v->dims[3];
        if (v->dims[1] != hkv || v->dims[2] != g->skv || k->dims[3] != g->dk) return 0;
    } else {
        g->heads = xc_attr_int(n, "q_num_heads", 0), hkv = xc_attr_int(n, "kv_num_heads", 0);
        if (g->heads <= 0 || hkv <= 0 || q->dims[2] % g->heads || k->dims[2] % hkv || v->dims[2] % hkv) return 0;
        g->sq = q->dims[1], g->dk = q->dims[2] / g->heads, g->skv = k->dims[1], g->dv = v->dims[2] / hkv;
        if (k->dims[2] / hkv != g->dk || v->dims[1] != g->skv) return 0;
    }
    if (k->dims[0] != g->batch || v->dims[0] != g->batch || hkv <= 0 || g->heads % hkv || g->sq <= 0 || g->skv <= 0
        || !xc_attention_head_size_ok(g->dk, g->dv))
        return 0;
    for (int i = 0; i < 3; i++)
        if (xc_et_numel(&e->tensors[l->in[i]]) >= (size_t)INT_MAX) return 0;
    if (xc_et_numel(y) >= (size_t)INT_MAX) return 0;
    g->group = g->heads / hkv;
    if (r == 4) {
        bhs(g->heads, g->sq, g->dk, g->q);
        bhs(g->heads, g->sq, g->dv, g->y);
        bhs(hkv, g->skv, g->dv, g->v);
        bhs(hkv, g->skv, g->dk, g->k);
    } else { /* [B, S, H*D]: heads are neighbouring slices of a row */
        int64_t qs[3] = {g->sq * g->heads * g->dk, g->dk, g->heads * g->dk},
                ys[3] = {g->sq * g->heads * g->dv, g->dv, g->heads * g->dv};
        int64_t ks[3] = {g->skv * hkv * g->dk, g->dk, hkv * g->dk}, vs[3] = {g->skv * hkv * g->dv, g->dv, hkv * g->dv};
        memcpy(g->q, qs, sizeof qs), memcpy(g->y, ys, sizeof ys), memcpy(g->k, ks, sizeof ks), memcpy(g->v, vs, sizeof vs);
    }
    g->k[3] = 1;
    g->scale = xc_node_attr(n, "scale") ? xc_attr_float(n, "scale", 1.0f) : (float)(1.0 / sqrt((double)g->dk));
    g->flags = ATTN_EMPTY_ZERO | (xc_attr_int(n, "is_causal", 0) ? ATTN_CAUSAL : 0);
    memset(g->m, 0, sizeof g->m);
    if (l->n_in > 3 && l->in[3] >= 0) {
        int64_t dims[4] = {g->batch, g->heads, g->sq, g->skv};
        if (!mask_broadcasts(&e->tensors[l->in[3]], 4, dims)) return 0; /* bool masks, shorter key axes: reference only */
        mask_strides(&e->tensors[l->in[3]], 4, g->m);
        g->flags |= ATTN_MASK;
    }
    return 1;
}

static int geometry(const xc_engine *e, const xc_layer *l, geom *g)
{
    if (is_attention_op(l)) return op_geometry(e, l, g);
    fused_geometry(e, l, g);
    return 1;
}

/* Only the Attention node comes through lowering; the fusion pass sets its layers' kind itself. */
static int accepts(const xc_engine *e, const xc_layer *l)
{
    geom g;
    return is_attention_op(l) && op_geometry(e, l, &g);
}

static int dmax_of(const geom *g)
{
    int64_t d = g->dk > g->dv ? g->dk : g->dv;
    return d <= 32 ? 32 : d <= 64 ? 64 : HEAD_MAX;
}

/* Q, K, V, the mask (or a dummy binding) and Y, as every attention kernel takes them first. */
static xc_status bind_operands(xc_engine *e, xc_layer *l, xc_launch *k, const geom *g)
{
    for (int i = 0; i < 3; i++) XC_TRY(xc_launch_input(e, l, k, l->in[i]));
    XC_TRY(xc_launch_input(e, l, k, g->flags & ATTN_MASK ? l->in[3] : l->in[0])); /* no mask: a dummy binding */
    xc_launch_tensor(k, l->out[0]);
    return XC_OK;
}

/* The sizes, strides, scale and flags, as every attention kernel takes them after its locals. */
static void bind_geometry(xc_launch *k, const geom *g)
{
    const int64_t ints[] = {g->heads, g->group, g->sq,   g->skv,  g->dk,   g->dv,   g->q[0], g->q[1],
                            g->q[2],  g->k[0],  g->k[1], g->k[2], g->k[3], g->v[0], g->v[1], g->v[2],
                            g->y[0],  g->y[1],  g->y[2], g->m[0], g->m[1], g->m[2], g->m[3]};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) xc_launch_int(k, ints[i]);
    xc_launch_float(k, g->scale);
    xc_launch_int(k, g->flags);
}

static xc_status flash_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    geom g;
    if (!geometry(e, l, &g)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': not an attention the kernel takes", l->name);
    size_t bq = (size_t)xc_define_int(defines, "BQ", 0);
    if (!bq) return xc_fail(XC_ERR_INTERNAL, "layer '%s': variant without -DBQ", l->name);
    char defs[256];
    snprintf(defs, sizeof defs, "%s -DBK=%d -DDMAX=%d", defines, BK_LOCAL, dmax_of(&g));
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "attention.cl", NULL, defs, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "attention_flash");
    if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
    XC_TRY(bind_operands(e, l, k, &g));
    xc_launch_local(k, sizeof(float) * BK_LOCAL * xc_round_up((size_t)g.dk, 4)); /* K and V rows padded to float4s */
    xc_launch_local(k, sizeof(float) * BK_LOCAL * xc_round_up((size_t)g.dv, 4));
    bind_geometry(k, &g);
    size_t global[2] = {xc_round_up((size_t)g.sq, bq), (size_t)(g.batch * g.heads)}, local[2] = {bq, 1};
    xc_launch_range(k, 2, global, local);
    return XC_OK;
}

/* ---- the tensor-core tactics (kernels/attention_mma.cl): head size 32, 64 or 128 on both sides ---- */
static int mma_geometry(const xc_engine *e, const xc_layer *l, geom *g)
{
    return geometry(e, l, g) && g->dk == g->dv && (g->dk == 32 || g->dk == 64 || g->dk == 128);
}

static xc_status mma_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    geom g;
    if (!mma_geometry(e, l, &g)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': not an attention the mma kernel takes", l->name);
    int warps = xc_define_int(defines, "WARPS", 0), bkn = xc_define_int(defines, "BKN", 0), d = (int)g.dk;
    int fp16 = strstr(defines, "-DMMA_FP16") != NULL, emulated = xc_mma_emulated();
    if (!warps || !bkn) return xc_fail(XC_ERR_INTERNAL, "layer '%s': variant without -DWARPS/-DBKN", l->name);
    /* Local pitches in 32-bit words (a TF32 float or two halves): 4 words of padding put the 8
     * rows x 4 words of a K fragment read on 32 banks; V^T's TF32 rows take two-word reads
     * (8 words of padding), its f16 rows one-word reads. */
    int pk = (fp16 ? d / 2 : d) + 4, pv = fp16 ? bkn / 2 + 4 : bkn + 8;
    size_t ks = 4 * (size_t)bkn * pk, vt = 4 * (size_t)d * pv, xch = emulated ? 4 * 6 * 32 * (size_t)warps : 4;
    if (ks + vt + xch > e->dev->local_mem)
        return xc_fail(XC_ERR_RUNTIME, "layer '%s': %s needs %zu bytes of local memory, the device has %zu", l->name, l->variant,
                       ks + vt + xch, e->dev->local_mem);
    char defs[256];
    snprintf(defs, sizeof defs, "%s -DD=%d -DPK=%d -DPV=%d%s", defines, d, pk, pv, xc_mma_defines());
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "attention_mma.cl", NULL, defs, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "attention_mma");
    if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
    XC_TRY(bind_operands(e, l, k, &g));
    xc_launch_local(k, ks + vt);
    xc_launch_local(k, xch);
    bind_geometry(k, &g);
    size_t bq = 16 * (size_t)warps,
           global[2] = {32 * (size_t)warps * (((size_t)g.sq + bq - 1) / bq), (size_t)(g.batch * g.heads)},
           local[2] = {32 * (size_t)warps, 1};
    xc_launch_range(k, 2, global, local);
    return XC_OK;
}

/* attention.flash_tf32: fp32 layers where TF32 is allowed (xc_engine_tf32: NVIDIA compute
 * capability >= 8.0, no --no-tf32). attention.flash_mma_fp16: half-storage layers (--fp16) on
 * the same devices, f16 products with fp32 sums (xc_layer_mma_fp16; --no-tf32 leaves it on). */
static int flash_tf32_applicable(const xc_engine *e, const xc_layer *l)
{
    geom g;
    return xc_engine_tf32(e) && !l->fp16 && mma_geometry(e, l, &g);
}
static int flash_mma_fp16_applicable(const xc_engine *e, const xc_layer *l)
{
    geom g;
    return xc_layer_mma_fp16(e, l) && mma_geometry(e, l, &g);
}

/* The portable baseline: 32 query rows per group (PoCL runs a group's items as one loop). */
static const xc_variant flash_variants[] = {{"32x32", "-DBQ=32"}, {NULL, NULL}};
/* Wider query blocks for GPUs: more rows share each key/value block staged in local memory. */
static const xc_variant wide_variants[] = {{"64x32", "-DBQ=64"}, {"128x32", "-DBQ=128"}, {NULL, NULL}};
static const xc_variant no_cpu_variants[] = {{NULL, NULL}};

static const xc_tactic flash = {"attention.flash", NULL, flash_variants, flash_prepare, NULL};
static const xc_tactic wide = {"attention.flash_wide", NULL, wide_variants, flash_prepare, no_cpu_variants};
/* <BQ>x<BKN>: BQ / 16 warps of 16 query rows, key blocks of BKN; a variant whose K and V^T stages
 * exceed the device's local memory (TF32 at head size 128 with 64-key blocks) is not a candidate. */
static const xc_variant tf32_variants[] = {{"64x64", "-DMMA_TF32 -DWARPS=4 -DBKN=64"},
                                           {"64x32", "-DMMA_TF32 -DWARPS=4 -DBKN=32"},
                                           {"32x64", "-DMMA_TF32 -DWARPS=2 -DBKN=64"},
                                           {"128x64", "-DMMA_TF32 -DWARPS=8 -DBKN=64"},
                                           {NULL, NULL}};
static const xc_variant mma_fp16_variants[] = {{"64x64", "-DMMA_FP16 -DWARPS=4 -DBKN=64"},
                                               {"64x32", "-DMMA_FP16 -DWARPS=4 -DBKN=32"},
                                               {"32x64", "-DMMA_FP16 -DWARPS=2 -DBKN=64"},
                                               {"128x64", "-DMMA_FP16 -DWARPS=8 -DBKN=64"},
                                               {NULL, NULL}};
/* Off GPUs (CROSSCHECK_MMA_EMULATE on PoCL) one variant is tuned: the emulation says nothing of speed. */
static const xc_variant tf32_cpu_variants[] = {{"64x64", "-DMMA_TF32 -DWARPS=4 -DBKN=64"}, {NULL, NULL}};
static const xc_variant mma_fp16_cpu_variants[] = {{"64x64", "-DMMA_FP16 -DWARPS=4 -DBKN=64"}, {NULL, NULL}};
static const xc_tactic flash_tf32 = {"attention.flash_tf32", flash_tf32_applicable, tf32_variants, mma_prepare,
                                     tf32_cpu_variants};
static const xc_tactic flash_mma_fp16 = {"attention.flash_mma_fp16", flash_mma_fp16_applicable, mma_fp16_variants, mma_prepare,
                                         mma_fp16_cpu_variants};
static const xc_tactic *const tactics[] = {&flash, &wide, &flash_tf32, &flash_mma_fp16, NULL};
const xc_layer_kind xc_kind_attention = {"attention", accepts, tactics, 1};

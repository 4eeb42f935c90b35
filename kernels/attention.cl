/* attention.cl — fused scaled dot-product attention (attention.flash.<BQ>x<BK>):
 *   Y[b, h, i, :] = sum_j softmax_j(scale * Q[b, h, i, :] . K[b, hk, j, :] + mask[b, h, i, j]) V[b, hk, j, :]
 * flash-attention style: one work-group of BQ work-items per (batch * head, block of BQ
 * queries), one query row per work-item. Keys and values pass through local memory BK rows at
 * a time; each work-item keeps a running max m and sum l of its row and rescales its fp32
 * accumulator when the max grows, so no [Sq, Skv] matrix exists anywhere. Every operand is
 * addressed by strides (elements) for batch, head and sequence, so [B, H, S, D], [B*H, S, D],
 * [B, S, H*D] and K either as rows [.., Skv, D] or transposed [.., D, Skv] share one program;
 * hk = h / group maps query heads to key/value heads (grouped-query attention).
 * DMAX (>= both head sizes) bounds the private query row and accumulator. */
#define ATTN_MASK 1        /* mask holds an additive bias (else it is a dummy binding) */
#define ATTN_CAUSAL 2      /* key j > query i is masked out */
#define ATTN_EMPTY_ZERO 4  /* a row with every key masked gives zeros (ONNX Attention), else NaN (Softmax) */

__kernel __attribute__((reqd_work_group_size(BQ, 1, 1))) void attention_flash(
    __global const store_t *q, __global const store_t *k, __global const store_t *v, __global const store_t *mask,
    __global store_t *y, __local float *ks, __local float *vs, const int heads, const int group, const int sq,
    const int skv, const int dk, const int dv, const int q_sb, const int q_sh, const int q_ss, const int k_sb,
    const int k_sh, const int k_ss, const int k_sd, const int v_sb, const int v_sh, const int v_ss, const int y_sb,
    const int y_sh, const int y_ss, const int m_sb, const int m_sh, const int m_sq, const int m_sk, const float scale,
    const int flags)
{
    const int lid = get_local_id(0), row = get_group_id(0) * BQ + lid, bh = get_group_id(1);
    const int b = bh / heads, h = bh % heads, hk = h / group, live = row < sq;
    const long kb = (long)b * k_sb + (long)hk * k_sh, vb = (long)b * v_sb + (long)hk * v_sh;
    const long mb = (long)b * m_sb + (long)h * m_sh + (long)row * m_sq;
    float qr[DMAX], acc[DMAX];
    const long qb = (long)b * q_sb + (long)h * q_sh + (long)row * q_ss;
    for (int d = 0; d < dk; d++) qr[d] = live ? LOAD(q, qb + d) : 0.0f;
    for (int d = 0; d < dv; d++) acc[d] = 0.0f;
    float m = -INFINITY, l = 0.0f;
    for (int j0 = 0; j0 < skv; j0 += BK) {
        const int n = min(BK, skv - j0);
        barrier(CLK_LOCAL_MEM_FENCE); /* the previous block is consumed */
        for (int i = lid; i < n * dk; i += BQ) ks[i] = LOAD(k, kb + (long)(j0 + i / dk) * k_ss + (long)(i % dk) * k_sd);
        for (int i = lid; i < n * dv; i += BQ) vs[i] = LOAD(v, vb + (long)(j0 + i / dv) * v_ss + i % dv);
        barrier(CLK_LOCAL_MEM_FENCE);
        if (!live) continue; /* idle rows still load and meet every barrier */
        float s[BK], bmax = -INFINITY;
        for (int j = 0; j < n; j++) {
            float dot = 0.0f;
            for (int d = 0; d < dk; d++) dot = fma(qr[d], ks[j * dk + d], dot);
            float x = dot * scale;
            if (flags & ATTN_MASK) x += LOAD(mask, mb + (long)(j0 + j) * m_sk);
            if ((flags & ATTN_CAUSAL) && j0 + j > row) x = -INFINITY;
            s[j] = x;
            bmax = xc_max_nan(bmax, x);
        }
        const float mn = xc_max_nan(m, bmax);
        if (mn == -INFINITY) continue; /* every key so far masked: nothing to add yet */
        const float corr = exp(m - mn); /* 0 on the first block with a live key (m = -inf) */
        l *= corr;
        for (int d = 0; d < dv; d++) acc[d] *= corr;
        for (int j = 0; j < n; j++) {
            const float p = exp(s[j] - mn);
            l += p;
            for (int d = 0; d < dv; d++) acc[d] = fma(p, vs[j * dv + d], acc[d]);
        }
        m = mn;
    }
    if (!live) return;
    const long yb = (long)b * y_sb + (long)h * y_sh + (long)row * y_ss;
    const int zero = (flags & ATTN_EMPTY_ZERO) && l == 0.0f;
    for (int d = 0; d < dv; d++) STORE(y, yb + d, zero ? 0.0f : acc[d] / l);
}

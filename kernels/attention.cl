/* attention.cl — fused scaled dot-product attention (attention.flash.<BQ>x<BK>):
 *   Y[b, h, i, :] = sum_j softmax_j(scale * Q[b, h, i, :] . K[b, hk, j, :] + mask[b, h, i, j]) V[b, hk, j, :]
 * flash-attention style: one work-group of BQ work-items per (batch * head, block of BQ
 * queries), one query row per work-item. Keys and values pass through local memory BK rows at
 * a time; each work-item keeps a running max m and sum l of its row and rescales its fp32
 * accumulator when the max grows, so no [Sq, Skv] matrix exists anywhere. Every operand is
 * addressed by strides (elements) for batch, head and sequence, so [B, H, S, D], [B*H, S, D],
 * [B, S, H*D] and K either as rows [.., Skv, D] or transposed [.., D, Skv] share one program;
 * hk = h / group maps query heads to key/value heads (grouped-query attention).
 * DMAX (>= both head sizes, a multiple of 4) bounds the private query row and accumulator, held
 * as float4s in fully unrolled loops (registers on GPUs, SIMD on CPUs); head sizes that are no
 * multiple of 4 are padded with zeros in the query, the staged K and V rows and the accumulator.
 * Under fp16 math (common.cl) the products of both GEMMs, the scores and the probabilities are
 * rounded to half, the sums kept in fp32 (unless --fp16-accumulate), as fp16 fused attention does. */
#define ATTN_MASK 1        /* mask holds an additive bias (else it is a dummy binding) */
#define ATTN_CAUSAL 2      /* key j > query i is masked out */
#define ATTN_EMPTY_ZERO 4  /* a row with every key masked gives zeros (ONNX Attention), else NaN (Softmax) */

/* Four elements of row base from d on, zeros past n. */
inline float4 load4_padded(__global const store_t *p, long base, int d, int n)
{
    return (float4)(d < n ? LOAD(p, base + d) : 0.0f, d + 1 < n ? LOAD(p, base + d + 1) : 0.0f,
                    d + 2 < n ? LOAD(p, base + d + 2) : 0.0f, d + 3 < n ? LOAD(p, base + d + 3) : 0.0f);
}

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
    const int dk4 = (dk + 3) / 4, dv4 = (dv + 3) / 4, dkp = 4 * dk4, dvp = 4 * dv4; /* padded row pitches of ks, vs */
    const long kb = (long)b * k_sb + (long)hk * k_sh, vb = (long)b * v_sb + (long)hk * v_sh;
    const long mb = (long)b * m_sb + (long)h * m_sh + (long)row * m_sq;
    const long qb = (long)b * q_sb + (long)h * q_sh + (long)row * q_ss;
    float4 qr[DMAX / 4], acc[DMAX / 4];
#pragma unroll
    for (int c = 0; c < DMAX / 4; c++) {
        qr[c] = live && c < dk4 ? load4_padded(q, qb, 4 * c, dk) : (float4)(0.0f);
        acc[c] = (float4)(0.0f);
    }
    float m = -INFINITY, l = 0.0f;
    for (int j0 = 0; j0 < skv; j0 += BK) {
        const int n = min(BK, skv - j0);
        barrier(CLK_LOCAL_MEM_FENCE); /* the previous block is consumed */
        for (int i = lid; i < n * dkp; i += BQ) {
            const int j = i / dkp, d = i % dkp;
            ks[i] = d < dk ? LOAD(k, kb + (long)(j0 + j) * k_ss + (long)d * k_sd) : 0.0f;
        }
        for (int i = lid; i < n * dvp; i += BQ) {
            const int j = i / dvp, d = i % dvp;
            vs[i] = d < dv ? LOAD(v, vb + (long)(j0 + j) * v_ss + d) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (!live) continue; /* idle rows still load and meet every barrier */
        float s[BK], bmax = -INFINITY;
        for (int j = 0; j < n; j++) {
            float4 dot4 = (float4)(0.0f);
#pragma unroll
            for (int c = 0; c < DMAX / 4; c++)
                if (c < dk4) dot4 = XC_MAC4(fma, qr[c], vload4(c, ks + j * dkp), dot4);
            float x = XC_H(XC_H((dot4.x + dot4.y) + (dot4.z + dot4.w)) * scale);
            if (flags & ATTN_MASK) x = XC_H(x + LOAD(mask, mb + (long)(j0 + j) * m_sk));
            if ((flags & ATTN_CAUSAL) && j0 + j > row) x = -INFINITY;
            s[j] = x;
            bmax = xc_max_nan(bmax, x);
        }
        const float mn = xc_max_nan(m, bmax);
        if (mn == -INFINITY) continue; /* every key so far masked: nothing to add yet */
        const float corr = exp(m - mn); /* 0 on the first block with a live key (m = -inf) */
        l *= corr;
#pragma unroll
        for (int c = 0; c < DMAX / 4; c++) acc[c] *= corr;
        for (int j = 0; j < n; j++) {
            const float p = XC_H(exp(XC_H(s[j] - mn)));
            l = XC_HSUM(l + p);
#pragma unroll
            for (int c = 0; c < DMAX / 4; c++)
                if (c < dv4) acc[c] = XC_MAC4(fma, (float4)(p), vload4(c, vs + j * dvp), acc[c]);
        }
        m = mn;
    }
    if (!live) return;
    const long yb = (long)b * y_sb + (long)h * y_sh + (long)row * y_ss;
#pragma unroll
    for (int c = 0; c < DMAX / 4; c++) {
        const float4 o = (flags & ATTN_EMPTY_ZERO) && l == 0.0f ? (float4)(0.0f) : acc[c] / l;
        if (c < dv4) {
            STORE(y, yb + 4 * c, o.x);
            if (4 * c + 1 < dv) STORE(y, yb + 4 * c + 1, o.y);
            if (4 * c + 2 < dv) STORE(y, yb + 4 * c + 2, o.z);
            if (4 * c + 3 < dv) STORE(y, yb + 4 * c + 3, o.w);
        }
    }
}

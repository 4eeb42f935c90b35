/* attention_mma.cl — fused scaled dot-product attention on tensor cores, flash-attention-2 style
 * (attention.flash_tf32.<BQ>x<BKN>: mma.sync m16n8k8 TF32; attention.flash_mma_fp16.<BQ>x<BKN>:
 * m16n8k16 f16 with fp32 accumulation, half storage only). Same operands, strides, mask forms and
 * flags as attention.cl; head size D (dk = dv) 32, 64 or 128. NVIDIA compute capability >= 8.0
 * only (inline PTX), or anywhere under MMA_EMULATE (see mma_tile below).
 *
 * A work-group of WARPS warps takes BQ = 16 * WARPS query rows of one (batch, head); warp w rows
 * 16w .. 16w + 15, lane (g, t) = (lane / 4, lane % 4) the rows g and g + 8 of them, as the mma's
 * fragments have it. Q's fragments are read once into registers. For each block of BKN keys, K
 * (rows along the head) and V (transposed: a row per head column, along the keys) are staged in
 * local memory as 32-bit words, one TF32-rounded float or two halves each; then
 *   S = Q K^T       on the mma into fp32 registers (lane: keys 8n + 2t, 8n + 2t + 1 of tile n),
 *   scale, mask     as attention.cl does (XC_H rounding under fp16 math),
 *   online softmax  the row max over a quad of lanes by butterfly shuffles, the running max m,
 *                   the accumulator rescaled by exp(m_old - m_new), each lane's partial row sum
 *                   (the quad's sums are added once at the end),
 *   O += P V        P straight from S's registers: the accumulator layout of S is the A-fragment
 *                   layout of P up to a permutation of k that V's fragments repeat (TF32: keys
 *                   2t, 2t + 1 of a tile in the k slots t, t + 4; f16: two tiles side by side).
 * Host defines: WARPS, BKN (a multiple of 16), D, PK and PV (local pitches in words, padded so
 * that every fragment read of a warp hits 32 distinct banks), MMA_FP16 or not, MMA_EMULATE. */
#define ATTN_MASK 1       /* as attention.cl */
#define ATTN_CAUSAL 2
#define ATTN_EMPTY_ZERO 4
#define NTH (WARPS * 32)
#define BQ (WARPS * 16)
#define NT (BKN / 8) /* 8-key tiles of a warp's S */
#define DT (D / 8)   /* 8-column tiles of a warp's O */
#ifdef MMA_EMULATE
#define UNROLL __attribute__((opencl_unroll_hint(1))) /* PoCL: loops holding barriers stay loops */
#else
#define UNROLL _Pragma("unroll") /* fragments and accumulators stay in registers */
#endif
#if (D != 32 && D != 64 && D != 128) || BKN % 16
#error "attention_mma: D must be 32, 64 or 128 and BKN a multiple of 16"
#endif

#ifdef MMA_FP16
#define KS (D / 16) /* mma steps along the head (k = 16 halves per step) */
typedef ushort lelem_t;                                      /* one element in local memory */
#define ELEM(p, i) (((__global const ushort *)(p))[i])       /* the stored half's bits */
#define LP(words) (2 * (words))                              /* a pitch in words, in elements */
#define MMA_SHAPE "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32"
/* two floats as an f16x2 word (rounded to nearest even), the first in the low half (the lower k) */
#ifdef MMA_EMULATE
inline uint pack_half2(float a, float b)
{
    ushort h[2];
    vstore_half2_rte((float2)(a, b), 0, (__private half *)h);
    return (uint)h[0] | (uint)h[1] << 16;
}
#else
inline uint pack_half2(float a, float b)
{
    uint r;
    asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(b), "f"(a)); /* the first source goes high */
    return r;
}
#endif
#else
#define KS (D / 8) /* k = 8 TF32 values per step */
typedef uint lelem_t;
/* x rounded to TF32 as the mma reads it (the low 13 bits ignored): to nearest, ties away */
inline uint tf32_bits(float x) { return as_uint(x) + 0x1000u; }
#define ELEM(p, i) tf32_bits(LOAD(p, i))
#define LP(words) (words)
#define MMA_SHAPE "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"
#endif

/* The two warp-wide primitives. Under MMA_EMULATE each one trades its operands through local
 * memory (xch: 6 words per work-item) between two work-group barriers and computes what the
 * instruction would from every lane's registers, by the fragment layouts of the PTX manual; so
 * PoCL runs the very same fragment indexing, P's register reuse included. Every work-item calls
 * them the same number of times (all control flow around them is uniform). pack_half2 (f16)
 * is the third primitive: cvt.rn.f16x2.f32 on the GPU, vstore_half2_rte emulated. */
#ifdef MMA_EMULATE
/* element of lane `lane`'s register `reg` as the mma reads it (half `hi` of an f16x2 word) */
inline float frag(__local const uint *w, int lane, int reg, int hi)
{
#ifdef MMA_FP16
    return vload_half(2 * (lane * 6 + reg) + hi, (__local const half *)w);
#else
    (void)hi;
    return as_float(w[lane * 6 + reg] & 0xffffe000u);
#endif
}
/* d += A x B on a 16 x 8 tile: A's registers a0 a1 a2 a3 = (row g, k lo), (g + 8, k lo),
 * (g, k hi), (g + 8, k hi); B's b0 b1 = (k lo, column g), (k hi, column g); D's d[e] = row
 * g + 8 (e / 2), column 2t + e % 2. k lo: t (TF32), 2t and 2t + 1 (f16); k hi: those + 4 (+ 8). */
inline void mma_tile(float d[4], uint a0, uint a1, uint a2, uint a3, uint b0, uint b1, __local uint *xch, int lid)
{
    __local uint *w = xch + (lid & ~31) * 6;
    const int lane = lid & 31, g = lane >> 2, t = lane & 3;
    barrier(CLK_LOCAL_MEM_FENCE);
    w[lane * 6 + 0] = a0, w[lane * 6 + 1] = a1, w[lane * 6 + 2] = a2, w[lane * 6 + 3] = a3;
    w[lane * 6 + 4] = b0, w[lane * 6 + 5] = b1;
    barrier(CLK_LOCAL_MEM_FENCE);
    UNROLL for (int e = 0; e < 4; e++) {
        const int r = g + (e >> 1) * 8, n = 2 * t + (e & 1);
        float sum = 0.0f;
#ifdef MMA_FP16
        UNROLL for (int k = 0; k < 16; k++)
            sum += frag(w, (r & 7) * 4 + ((k & 7) >> 1), (r >> 3) + 2 * (k >> 3), k & 1)
                   * frag(w, n * 4 + ((k & 7) >> 1), 4 + (k >> 3), k & 1);
#else
        UNROLL for (int k = 0; k < 8; k++)
            sum += frag(w, (r & 7) * 4 + (k & 3), (r >> 3) + 2 * (k >> 2), 0) * frag(w, n * 4 + (k & 3), 4 + (k >> 2), 0);
#endif
        d[e] += sum;
    }
}
/* v of lane (lane ^ m) of the same warp */
inline float shfl_xor(float v, int m, __local uint *xch, int lid)
{
    barrier(CLK_LOCAL_MEM_FENCE);
    xch[lid] = as_uint(v);
    barrier(CLK_LOCAL_MEM_FENCE);
    return as_float(xch[lid ^ m]);
}
#else
inline void mma_tile(float d[4], uint a0, uint a1, uint a2, uint a3, uint b0, uint b1, __local uint *xch, int lid)
{
    (void)xch, (void)lid;
    asm volatile(MMA_SHAPE " {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                 : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(d[0]), "f"(d[1]), "f"(d[2]), "f"(d[3]));
}
inline float shfl_xor(float v, int m, __local uint *xch, int lid)
{
    (void)xch, (void)lid;
    uint r;
    asm volatile("shfl.sync.bfly.b32 %0, %1, %2, 0x1f, 0xffffffff;" : "=r"(r) : "r"(as_uint(v)), "r"(m));
    return as_float(r);
}
#endif

/* Word w of a query row (elements w, or 2w and 2w + 1 under f16), 0 for rows past the end. */
inline uint q_word(__global const store_t *q, long base, int w, int live)
{
    if (!live) return 0;
#ifdef MMA_FP16
    return (uint)ELEM(q, base + 2 * w) | (uint)ELEM(q, base + 2 * w + 1) << 16;
#else
    return ELEM(q, base + w);
#endif
}

__kernel __attribute__((reqd_work_group_size(NTH, 1, 1))) void attention_mma(
    __global const store_t *q, __global const store_t *k, __global const store_t *v, __global const store_t *mask,
    __global store_t *y, __local uint *ks, __local uint *xch, const int heads, const int group,
    const int sq, const int skv, const int dk, const int dv, const int q_sb, const int q_sh, const int q_ss, const int k_sb,
    const int k_sh, const int k_ss, const int k_sd, const int v_sb, const int v_sh, const int v_ss, const int y_sb,
    const int y_sh, const int y_ss, const int m_sb, const int m_sh, const int m_sq, const int m_sk, const float scale,
    const int flags)
{
    (void)dk, (void)dv; /* both D */
    const int lid = get_local_id(0), lane = lid & 31, g = lane >> 2, t = lane & 3;
    const int bh = get_group_id(1), b = bh / heads, h = bh % heads, hk = h / group;
    const int row[2] = {get_group_id(0) * BQ + (lid >> 5) * 16 + g, get_group_id(0) * BQ + (lid >> 5) * 16 + g + 8};
    const int live[2] = {row[0] < sq, row[1] < sq};
    const long kb = (long)b * k_sb + (long)hk * k_sh, vb = (long)b * v_sb + (long)hk * v_sh;
    const long qb[2] = {(long)b * q_sb + (long)h * q_sh + (long)row[0] * q_ss, (long)b * q_sb + (long)h * q_sh + (long)row[1] * q_ss};
    const long mb[2] = {(long)b * m_sb + (long)h * m_sh + (long)row[0] * m_sq, (long)b * m_sb + (long)h * m_sh + (long)row[1] * m_sq};
    __local uint *vt = ks + BKN * PK; /* the V^T stage follows the K stage */
    __local lelem_t *kl = (__local lelem_t *)ks, *vl = (__local lelem_t *)vt;

    uint qa[KS][4]; /* Q's A fragments, the whole head */
    UNROLL
    for (int s = 0; s < KS; s++) {
        qa[s][0] = q_word(q, qb[0], 8 * s + t, live[0]);
        qa[s][1] = q_word(q, qb[1], 8 * s + t, live[1]);
        qa[s][2] = q_word(q, qb[0], 8 * s + t + 4, live[0]);
        qa[s][3] = q_word(q, qb[1], 8 * s + t + 4, live[1]);
    }
    float o[DT][4], m[2] = {-INFINITY, -INFINITY}, l[2] = {0.0f, 0.0f};
    UNROLL
    for (int c = 0; c < DT; c++) o[c][0] = o[c][1] = o[c][2] = o[c][3] = 0.0f;

    for (int j0 = 0; j0 < skv; j0 += BKN) {
        barrier(CLK_LOCAL_MEM_FENCE); /* the previous block is consumed */
        for (int i = lid; i < BKN * D; i += NTH) { /* consecutive work-items along K's contiguous axis */
            const int j = k_ss == 1 ? i % BKN : i / D, d = k_ss == 1 ? i / BKN : i % D;
            kl[j * LP(PK) + d] = j0 + j < skv ? ELEM(k, kb + (long)(j0 + j) * k_ss + (long)d * k_sd) : 0;
        }
        for (int i = lid; i < BKN * D; i += NTH) {
            const int j = i / D, d = i % D;
            vl[d * LP(PV) + j] = j0 + j < skv ? ELEM(v, vb + (long)(j0 + j) * v_ss + d) : 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        float s[NT][4];
        UNROLL
        for (int n = 0; n < NT; n++) {
            __local const uint *kr = ks + (8 * n + g) * PK + t;
            s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.0f;
            UNROLL
            for (int c = 0; c < KS; c++) mma_tile(s[n], qa[c][0], qa[c][1], qa[c][2], qa[c][3], kr[8 * c], kr[8 * c + 4], xch, lid);
        }
        float bmax[2] = {-INFINITY, -INFINITY}, base[2], corr[2];
        UNROLL
        for (int n = 0; n < NT; n++)
            UNROLL
            for (int e = 0; e < 4; e++) {
                const int key = j0 + 8 * n + 2 * t + (e & 1), r = e >> 1;
                float x = XC_H(XC_H(s[n][e]) * scale);
                if ((flags & ATTN_MASK) && live[r] && key < skv) x = XC_H(x + LOAD(mask, mb[r] + (long)key * m_sk));
                if (key >= skv || ((flags & ATTN_CAUSAL) && key > row[r])) x = -INFINITY;
                s[n][e] = x;
                bmax[r] = xc_max_nan(bmax[r], x);
            }
        UNROLL
        for (int r = 0; r < 2; r++) {
            bmax[r] = xc_max_nan(bmax[r], shfl_xor(bmax[r], 1, xch, lid)); /* the quad holds the row */
            bmax[r] = xc_max_nan(bmax[r], shfl_xor(bmax[r], 2, xch, lid));
            const float mn = xc_max_nan(m[r], bmax[r]);
            base[r] = mn == -INFINITY ? 0.0f : mn; /* every key so far masked: all p are 0 */
            corr[r] = exp(m[r] - base[r]);         /* 0 on the first block with a live key */
            m[r] = mn;
            l[r] *= corr[r];
        }
        UNROLL
        for (int c = 0; c < DT; c++)
            UNROLL
            for (int e = 0; e < 4; e++) o[c][e] *= corr[e >> 1];
        UNROLL
        for (int n = 0; n < NT; n++)
            UNROLL
            for (int e = 0; e < 4; e++) {
                const float p = XC_H(exp(XC_H(s[n][e] - base[e >> 1])));
                l[e >> 1] = XC_HSUM(l[e >> 1] + p);
                s[n][e] = p;
            }
#ifdef MMA_FP16
        UNROLL
        for (int n = 0; n < NT; n += 2) { /* keys 8n .. 8n + 15: tiles n and n + 1 side by side */
            const uint a0 = pack_half2(s[n][0], s[n][1]), a1 = pack_half2(s[n][2], s[n][3]);
            const uint a2 = pack_half2(s[n + 1][0], s[n + 1][1]), a3 = pack_half2(s[n + 1][2], s[n + 1][3]);
            UNROLL
            for (int c = 0; c < DT; c++) {
                __local const uint *vr = vt + (8 * c + g) * PV + 4 * n + t;
                mma_tile(o[c], a0, a1, a2, a3, vr[0], vr[4], xch, lid);
            }
        }
#else
        UNROLL
        for (int n = 0; n < NT; n++) { /* keys 8n + 2t and 8n + 2t + 1 in the k slots t and t + 4 */
            const uint a0 = tf32_bits(s[n][0]), a1 = tf32_bits(s[n][2]), a2 = tf32_bits(s[n][1]), a3 = tf32_bits(s[n][3]);
            UNROLL
            for (int c = 0; c < DT; c++) {
                __local const uint *vr = vt + (8 * c + g) * PV + 8 * n + 2 * t;
                mma_tile(o[c], a0, a1, a2, a3, vr[0], vr[1], xch, lid);
            }
        }
#endif
    }
    UNROLL
    for (int r = 0; r < 2; r++) { /* the row's sum over its quad */
        l[r] = XC_HSUM(l[r] + shfl_xor(l[r], 1, xch, lid));
        l[r] = XC_HSUM(l[r] + shfl_xor(l[r], 2, xch, lid));
    }
    UNROLL
    for (int r = 0; r < 2; r++) {
        if (!live[r]) continue;
        const long yb = (long)b * y_sb + (long)h * y_sh + (long)row[r] * y_ss;
        const int empty = (flags & ATTN_EMPTY_ZERO) && l[r] == 0.0f;
        UNROLL
        for (int c = 0; c < DT; c++) {
            STORE(y, yb + 8 * c + 2 * t, empty ? 0.0f : o[c][2 * r] / l[r]);
            STORE(y, yb + 8 * c + 2 * t + 1, empty ? 0.0f : o[c][2 * r + 1] / l[r]);
        }
    }
}

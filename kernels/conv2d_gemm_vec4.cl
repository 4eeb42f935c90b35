/* conv2d_gemm_vec4.cl — the conv GEMM of conv2d_gemm.cl (Y[m, p] = W[m, k] * B[k, p] per group,
 * see conv2d_common.cl) organised the way gemm_vec4 is, because the 16x16 strided register
 * blocks of conv_gemm spend one local read per multiply-add pair and leave every global load's
 * latency exposed:
 *   - work-item (tx, ty) owns rows ty*RM .. ty*RM + RM-1 of the BM x BN tile and RN columns in
 *     float4s 4*TX apart from 4*tx (XC_VEC4_BLOCK_PRODUCT), so its operands come out of local
 *     memory as float4s (RM/4 + RN/4 reads per RM*RN multiply-adds) and a row's outputs go out
 *     as float4s adjacent across the work-items (conv_store4, where y's layout allows);
 *   - the next BK-deep slice of W and B is fetched into registers while the current one is
 *     multiplied, so one barrier pair per slice and the loads overlap the arithmetic;
 *   - W rows are read as float4 along k when K % 4 == 0 (A_VEC), B as float4 along p where four
 *     consecutive p are adjacent in memory (B_VEC: the im2col workspace with P % 4 == 0, or a
 *     1x1 conv with OH*OW % 4 == 0), one access each where the buffer's start is aligned;
 *     otherwise the same float4 slots are filled element by element, the implicit gather from
 *     output positions split once (conv_pos) and taps advanced by carries.
 * B's source is the tactic, as in conv2d_gemm.cl: CONV_B_IM2COL (conv2d.im2col_vec4, after
 * conv_im2col), CONV_B_1X1 (conv2d.1x1_vec4) or the on-the-fly gather (conv2d.implicit_vec4).
 * Parameters: BM, BN, BK, RM, RN (RM, RN, BK multiples of 4; the tile's float4s split evenly
 * over the (BN/RN) x (BM/RM) work-items). The third NDRange dimension is the group, or the
 * K slice under SPLITK (partials to the workspace, then conv_splitk_reduce). */
#define TX (BN / RN)
#define TY (BM / RM)
#define NT (TX * TY)
#define LDA (BM + 4) /* local row pitches: padded against bank conflicts, float4-aligned */
#define LDB (BN + 4)
#define A_STEPS (BM * BK / 4 / NT)
#define B_STEPS (BN * BK / 4 / NT)
#if (BM * BK) % (4 * NT) || (BN * BK) % (4 * NT) || BK % 4 || RM % 4 || RN % 4
#error "float4 steps do not split evenly over the tile or the work-group"
#endif

/* Element (k, p) of group g's B, and the offset of (k, p) where B is a plain matrix. */
#if defined(CONV_B_IM2COL)
#define B_OFFSET(k, p) ((g * K + (k)) * P + (p))
#elif defined(CONV_B_1X1)
#define B_OFFSET(k, p) (((p) / OHW * C + g * CG + (k)) * OHW + (p) % OHW)
#else
#define CONV_B_GATHER /* the implicit im2col matrix, gathered from the input */
#endif

/* One float4 of W: row m, columns k .. k+3 (zeros outside rows MG and columns kend; K is the
 * row pitch, kend < K for a split-K slice). */
inline float4 fetch_w4(__global const store_t *wg, int w_aligned, int m, int k, int MG, int K, int kend)
{
#ifdef A_VEC
    return m < MG && k < kend ? LOAD4_IF(w_aligned, wg, m * K + k) : (float4)(0.0f);
#else
    float4 v = (float4)(0.0f);
    if (m < MG) {
        v.x = k < kend ? LOAD(wg, m * K + k) : 0.0f;
        v.y = k + 1 < kend ? LOAD(wg, m * K + k + 1) : 0.0f;
        v.z = k + 2 < kend ? LOAD(wg, m * K + k + 2) : 0.0f;
        v.w = k + 3 < kend ? LOAD(wg, m * K + k + 3) : 0.0f;
    }
    return v;
#endif
}

/* Where this work-item's float4s of B come from, fixed over the K loop: the gather's four output
 * positions and current tap of each float4, or whether B's buffer allows whole float4 loads. */
typedef struct b_source {
#ifdef CONV_B_GATHER
    conv_pos pos[B_STEPS][4];
    conv_tap tap[B_STEPS]; /* of row k0 + (tid + s NT) / (BN / 4), k0 the next slice fetched */
    conv_tap step;         /* BK taps */
#else
    int aligned;
#endif
} b_source;

/* The geometry a fetch of B needs, gathered so the helpers stay readable. */
#define B_ARGS src, g, C, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PH, PW, CG, K, P, OHW
#define B_PARAMS                                                                                                   \
    __global const store_t *src, const int g, const int C, const int H, const int W, const int OH, const int OW,   \
        const int KH, const int KW, const int SH, const int SW, const int DH, const int DW, const int PH,          \
        const int PW, const int CG, const int K, const int P, const int OHW

inline b_source b_source_at(B_PARAMS, int p0, int kbegin, int tid)
{
    b_source b;
#ifdef CONV_B_GATHER
#pragma unroll
    for (int s = 0; s < B_STEPS; s++) {
        const int i = tid + s * NT, p = p0 + i % (BN / 4) * 4;
#pragma unroll
        for (int j = 0; j < 4; j++) b.pos[s][j] = conv_pos_at(p + j, g, C, H, W, OH, OW, SH, SW, PH, PW, CG, P);
        b.tap[s] = conv_tap_at(kbegin + i / (BN / 4), KH, KW);
    }
    b.step = conv_tap_at(BK, KH, KW);
#else
    b.aligned = XC_ALIGNED4(src, 0);
#endif
    return b;
}

/* One float4 of B: row k, columns p .. p+3 (zeros outside rows kend and columns P); s: which of
 * the work-item's float4s (its gather positions and tap). */
inline float4 fetch_b4(B_PARAMS, const b_source *b, int s, int kend, int k, int p)
{
    if (k >= kend) return (float4)(0.0f);
#ifdef CONV_B_GATHER
    float v[4];
#pragma unroll
    for (int j = 0; j < 4; j++) {
        const int o = conv_pos_offset(b->pos[s][j], b->tap[s], H, W, DH, DW);
        v[j] = o >= 0 ? LOAD(src, o) : 0.0f;
    }
    return (float4)(v[0], v[1], v[2], v[3]);
#elif defined(B_VEC)
    return p < P ? LOAD4_IF(b->aligned, src, B_OFFSET(k, p)) : (float4)(0.0f);
#else
    float4 v;
    v.x = p < P ? LOAD(src, B_OFFSET(k, p)) : 0.0f;
    v.y = p + 1 < P ? LOAD(src, B_OFFSET(k, p + 1)) : 0.0f;
    v.z = p + 2 < P ? LOAD(src, B_OFFSET(k, p + 2)) : 0.0f;
    v.w = p + 3 < P ? LOAD(src, B_OFFSET(k, p + 3)) : 0.0f;
    return v;
#endif
}

/* This work-item's float4s of the W tile at (m0, k0) and the B tile at (k0, p0); the gather's
 * taps move on to k0 + BK. */
inline void fetch_tiles(float4 *ra, float4 *rb, __global const store_t *wg, int w_aligned, int MG, B_PARAMS, b_source *b,
                        int kend, int m0, int p0, int k0, int tid)
{
#pragma unroll
    for (int s = 0; s < A_STEPS; s++) {
        const int i = tid + s * NT;
        ra[s] = fetch_w4(wg, w_aligned, m0 + i / (BK / 4), k0 + i % (BK / 4) * 4, MG, K, kend);
    }
#pragma unroll
    for (int s = 0; s < B_STEPS; s++) {
        const int i = tid + s * NT;
        rb[s] = fetch_b4(B_ARGS, b, s, kend, k0 + i / (BN / 4), p0 + i % (BN / 4) * 4);
#ifdef CONV_B_GATHER
        b->tap[s] = conv_tap_add(b->tap[s], b->step, KH, KW);
#endif
    }
}

/* Writes the fetched float4s into As[k][m] (a W float4 runs along k: four rows) and Bs[k][p]. */
inline void stash_tiles(__local float *As, __local float *Bs, const float4 *ra, const float4 *rb, int tid)
{
#pragma unroll
    for (int s = 0; s < A_STEPS; s++) {
        const int i = tid + s * NT, kk = i % (BK / 4) * 4, mm = i / (BK / 4);
        As[(kk + 0) * LDA + mm] = ra[s].x;
        As[(kk + 1) * LDA + mm] = ra[s].y;
        As[(kk + 2) * LDA + mm] = ra[s].z;
        As[(kk + 3) * LDA + mm] = ra[s].w;
    }
#pragma unroll
    for (int s = 0; s < B_STEPS; s++) {
        const int i = tid + s * NT;
        vstore4(rb[s], 0, Bs + i / (BN / 4) * LDB + i % (BN / 4) * 4);
    }
}

/* src: the input, or the im2col workspace under CONV_B_IM2COL. Under SPLITK (conv2d.splitk_vec4,
 * one group) the third NDRange dimension counts K slices, as in conv2d_gemm.cl. */
__kernel __attribute__((reqd_work_group_size(TX, TY, 1)))
void conv_gemm_vec4(CONV_IO(src, w), CONV_GEOM SPLITK_ARGS)
{
    __local float As[BK * LDA] __attribute__((aligned(16))), Bs[BK * LDB] __attribute__((aligned(16)));
    const int CG = C / G, MG = M / G, K = CG * KH * KW, OHW = OH * OW, P = N * OHW;
#ifdef SPLITK
    const int g = 0, slice = SPLITK_SLICE(K, BK), kbegin = get_group_id(2) * slice, kend = min(K, kbegin + slice);
#else
    const int g = get_group_id(2), kbegin = 0, kend = K;
#endif
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * TX + tx;
    const int p0 = get_group_id(0) * BN, m0 = get_group_id(1) * BM;
    __global const store_t *wg = w + g * MG * K;
    const int w_aligned = XC_ALIGNED4(wg, 0);
    b_source b = b_source_at(B_ARGS, p0, kbegin, tid);
    XC_VEC4_BLOCK_ACCUMULATORS(acc);
    float4 ra[A_STEPS], rb[B_STEPS];
    fetch_tiles(ra, rb, wg, w_aligned, MG, B_ARGS, &b, kend, m0, p0, kbegin, tid);
    for (int k0 = kbegin; k0 < kend; k0 += BK) {
        stash_tiles(As, Bs, ra, rb, tid);
        barrier(CLK_LOCAL_MEM_FENCE);
        if (k0 + BK < kend) fetch_tiles(ra, rb, wg, w_aligned, MG, B_ARGS, &b, kend, m0, p0, k0 + BK, tid); /* in flight during the products */
        XC_VEC4_BLOCK_PRODUCT(As, Bs, ty * RM, 4 * tx, 4 * TX, acc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#pragma unroll
    for (int i = 0; i < RM; i++) {
        const int m = m0 + ty * RM + i;
        if (m >= MG) continue;
#pragma unroll
        for (int j = 0; j < RN / 4; j++) {
            const int p = p0 + 4 * tx + 4 * TX * j;
            if (p >= P) continue;
#ifdef SPLITK
            const float v[4] = {acc[i][j].x, acc[i][j].y, acc[i][j].z, acc[i][j].w};
            for (int c = 0; c < 4 && p + c < P; c++) SPLITK_PART(get_group_id(2), m, p + c) = v[c];
#else
            conv_store_run(y, res, CONV_OUT, g * MG + m, p, acc[i][j], BIAS(g * MG + m), P);
#endif
        }
    }
}

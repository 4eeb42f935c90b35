/* gemm_tf32.cl — the gemm layer kind's TF32 tensor-core tactic (gemm.tf32): NVIDIA devices of
 * compute capability 8.0 and up only (the host never offers it elsewhere, since the inline PTX
 * below means nothing to other compilers). Built appended to gemm_kernels.cl, whose GEMM_PARAMS,
 * A_AT/B_AT, GEMM_SELECT_BATCH and store_output it uses, so layouts, batches and the epilogue are
 * the other tactics' own.
 *
 * A work-group of WARPS_M x WARPS_N warps (local size 32 x warps: get_local_id(0) is the lane)
 * computes a BM x BN block of Y; each warp a WM x WN part of it as MT x NT8 tiles of 16 x 8, each
 * two mma.sync.m16n8k8 per 16 of K, with fp32 accumulators in registers. K is walked 16 at a time
 * through two local-memory stages: the next tile's global loads are issued into registers before
 * the current tile's products and stored into the other stage after them, one barrier a tile.
 * Operands are rounded to TF32 (tf32_round) once, when stored to local memory, and every fragment
 * comes from one 16-byte local read (see CHUNK and stage_products). Operands are read in their
 * own layout (TRANS_A/TRANS_B): float4 loads along K where it is contiguous (ALIGNED4: K is a
 * multiple of 4), else four loads coalesced across the work-items' rows. */
#ifdef GEMM_TF32

#define NWARPS (WARPS_M * WARPS_N)
#define NTH (NWARPS * 32)
#define WM (BM / WARPS_M)
#define WN (BN / WARPS_N)
#define MT (WM / 16)
#define NT8 (WN / 8)
#if BK != 16 || WM % 16 || WN % 8 || (BM * 4) % NTH || (BN * 4) % NTH
#error "gemm.tf32: BK must be 16 and the tiles must split into mma tiles and load groups evenly"
#endif
#ifndef GROUP_M
#define GROUP_M 8
#endif
#define A_GROUPS (BM * 4 / NTH) /* 4-element groups along k each work-item moves per tile */
#define B_GROUPS (BN * 4 / NTH)

/* Local stages hold both operands as rows (m for A, n for B) of the tile's 16 k values, in four
 * 16-byte chunks whose order is swizzled by the row: CHUNK(row, c) is the uint4 holding k = 4c ..
 * 4c + 3 of that row. Fragment reads (two rows of four lanes per quarter-warp) and both store
 * patterns (four chunks of two rows, or one chunk of eight consecutive rows) then hit eight
 * distinct bank quads. */
#define CHUNK(row, c) ((row) * 4 + ((c) ^ (((row) >> 1) & 3)))

/* x rounded to TF32 as the mma reads it: the tensor cores ignore the low 13 mantissa bits, so
 * adding half of their weight rounds to nearest, ties away from zero, as cvt.rna.tf32.f32 does
 * (one integer add where cvt takes four instructions; Inf stays Inf, the largest floats round to
 * Inf as with cvt). */
inline uint tf32_round(float x) { return as_uint(x) + 0x1000u; }

inline uint4 tf32_round4(float4 v) { return (uint4)(tf32_round(v.x), tf32_round(v.y), tf32_round(v.z), tf32_round(v.w)); }

/* FULL_TILES: M, N and K are multiples of BM, BN and 16, so no load needs a bounds check. */
#ifdef FULL_TILES
#define INSIDE(i, n) 1
#else
#define INSIDE(i, n) ((i) < (n))
#endif

/* k = k0 .. k0 + 3 of row `row` of an operand stored with k contiguous (element (row, k) at
 * row * ld + k; rows, cols: its extent), zeros outside. */
inline float4 load_along_k(__global const store_t *P, int row, int k0, int rows, int cols, int ld)
{
    if (!INSIDE(row, rows)) return (float4)(0.0f);
#ifdef ALIGNED4
    if (!INSIDE(k0, cols)) return (float4)(0.0f); /* cols is a multiple of 4 */
#ifdef XC_FP16
    return LOAD4(P, row * ld + k0);
#else
    return *(__global const float4 *)(P + row * ld + k0); /* 16-byte aligned: ld and k0 multiples of 4 */
#endif
#else
    float4 v;
    v.x = k0 < cols ? LOAD(P, row * ld + k0) : 0.0f;
    v.y = k0 + 1 < cols ? LOAD(P, row * ld + k0 + 1) : 0.0f;
    v.z = k0 + 2 < cols ? LOAD(P, row * ld + k0 + 2) : 0.0f;
    v.w = k0 + 3 < cols ? LOAD(P, row * ld + k0 + 3) : 0.0f;
    return v;
#endif
}

/* The same four values of an operand stored with rows contiguous (element (row, k) at
 * k * ld + row): four loads, each coalesced across the work-items' consecutive rows. */
inline float4 load_across_k(__global const store_t *P, int row, int k0, int rows, int ks, int ld)
{
    if (!INSIDE(row, rows)) return (float4)(0.0f);
    float4 v;
    v.x = INSIDE(k0, ks) ? LOAD(P, k0 * ld + row) : 0.0f;
    v.y = INSIDE(k0 + 1, ks) ? LOAD(P, (k0 + 1) * ld + row) : 0.0f;
    v.z = INSIDE(k0 + 2, ks) ? LOAD(P, (k0 + 2) * ld + row) : 0.0f;
    v.w = INSIDE(k0 + 3, ks) ? LOAD(P, (k0 + 3) * ld + row) : 0.0f;
    return v;
}

/* Group p of work-item tid: its row and k chunk. Along k, four work-items share a row; across
 * k, consecutive work-items take consecutive rows. */
#define ALONG_K(p, row, c) const int row = (tid + (p) * NTH) >> 2, c = (tid + (p) * NTH) & 3
#define ACROSS_K(p, rows, row, c) const int row = (tid + (p) * NTH) % (rows), c = (tid + (p) * NTH) / (rows)

/* The A and B tiles at k0 into registers. */
inline void fetch(float4 *ra, float4 *rb, __global const store_t *A, __global const store_t *B, int M, int N, int K,
                  int lda, int ldb, int m0, int n0, int k0, int tid)
{
#pragma unroll
    for (int p = 0; p < A_GROUPS; p++) {
#ifdef TRANS_A
        ACROSS_K(p, BM, row, c);
        ra[p] = load_across_k(A, m0 + row, k0 + 4 * c, M, K, lda);
#else
        ALONG_K(p, row, c);
        ra[p] = load_along_k(A, m0 + row, k0 + 4 * c, M, K, lda);
#endif
    }
#pragma unroll
    for (int p = 0; p < B_GROUPS; p++) {
#ifdef TRANS_B
        ALONG_K(p, row, c);
        rb[p] = load_along_k(B, n0 + row, k0 + 4 * c, N, K, ldb);
#else
        ACROSS_K(p, BN, row, c);
        rb[p] = load_across_k(B, n0 + row, k0 + 4 * c, N, K, ldb);
#endif
    }
}

/* The registers fetch() filled into a local stage, rounded to TF32. */
inline void stash(__local uint4 *As, __local uint4 *Bs, const float4 *ra, const float4 *rb, int tid)
{
#pragma unroll
    for (int p = 0; p < A_GROUPS; p++) {
#ifdef TRANS_A
        ACROSS_K(p, BM, row, c);
#else
        ALONG_K(p, row, c);
#endif
        As[CHUNK(row, c)] = tf32_round4(ra[p]);
    }
#pragma unroll
    for (int p = 0; p < B_GROUPS; p++) {
#ifdef TRANS_B
        ALONG_K(p, row, c);
#else
        ACROSS_K(p, BN, row, c);
#endif
        Bs[CHUNK(row, c)] = tf32_round4(rb[p]);
    }
}

/* D = A x B + D on one 16 x 8 x 8 tile: a0..a3, b0..b1 the lane's TF32 fragments. */
#define MMA_TF32(d, a0, a1, a2, a3, b0, b1)                                                                    \
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "  \
                 "{%10,%11,%12,%13};"                                                                          \
                 : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])                                              \
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(d[0]), "f"(d[1]), "f"(d[2]),       \
                   "f"(d[3]))

/* The products of one 16-deep stage. Lane (g, t) reads chunk t of its rows: k = 4t .. 4t + 3.
 * The mma's k positions t and t + 4 take k = 4t and 4t + 1 in the first step, 4t + 2 and 4t + 3 in
 * the second; A's columns and B's rows use the same assignment, so every k meets its partner. */
inline void stage_products(float acc[MT][NT8][4], __local const uint4 *as, __local const uint4 *bs, int wm, int wn, int g,
                           int t)
{
    uint4 fa[MT][2], fb[NT8];
#pragma unroll
    for (int i = 0; i < MT; i++) {
        const int r = wm + i * 16 + g;
        fa[i][0] = as[CHUNK(r, t)];
        fa[i][1] = as[CHUNK(r + 8, t)];
    }
#pragma unroll
    for (int j = 0; j < NT8; j++) fb[j] = bs[CHUNK(wn + j * 8 + g, t)];
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int j = 0; j < NT8; j++) {
            MMA_TF32(acc[i][j], fa[i][0].s0, fa[i][1].s0, fa[i][0].s1, fa[i][1].s1, fb[j].s0, fb[j].s1);
            MMA_TF32(acc[i][j], fa[i][0].s2, fa[i][1].s2, fa[i][0].s3, fa[i][1].s3, fb[j].s2, fb[j].s3);
        }
}

__kernel __attribute__((reqd_work_group_size(32, NWARPS, 1))) void gemm_tf32(GEMM_PARAMS)
{
    __local uint4 As[2 * BM * 4], Bs[2 * BN * 4];
    const int lane = get_local_id(0), warp = get_local_id(1), tid = warp * 32 + lane;
    const int g = lane >> 2, t = lane & 3;
    const int wm = warp / WARPS_N * WM, wn = warp % WARPS_N * WN;
    /* Work-groups start in order of their linear id, x fastest; renumbered so that consecutive ones
     * take GROUP_M tile rows before the next tile column, they share A's rows and B's columns in
     * L2 while they run (grouped ordering, as Triton's matmul tutorial). */
    const int tiles_n = get_num_groups(0), tiles_m = get_num_groups(1);
    const int id = get_group_id(1) * tiles_n + get_group_id(0), band = id / (GROUP_M * tiles_n);
    const int band_m = min(tiles_m - band * GROUP_M, GROUP_M), in_band = id - band * GROUP_M * tiles_n;
    const int m0 = (band * GROUP_M + in_band % band_m) * BM, n0 = in_band / band_m * BN;
    GEMM_SELECT_BATCH();
    float acc[MT][NT8][4];
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int j = 0; j < NT8; j++) acc[i][j][0] = acc[i][j][1] = acc[i][j][2] = acc[i][j][3] = 0.0f;
    float4 ra[A_GROUPS], rb[B_GROUPS];
    fetch(ra, rb, A, B, M, N, K, lda, ldb, m0, n0, 0, tid);
    stash(As, Bs, ra, rb, tid);
    barrier(CLK_LOCAL_MEM_FENCE);
    const int tiles = (K + BK - 1) / BK;
    for (int kt = 0; kt < tiles; kt++) {
        const int cur = kt & 1;
        if (kt + 1 < tiles) fetch(ra, rb, A, B, M, N, K, lda, ldb, m0, n0, (kt + 1) * BK, tid);
        __local const uint4 *as = As + cur * BM * 4, *bs = Bs + cur * BN * 4;
        stage_products(acc, as, bs, wm, wn, g, t);
        if (kt + 1 < tiles) stash(As + (cur ^ 1) * BM * 4, Bs + (cur ^ 1) * BN * 4, ra, rb, tid);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    /* accumulator (i, j, e) of lane (g, t): row g (+8 for e >= 2), column 2t (+1 for odd e) */
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int j = 0; j < NT8; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int m = m0 + wm + i * 16 + g + (e >> 1) * 8, n = n0 + wn + j * 8 + 2 * t + (e & 1);
                if (m < M && n < N) store_output(Y, C, bias, m, n, N, acc[i][j][e], alpha, beta, csm, csn);
            }
}
#endif

/* gemm_mma.cl — the gemm layer kind's tensor-core tactics, gemm.tf32 (kernel gemm_tf32, fp32 layers
 * or half storage) and gemm.mma_fp16 (kernel gemm_mma_fp16, MMA_FP16: half storage, f16 products
 * accumulated in fp32), on the core of mma_core.cl (the host prepends it; see there for the
 * work-group, warp and local-stage layout).
 * Built appended to gemm_kernels.cl, whose GEMM_PARAMS, GEMM_SELECT_BATCH and store_output it
 * uses, so layouts, batches and the epilogue are the other tactics' own.
 *
 * K is walked BK at a time through two local-memory stages: the next tile's global loads are
 * issued into registers before the current tile's products and stored into the other stage after
 * them, one barrier a tile. Operands are read in their own layout (TRANS_A/TRANS_B): 16-byte loads
 * along K where it is contiguous (ALIGNED: K is a multiple of KC), else KC loads coalesced across
 * the work-items' rows. */
#if defined(GEMM_TF32) || defined(MMA_FP16)
#ifdef MMA_FP16
#define GEMM_MMA_KERNEL gemm_mma_fp16
#else
#define GEMM_MMA_KERNEL gemm_tf32
#endif

#ifndef GROUP_M
#define GROUP_M 8
#endif

/* The A and B tiles at k0 into registers. */
inline void fetch(chunk_t *ra, chunk_t *rb, __global const store_t *A, __global const store_t *B, int M, int N, int K,
                  int lda, int ldb, int m0, int n0, int k0, int tid)
{
#pragma unroll
    for (int p = 0; p < A_GROUPS; p++) {
#ifdef TRANS_A
        ACROSS_K(p, BM, row, c);
        ra[p] = load_across_k(A, m0 + row, k0 + KC * c, M, K, lda);
#else
        ALONG_K(p, row, c);
        ra[p] = load_along_k(A, m0 + row, k0 + KC * c, M, K, lda);
#endif
    }
#pragma unroll
    for (int p = 0; p < B_GROUPS; p++) {
#ifdef TRANS_B
        ALONG_K(p, row, c);
        rb[p] = load_along_k(B, n0 + row, k0 + KC * c, N, K, ldb);
#else
        ACROSS_K(p, BN, row, c);
        rb[p] = load_across_k(B, n0 + row, k0 + KC * c, N, K, ldb);
#endif
    }
}

/* The registers fetch() filled into a local stage (TF32: rounded). */
inline void stash(__local uint4 *As, __local uint4 *Bs, const chunk_t *ra, const chunk_t *rb, int tid)
{
#pragma unroll
    for (int p = 0; p < A_GROUPS; p++) {
#ifdef TRANS_A
        ACROSS_K(p, BM, row, c);
#else
        ALONG_K(p, row, c);
#endif
        As[CHUNK(row, c)] = CHUNK_STORED(ra[p]);
    }
#pragma unroll
    for (int p = 0; p < B_GROUPS; p++) {
#ifdef TRANS_B
        ALONG_K(p, row, c);
#else
        ACROSS_K(p, BN, row, c);
#endif
        Bs[CHUNK(row, c)] = CHUNK_STORED(rb[p]);
    }
}

__kernel __attribute__((reqd_work_group_size(32, NWARPS, 1))) void GEMM_MMA_KERNEL(GEMM_PARAMS)
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
    mma_zero(acc);
    chunk_t ra[A_GROUPS], rb[B_GROUPS];
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

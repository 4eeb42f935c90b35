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

/* The work-item's place: its lane (g, t), thread index tid, its warp's part (wm, wn) of the
 * work-group's tile and that tile's origin (m0, n0). Work-groups start in order of their linear
 * id, x fastest; renumbered so that consecutive ones take GROUP_M tile rows before the next tile
 * column, they share A's rows and B's columns in L2 while they run (grouped ordering, as
 * Triton's matmul tutorial). */
#define MMA_PLACE()                                                                                            \
    const int lane = get_local_id(0), warp = get_local_id(1), tid = warp * 32 + lane;                          \
    const int g = lane >> 2, t = lane & 3;                                                                     \
    const int wm = warp / WARPS_N * WM, wn = warp % WARPS_N * WN;                                              \
    const int tiles_n = get_num_groups(0), tiles_m = get_num_groups(1);                                        \
    const int id = get_group_id(1) * tiles_n + get_group_id(0), band = id / (GROUP_M * tiles_n);               \
    const int band_m = min(tiles_m - band * GROUP_M, GROUP_M), in_band = id - band * GROUP_M * tiles_n;        \
    const int m0 = (band * GROUP_M + in_band % band_m) * BM, n0 = in_band / band_m * BN

/* The lane's accumulators out: through the epilogue into Y, or (part, split-K) as they are into
 * a partial-sum plane. Accumulator (i, j, 2h + e) of lane (g, t): row g + 8h, column NCOL(j,
 * 2t + e) of its 16 x 8 tile; a pair of adjacent columns goes out as one access where Y allows
 * (store_output2), and under NPERM, where the lane's columns of a row are one run, four at a time
 * (store_output4). */
MMA_INLINE void mma_store(float acc[MT][NT8][4], int m0, int n0, int g, int t, int M, int N, __global store_t *Y,
                      __global const store_t *C, __global const store_t *bias, float alpha, float beta, int csm, int csn,
                      __global float *part)
{
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int m = m0 + i * 16 + g + h * 8;
            if (m >= M) continue;
#ifdef NPERM
            if (!part) { /* tile-minor columns: the lane's 2 NT8 columns of the row are one run */
#pragma unroll
                for (int e = 0; e < 2; e++)
#pragma unroll
                    for (int j = 0; j < NT8; j += 4)
                        store_output4(Y, C, bias, m, n0 + NCOL(j, 2 * t + e), N, ACC_RUN(acc, i, j, 2 * h + e), alpha, beta,
                                      csm, csn);
                continue;
            }
#endif
#pragma unroll
            for (int j = 0; j < NT8; j++) {
                const int n = n0 + NCOL(j, 2 * t), n2 = n0 + NCOL(j, 2 * t + 1);
                const float2 v = (float2)(acc[i][j][2 * h], acc[i][j][2 * h + 1]);
                if (part) {
                    if (n < N) part[m * N + n] = v.x;
                    if (n2 < N) part[m * N + n2] = v.y;
                } else
                    store_output2(Y, C, bias, m, n, n2, N, v, alpha, beta, csm, csn);
            }
        }
}

#ifndef MMA_PIPE
/* AHEAD2 (the .a2 variants): the global loads run two tiles ahead instead of one, in two register
 * sets (set j % 2 holds tile j from its fetch until its stash into local stage j % 2), so a
 * tile's loads have two tiles' products to arrive in rather than one, for products whose
 * work-groups are too few to hide each other's load latency. Without it both sets are one. The
 * loop is unrolled by two so the sets are named, never indexed (an indexed register array would
 * go to memory). */
#ifdef AHEAD2
#define AHEAD 2
#define RA1 ra1
#define RB1 rb1
#else
#define AHEAD 1
#define RA1 ra0
#define RB1 rb0
#endif
__kernel __attribute__((reqd_work_group_size(32, NWARPS, 1))) void GEMM_MMA_KERNEL(GEMM_PARAMS)
{
    __local uint4 As[2 * BM * 4], Bs[2 * BN * 4];
    MMA_PLACE();
    GEMM_SELECT_BATCH();
    float acc[MT][NT8][4];
    mma_zero(acc);
    const int tiles = (K + BK - 1) / BK;
    chunk_t ra0[A_GROUPS], rb0[B_GROUPS];
#ifdef AHEAD2
    chunk_t ra1[A_GROUPS], rb1[B_GROUPS];
    if (1 < tiles) fetch(ra1, rb1, A, B, M, N, K, lda, ldb, m0, n0, BK, tid);
#endif
    fetch(ra0, rb0, A, B, M, N, K, lda, ldb, m0, n0, 0, tid);
    stash(As, Bs, ra0, rb0, tid);
    barrier(CLK_LOCAL_MEM_FENCE);
    PROBE_DECL;
/* Tile T from stage T % 2 (cur): its set, stashed the step before, takes tile T + AHEAD; tile
 * T + 1 goes from its set into the other stage. */
#define MMA_STEP(T, cur, raT, rbT, raN, rbN)                                                                           \
    if ((T) < tiles) {                                                                                                 \
        if ((T) + AHEAD < tiles) fetch(raT, rbT, A, B, M, N, K, lda, ldb, m0, n0, ((T) + AHEAD) * BK, tid);           \
        PROBE(0);                                                                                                      \
        stage_products(acc, As + (cur) * BM * 4, Bs + (cur) * BN * 4, wm, wn, g, t);                                   \
        PROBE(1);                                                                                                      \
        if ((T) + 1 < tiles) stash(As + ((cur) ^ 1) * BM * 4, Bs + ((cur) ^ 1) * BN * 4, raN, rbN, tid);             \
        PROBE(2);                                                                                                      \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                                  \
        PROBE(3);                                                                                                      \
    }
    for (int kt = 0; kt < tiles; kt += 2) {
        MMA_STEP(kt, 0, ra0, rb0, RA1, RB1)
        MMA_STEP(kt + 1, 1, RA1, RB1, ra0, rb0)
    }
#undef MMA_STEP
    mma_store(acc, m0 + wm, n0 + wn, g, t, M, N, Y, C, bias, alpha, beta, csm, csn, 0);
    PROBE(4);
    PROBE_REPORT("gemm_mma", "fetch issue, products, stash, barrier, store, -", tiles);
}
#endif /* !MMA_PIPE */

/* MMA_PIPE (gemm.tf32_async, gemm.mma_fp16_async): STAGES local stages filled by cp.async
 * (16-byte copies global -> local that bypass the registers and L1), STAGES - 1 tiles in flight
 * while the products of the oldest run, one barrier a tile. Every operand's contiguous
 * dimension is a multiple of KC (the host offers the tactic only then), so each copy is one whole
 * chunk, inside or outside the product (then zeros: cp.async's source size 0). Operands keep
 * their layout: rows of k (CHUNK) or k-major (KROW_ELEM), see mma_core.cl. SPLITK=S: the
 * work-groups of NDRange depth batch x S each take one slice of K and write float partial sums
 * (workspace, [S][batch][M][N]) that gemm_splitk_reduce adds in slice order. Under MMA_EMULATE
 * (and so on PoCL) a copy is a plain 16-byte load and store, the waits nothing: the same
 * indexing, the barriers order it. */
#if defined(MMA_PIPE) && defined(SPLITK)
#define SPLITK_ARG , __global float *part
#else
#define SPLITK_ARG
#endif
#if defined(MMA_PIPE) && !defined(WGMMA) /* WGMMA: gemm_wgmma.cl's kernel on these copies instead */

__kernel __attribute__((reqd_work_group_size(32, NWARPS, 1))) void GEMM_MMA_KERNEL(GEMM_PARAMS SPLITK_ARG)
{
    __local uint4 As[STAGES * BM * 4], Bs[STAGES * BN * 4];
    MMA_PLACE();
#ifdef SPLITK
    /* slice of K: whole BK tiles, the last slice the rest (possibly none) */
    const int bz = get_group_id(2) / SPLITK, slice = get_group_id(2) % SPLITK;
    const int per = ((K + SPLITK - 1) / SPLITK + BK - 1) / BK * BK, kbeg = min(K, slice * per), kend = min(K, kbeg + per);
#else
    const int bz = get_group_id(2), kbeg = 0, kend = K;
#endif
    A += batch_offset(bz, bd1, bd2, sa0, sa1, sa2);
    B += b_off + batch_offset(bz, bd1, bd2, sb0, sb1, sb2);
    float acc[MT][NT8][4];
    mma_zero(acc);
    const int tiles = (kend - kbeg + BK - 1) / BK;
    /* the first STAGES - 1 tiles in flight, one commit group each (empty past the end) */
#pragma unroll
    for (int st = 0; st < STAGES - 1; st++) {
        if (st < tiles) {
            copy_tile(As + st * BM * 4, A, m0, M, kbeg + st * BK, kend, lda, A_KROWS, BM, tid);
            copy_tile(Bs + st * BN * 4, B, n0, N, kbeg + st * BK, kend, ldb, B_KROWS, BN, tid);
        }
        COPY_COMMIT();
    }
    PROBE_DECL;
    for (int kt = 0; kt < tiles; kt++) {
        COPY_WAIT();
        PROBE(0);
        /* tile kt is in every work-item's view, and stage (kt - 1) % STAGES, multiplied in the
         * last round, is free for tile kt + STAGES - 1 */
        barrier(CLK_LOCAL_MEM_FENCE);
        PROBE(1);
        const int next = kt + STAGES - 1, ns = next % STAGES, cs = kt % STAGES;
        if (next < tiles) {
            copy_tile(As + ns * BM * 4, A, m0, M, kbeg + next * BK, kend, lda, A_KROWS, BM, tid);
            copy_tile(Bs + ns * BN * 4, B, n0, N, kbeg + next * BK, kend, ldb, B_KROWS, BN, tid);
        }
        COPY_COMMIT();
        PROBE(2);
        stage_products(acc, As + cs * BM * 4, Bs + cs * BN * 4, wm, wn, g, t);
        PROBE(3);
    }
#ifdef SPLITK
    mma_store(acc, m0 + wm, n0 + wn, g, t, M, N, Y, C, bias, alpha, beta, csm, csn,
              part + (long)(slice * (get_num_groups(2) / SPLITK) + bz) * M * N); /* plane [slice][batch] */
#else
    mma_store(acc, m0 + wm, n0 + wn, g, t, M, N, Y + y_off + bz * M * N, C, bias, alpha, beta, csm, csn, 0);
#endif
    PROBE(4);
    PROBE_REPORT("gemm_mma_pipe", "copy wait, barrier, copy issue, products, store, -", tiles);
}

#endif /* MMA_PIPE && !WGMMA */

#if defined(MMA_PIPE) && defined(SPLITK) /* gemm_wgmma.cl's split-K too */
/* The SPLITK partial sums of each output added in slice order (deterministic), then the
 * epilogue: one work-item per output, NDRange (N, M, batch). */
__kernel void gemm_splitk_reduce(GEMM_PARAMS, __global const float *part)
{
    const int n = get_global_id(0), m = get_global_id(1), bz = get_global_id(2), batch = get_global_size(2);
    if (n >= N || m >= M) return;
    float acc = 0.0f;
    for (int s = 0; s < SPLITK; s++) acc += part[((long)(s * batch + bz) * M + m) * N + n];
    Y += y_off + bz * M * N;
    store_output(Y, C, bias, m, n, N, acc, alpha, beta, csm, csn);
}
#endif
#endif

/* gemm_wgmma.cl — gemm.tf32_wgmma: the TF32 product on Hopper's warpgroup tensor-core instruction
 * (wgmma.mma_async m64nNk8, sm_90a), which keeps a 64 x N accumulator spread over the four warps
 * of a warpgroup and reads B straight from local memory. Built after gemm_kernels.cl,
 * mma_core.cl (copies, MMA_PLACE's warps: WARPS_M = 8, WARPS_N = 1) and gemm_mma.cl (the
 * epilogue mma_store), then the host's wgmma_asm text (the instructions written out for BN;
 * src/ocl/layers/wgmma_asm.c). NVIDIA's OpenCL compiler refuses wgmma, so the instructions sit in
 * PTX comments the host uncomments before the driver assembles the program
 * (src/ocl/ptx_patch.h); MMA_EMULATE runs the same stages and descriptors through a plain
 * emulation of the instruction (on PoCL, for the tests).
 *
 * A work-group is two warpgroups (eight warps): BM = 128 rows, warpgroup w the rows 64w ..
 * 64w + 63, every warpgroup all BN columns. K is walked BK = 16 at a time (two k8 instructions)
 * through STAGES local stages filled by cp.async, STAGES - 1 tiles in flight. Rounding as the
 * mma.sync tactics (to nearest TF32, not the tensor cores' truncation): A's fragments come from
 * the stage into registers and are rounded there (the instruction's register-A form); B is read
 * by the instruction from the stage, k-major as TF32 requires, so it is its transpose Bt
 * (N x K), already rounded -- a copy the host derived from a constant B, or one the
 * gemm_wgmma_bt launch writes into the workspace before the product. */
#ifdef WGMMA
#if BK != 16 || BM != 128 || WARPS_M != 8 || WARPS_N != 1 || (BN != 128 && BN != 256)
#error "wgmma: 128 x (128 or 256) tiles of two warpgroups, BK 16"
#endif

/* A stage of R rows is the instruction's canonical k-major layout without swizzle: core matrices
 * of 8 rows x 16 bytes (4 k), 128 contiguous bytes each; the four of a row block (k = 0..15) are
 * adjacent (WG_LBO apart), row blocks WG_SBO apart. WG_CHUNK: the uint4 of row r, k = 4c .. 4c+3.
 * A quarter-warp's copies land on eight consecutive rows of one chunk: 128 contiguous bytes. */
#define WG_LBO 128
#define WG_SBO 512
#define WG_CHUNK(r, c) (((r) >> 3) * (WG_SBO / 16) + (c) * (WG_LBO / 16) + ((r) & 7))

/* The instruction's view of a stage: start address, WG_LBO and WG_SBO (each in 16-byte units),
 * no swizzle (bits 62-63 zero). */
inline ulong wg_desc(uint addr) { return (ulong)(addr >> 4 & 0x3fff) | (ulong)(WG_LBO >> 4) << 16 | (ulong)(WG_SBO >> 4) << 32; }

/* This work-item's copies of the tile at k0 of an operand stored with k contiguous (rows row0..,
 * `rows` in all, extent ks along k, leading dimension ld) into a stage of R rows. */
inline void wg_copy(__local uint4 *s, __global const store_t *P, int row0, int rows, int k0, int ks, int ld, int R, int tid)
{
#pragma unroll
    for (int p = 0; p < R * 4 / NTH; p++) {
        const int id = tid + p * NTH, r = (id & 7) | (id >> 5) << 3, c = id >> 3 & 3, row = row0 + r;
        const int inside = row < rows && k0 + KC * c < ks;
        copy_chunk(s + WG_CHUNK(r, c), inside ? P + row * ld + k0 + KC * c : P, inside);
    }
}

/* A's value (r, k) from its stage (rows of the warpgroup's 64), rounded to TF32: the bits the
 * register form of the instruction takes. */
inline uint wg_a(__local const uint4 *as, int r, int k) { return tf32_round(as_float(((__local const uint *)as)[WG_CHUNK(r, k >> 2) * 4 + (k & 3)])); }

#ifdef MMA_EMULATE
/* Addresses are offsets into the work-group's local array; the instruction, computed plainly. */
#define WG_ADDR(p, base) ((uint)((p) - (base)) * 16u)
#define WG_PROXY_FENCE()
inline float wg_b(__local const uint4 *smem, ulong d, int n, int k)
{
    const uint start = (uint)(d & 0x3fff) << 4, lbo = (uint)(d >> 16 & 0x3fff) << 4, sbo = (uint)(d >> 32 & 0x3fff) << 4;
    const uint byte = start + (uint)(n >> 3) * sbo + (uint)(k >> 2) * lbo + (uint)(n & 7) * 16 + (uint)(k & 3) * 4;
    return as_float(((__local const uint *)smem)[byte / 4] & 0xffffe000u);
}
/* D (64 x BN) += A (64 x 8 at k0 of the stage as) x B (8 x BN, Bt at descriptor db) as the
 * warpgroup holds D: warp w of four, lane (g, t): rows 16w + g (+8), columns 8j + 2t (+1). */
inline void wg_mma_emulated(float acc[MT][NT8][4], __local const uint4 *as, int k0, ulong db, __local const uint4 *smem)
{
    const int lane = get_local_id(0), w = get_local_id(1) & 3, g = lane >> 2, t = lane & 3;
    for (int j = 0; j < NT8; j++)
        for (int e = 0; e < 4; e++) {
            const int r = 16 * w + g + (e >> 1) * 8, n = 8 * j + 2 * t + (e & 1);
            float sum = 0.0f;
            for (int k = 0; k < 8; k++) sum += as_float(wg_a(as, r, k0 + k) & 0xffffe000u) * wg_b(smem, db, n, k);
            acc[0][j][e] += sum;
        }
}
#define WG_FENCE(acc)
#define WG_MMA(acc, as, r, k0, db, smem) wg_mma_emulated(acc, as, k0, db, smem)
#define WG_COMMIT()
#define WG_WAIT(acc)
#else
/* a __local pointer is a shared-space address (see copy_chunk) */
#define WG_ADDR(p, base) ((uint)(size_t)(p))
/* cp.async wrote the stage through the generic proxy; wgmma reads it through the async one */
#define WG_PROXY_FENCE() asm volatile(XC_PTX_MARK "fence.proxy.async.shared::cta;" ::: "memory")
#define WG_FENCE(acc) wgmma_fence(acc)
/* the register fragment of A, as mma.sync m16n8k8's: lane (g, t) of warp w holds rows 16w + g
 * and + 8 at k = t and t + 4 */
#define WG_MMA(acc, as, r, k0, db, smem)                                                                              \
    wgmma_k8(acc, wg_a(as, r, k0 + t), wg_a(as, r + 8, k0 + t), wg_a(as, r, k0 + t + 4), wg_a(as, r + 8, k0 + t + 4), db)
#define WG_COMMIT() asm volatile(XC_PTX_MARK "wgmma.commit_group.sync.aligned;" ::: "memory")
#define WG_WAIT(acc) wgmma_wait(acc)
#endif

__kernel __attribute__((reqd_work_group_size(32, NWARPS, 1))) void gemm_tf32_wgmma(GEMM_PARAMS)
{
    __local uint4 smem[STAGES * (BM + BN) * 4];
    __local uint4 *As = smem, *Bs = smem + STAGES * BM * 4;
    MMA_PLACE();
    GEMM_SELECT_BATCH();
    float acc[MT][NT8][4];
    mma_zero(acc);
    const int tiles = (K + BK - 1) / BK, wgroup = warp >> 2; /* the warpgroup */
#pragma unroll
    for (int st = 0; st < STAGES - 1; st++) {
        if (st < tiles) {
            wg_copy(As + st * BM * 4, A, m0, M, st * BK, K, lda, BM, tid);
            wg_copy(Bs + st * BN * 4, B, n0, N, st * BK, K, ldb, BN, tid);
        }
        COPY_COMMIT();
    }
    for (int kt = 0; kt < tiles; kt++) {
        COPY_WAIT();
        WG_PROXY_FENCE();
        /* tile kt has landed for every work-item, and every warpgroup has finished reading
         * stage (kt - 1) % STAGES (its wait below), which the copies of tile kt + STAGES - 1 take */
        barrier(CLK_LOCAL_MEM_FENCE);
        const int next = kt + STAGES - 1, ns = next % STAGES, cs = kt % STAGES;
        if (next < tiles) {
            wg_copy(As + ns * BM * 4, A, m0, M, next * BK, K, lda, BM, tid);
            wg_copy(Bs + ns * BN * 4, B, n0, N, next * BK, K, ldb, BN, tid);
        }
        COPY_COMMIT();
        __local const uint4 *as = As + cs * BM * 4 + wgroup * 64 * 4; /* the warpgroup's 64 rows */
        const uint b = WG_ADDR(Bs + cs * BN * 4, smem);
        const int r = 16 * (warp & 3) + g;
        WG_FENCE(acc);
        WG_MMA(acc, as, r, 0, wg_desc(b), smem);
        WG_MMA(acc, as, r, 8, wg_desc(b + 2 * WG_LBO), smem); /* k = 8 .. 15: the next two chunks */
        WG_COMMIT();
        WG_WAIT(acc);
    }
    mma_store(acc, m0 + wm, n0 + wn, g, t, M, N, Y, C, bias, alpha, beta, csm, csn, 0);
}

/* Bt (N x K, rows of k, in the workspace) from a B that is not constant: B's transpose (B K x N,
 * rows of n at ldb; 32 x 32 tiles through local memory, both sides coalesced) or, under TRANS_B,
 * B itself; rounded to TF32 on the way (tf32_round: its low bits are the instruction's to drop).
 * NDRange (N rounded up to 32, K / 4 rounded up to 8), local 32 x 8. */
__kernel __attribute__((reqd_work_group_size(32, 8, 1))) void gemm_wgmma_bt(GEMM_PARAMS, __global float *bt)
{
    __local float tile[32][33];
    const int n0 = get_group_id(0) * 32, k0 = get_group_id(1) * 32, x = get_local_id(0), y = get_local_id(1);
    B += b_off;
#ifdef TRANS_B
    for (int i = y; i < 32; i += 8)
        if (n0 + i < N && k0 + x < K) bt[(n0 + i) * K + k0 + x] = as_float(tf32_round(LOAD(B, (n0 + i) * ldb + k0 + x)));
#else
    for (int i = y; i < 32; i += 8) tile[i][x] = k0 + i < K && n0 + x < N ? LOAD(B, (k0 + i) * ldb + n0 + x) : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = y; i < 32; i += 8)
        if (n0 + i < N && k0 + x < K) bt[(n0 + i) * K + k0 + x] = as_float(tf32_round(tile[x][i]));
#endif
}
#endif /* WGMMA */

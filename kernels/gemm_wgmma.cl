/* gemm_wgmma.cl — gemm.tf32_wgmma: the TF32 product on Hopper's warpgroup tensor-core instruction
 * (wgmma.mma_async m64nNk8, sm_90a), and gemm.mma_fp16_wgmma the fp16 one (m64nNk16 f16 with fp32
 * accumulation, MMA_FP16: half storage, A staged, a constant B), which keeps a 64 x N accumulator spread over the four warps
 * of a warpgroup and reads B straight from local memory. Built after gemm_kernels.cl,
 * mma_core.cl (copies, MMA_PLACE's warps: WARPS_M = 8, WARPS_N = 1) and gemm_mma.cl (the
 * epilogue mma_store), then the host's wgmma_asm text (the instructions written out for BN;
 * src/ocl/layers/wgmma_asm.c). NVIDIA's OpenCL compiler refuses wgmma, so the instructions sit in
 * PTX comments the host uncomments before the driver assembles the program
 * (src/ocl/ptx_patch.h); MMA_EMULATE runs the same stages and descriptors through a plain
 * emulation of the instruction (on PoCL, for the tests).
 *
 * A work-group is one or two warpgroups (four or eight warps): BM = 64 or 128 rows, warpgroup w
 * the rows 64w .. 64w + 63, every warpgroup all BN columns (one warpgroup: half the registers a
 * work-group, so up to four share an SM and their stages add up); K is walked WG_BK (4 or 8
 * 16-byte chunks of KC elements: 16 or 32 TF32, 32 halves) at a time, two instructions (2 KC
 * deep) a 4 chunks.
 * Local memory (48 KiB under NVIDIA's OpenCL) holds B alone: A takes the instruction's register
 * form, each work-item loading its own fragment from global memory (a row's 16-byte chunk, as
 * mma.sync's tactics read it from their stages) two tiles ahead, rounded to TF32 in registers.
 * B, read by the instruction from WG_STAGES local stages filled by cp.async WG_STAGES - 2 tiles
 * ahead, is k-major as TF32 requires: Bt (N x K32, K rounded up to 32), already rounded, its k
 * permuted within each 16 to meet A's registers (WG_KPOS) -- a copy the host derived from a
 * constant B, or the one gemm_wgmma_bt writes into the workspace before the product. One
 * instruction group stays in flight while the next tile's are issued (wait_group 1). Rounding is
 * the mma.sync tactics' (to nearest), not the tensor cores' truncation. */
#ifdef WGMMA
#if BM != 16 * WARPS_M || (BM != 64 && BM != 128) || WARPS_N != 1 || (BN != 64 && BN != 128 && BN != 256)
#error "wgmma: (64 or 128) x (64, 128 or 256) tiles of one or two warpgroups"
#endif
#if WG_BK != 4 * KC && WG_BK != 8 * KC
#error "wgmma: tiles of 4 or 8 chunks"
#endif
#if defined(MMA_FP16) && !defined(WG_A_STAGED)
#error "wgmma: fp16 stages A"
#endif
#define WG_CHUNKS (WG_BK / KC) /* 16-byte chunks of a row of a stage */
#define WG_K (2 * KC)          /* k of one instruction: 8 (TF32) or 16 (f16) */
#if BN * WG_CHUNKS % NTH
#error "wgmma: a stage of B must split evenly over the work-group's copies"
#endif
/* WG_A_STAGED: A's tiles go through the local stages too (cp.async, beside B's), each lane
 * reading its fragment from there just before the instructions, so no load of a fragment is in
 * flight when a tile's wgmma.fence comes (written to test whether the fence waiting for those
 * loads held the kernel back: on an H100 it runs no faster than the route below, so it did not;
 * bench/RESULTS.md). The split-K and fp16 tactics take this route (wg_load_a below is TF32's).
 * Each tile waits for its own instructions (WG_INFLIGHT 0: one group left in flight measured
 * slower everywhere), so the copies run WG_STAGES - 1 tiles ahead. Without it A comes from global
 * memory into registers two tiles ahead, one group in flight. */
#ifdef WG_A_STAGED
#define WG_ROWS (BM + BN) /* a stage: A's BM rows, then B's BN */
#define WG_INFLIGHT 0
#else
#define WG_ROWS BN
#define WG_INFLIGHT 1
#endif
#define WG_AHEAD (WG_STAGES - 1 - WG_INFLIGHT)
#if !defined(WG_STAGES) || WG_STAGES < 3 || WG_STAGES > 8 || WG_STAGES * WG_ROWS * WG_CHUNKS * 16 > 49152
#error "wgmma: 3 to 8 stages within 48 KiB"
#endif

/* Position p of Bt holds k = WG_KPOS(p). Lane t's 16-byte chunk of a row holds k = KC t .. KC t +
 * KC - 1 of each 4 KC (a span), fed as they are to the span's two instructions: step s takes
 * words 2s and 2s + 1 of the chunk (R = KC / 4 elements a word) as the registers the instruction
 * reads at its k = R t .. (a0/a1) and R t + 4 R .. (a2/a3). So the instruction's position q =
 * p % (2 KC) of step s = p % (4 KC) / (2 KC) meets k = KC t + 2 R s + R h + e, where h = q / KC,
 * t = q % KC / R, e = q % R. The host derives constant Bt with the same map (wgmma_kpos in
 * src/ocl/layers/gemm.c). */
#define WG_R (KC / 4)
#define WG_KPOS(p)                                                                                                     \
    (((p) & ~(4 * KC - 1)) + KC * ((p) % KC / WG_R) + 2 * WG_R * ((p) % (4 * KC) / (2 * KC)) + WG_R * ((p) % (2 * KC) / KC) + \
     (p) % WG_R)

/* A stage of BN rows of Bt is the instruction's canonical k-major layout without swizzle: core
 * matrices of 8 rows x 16 bytes (4 positions), 128 contiguous bytes each; the WG_CHUNKS of a row
 * block adjacent (WG_LBO apart), row blocks WG_SBO apart. WG_CHUNK: the uint4 of row r, positions
 * 4c .. 4c+3. A quarter-warp's copies land on eight consecutive rows of one chunk: 128 contiguous
 * bytes. */
#define WG_LBO 128
#define WG_SBO (WG_CHUNKS * 128)
#define WG_CHUNK(r, c) (((r) >> 3) * (WG_SBO / 16) + (c) * (WG_LBO / 16) + ((r) & 7))

/* The instruction's view of a stage: start address, WG_LBO and WG_SBO (each in 16-byte units),
 * no swizzle (bits 62-63 zero). */
inline ulong wg_desc(uint addr) { return (ulong)(addr >> 4 & 0x3fff) | (ulong)(WG_LBO >> 4) << 16 | (ulong)(WG_SBO >> 4) << 32; }

/* This work-item's copies of Bt's tile at k0 (rows n0.., N in all, row length ldb, a multiple of
 * 32) into stage s. */
inline void wg_copy_b(__local uint4 *s, __global const store_t *Bt, int n0, int N, int k0, int ldb, int tid)
{
#pragma unroll
    for (int p = 0; p < BN * WG_CHUNKS / NTH; p++) {
        const int id = tid + p * NTH, r = (id & 7) | id / (8 * WG_CHUNKS) << 3, c = id >> 3 & (WG_CHUNKS - 1), row = n0 + r;
        copy_chunk(s + WG_CHUNK(r, c), row < N ? Bt + row * ldb + k0 + KC * c : Bt, row < N);
    }
}

#define WG_QS (WG_BK / (4 * KC)) /* spans of a tile */
#ifdef MMA_FP16
#define WG_ROUND4(u) (u) /* halves go to the instruction as stored */
#else
#define WG_ROUND4(u) TF32_ROUND4(u)
#endif
#ifndef WG_A_STAGED
/* The lane's A fragment of the tile at k0: rows row and row + 8 (h), k = k0 + 16q + 4t .. + 3 for
 * each 16 q of the tile (zeros outside), as stored: rounded to TF32 only when the tile's
 * instructions take it (WG_PIN_A), so nothing here waits for the loads. (The clock probe put about
 * half of every tile's cycles after this function's loads; rounding them later did not change
 * the tactics' speed on an H100, so the rounding was not what held them; bench/RESULTS.md.) */
inline void wg_load_a(uint4 a[2][WG_QS], __global const store_t *A, int row, int M, int k0, int K, int lda, int t)
{
#pragma unroll
    for (int h = 0; h < 2; h++)
#pragma unroll
        for (int q = 0; q < WG_QS; q++) {
            const int r = row + 8 * h, k = k0 + 16 * q + KC * t;
            uint4 v = (uint4)(0);
            if (r < M && k < K) v = as_uint4(CHUNK_ALIGNED(A, r * lda + k));
            a[h][q] = v;
        }
}
#define WG_A_READY(u) TF32_ROUND4(u)
#else
#define WG_A_READY(u) (u) /* wg_read_a rounded it */
#endif

#ifdef WG_A_STAGED
/* A's part of a stage: BM rows of WG_CHUNKS chunks in k order; rows g and g + 1 of a
 * quarter-warp's reads sit four chunks apart at WG_BK 32 (no bank shared). */
#define WG_ACHUNK(r, c) ((r) * WG_CHUNKS + ((c) ^ (WG_CHUNKS == 8 ? ((r) & 1) << 2 : 0)))
#if BM * WG_CHUNKS % NTH
#error "wgmma: a stage of A must split evenly over the work-group's copies"
#endif
/* This work-item's copies of A's tile at k0 (rows m0.., M in all; K a multiple of 4) into s. */
inline void wg_copy_a(__local uint4 *s, __global const store_t *A, int m0, int M, int k0, int K, int lda, int tid)
{
#pragma unroll
    for (int p = 0; p < BM * WG_CHUNKS / NTH; p++) {
        const int id = tid + p * NTH, r = id / WG_CHUNKS, c = id % WG_CHUNKS, row = m0 + r, k = k0 + KC * c;
        const int inside = row < M && k < K;
        copy_chunk(s + WG_ACHUNK(r, c), inside ? A + row * lda + k : A, inside);
    }
}
/* The lane's fragment (as wg_load_a's) from the stage at s: local rows r and r + 8. */
inline void wg_read_a(uint4 a[2][WG_QS], __local const uint4 *s, int r, int t)
{
#pragma unroll
    for (int h = 0; h < 2; h++)
#pragma unroll
        for (int q = 0; q < WG_QS; q++) a[h][q] = WG_ROUND4(s[WG_ACHUNK(r + 8 * h, 4 * q + t)]);
}
#endif

#ifdef MMA_EMULATE
/* Addresses are offsets into the work-group's local array; the instruction computed plainly, A
 * read again from global memory (a lane holds only its own part of the fragment). */
#define WG_ADDR(p, base) ((uint)((p) - (base)) * 16u)
#define WG_PROXY_FENCE()
inline float wg_b(__local const uint4 *smem, ulong d, int n, int k)
{
    const uint start = (uint)(d & 0x3fff) << 4, lbo = (uint)(d >> 16 & 0x3fff) << 4, sbo = (uint)(d >> 32 & 0x3fff) << 4;
    const uint byte = start + (uint)(n >> 3) * sbo + (uint)(k / KC) * lbo + (uint)(n & 7) * 16 + (uint)(k % KC) * (16 / KC);
#ifdef MMA_FP16
    return vload_half(byte / 2, (__local const half *)smem);
#else
    return as_float(((__local const uint *)smem)[byte / 4] & 0xffffe000u);
#endif
}
/* D (64 x BN) += A (rows row0.., positions WG_K s .. WG_K s + WG_K - 1 of the tile at k0) x B (descriptor db)
 * as the warpgroup holds D: warp w of four, lane (g, t): rows 16w + g (+8), columns 8j + 2t (+1). */
inline void wg_mma_emulated(float acc[MT][NT8][4], __global const store_t *A, int row0, int M, int k0, int K, int lda, int s,
                            ulong db, __local const uint4 *smem, __local const uint4 *sa, int arow0)
{
    const int lane = get_local_id(0), w = get_local_id(1) & 3, g = lane >> 2, t = lane & 3;
    for (int j = 0; j < NT8; j++)
        for (int e = 0; e < 4; e++) {
            const int r = row0 + 16 * w + g + (e >> 1) * 8, n = 8 * j + 2 * t + (e & 1);
            float sum = 0.0f;
            for (int p = 0; p < WG_K; p++) {
                const int k = k0 + WG_KPOS(WG_K * s + p);
#if defined(WG_A_STAGED) && defined(MMA_FP16) /* from A's stage sa (row r at local row r - row0 + arow0) */
                const int kk = k - k0;
                const float a = vload_half(WG_ACHUNK(r - row0 + arow0, kk / KC) * KC + kk % KC, (__local const half *)sa);
#elif defined(WG_A_STAGED)
                const int kk = k - k0;
                const uint bits = ((__local const uint *)sa)[WG_ACHUNK(r - row0 + arow0, kk >> 2) * 4 + (kk & 3)];
                const float a = as_float(tf32_round(as_float(bits)) & 0xffffe000u);
#else
                const float a = r < M && k < K ? as_float(tf32_round(LOAD(A, r * lda + k)) & 0xffffe000u) : 0.0f;
#endif
                sum += a * wg_b(smem, db, n, p);
            }
            acc[0][j][e] += sum;
        }
}
#define WG_FENCE(acc)
#define WG_PIN_A(a)
#define WG_MMA(acc, a, s, db, k0) wg_mma_emulated(acc, A, m0 + 64 * wgroup, M, k0, klen, lda, s, db, smem, sa_cur, 64 * wgroup)
#define WG_COMMIT()
#define WG_WAITN(acc)
#define WG_WAIT0(acc)
#define WG_COPY_WAIT()
#else
/* a __local pointer is a shared-space address (see copy_chunk) */
#define WG_ADDR(p, base) ((uint)(size_t)(p))
/* cp.async wrote the stage through the generic proxy; wgmma reads it through the async one */
#define WG_PROXY_FENCE() asm volatile(XC_PTX_MARK "fence.proxy.async.shared::cta;" ::: "memory")
#define WG_FENCE(acc) wgmma_fence(acc)
/* The fragment's values computed before the fence (A from global memory is rounded here, just
 * before its tile's instructions): its rounding is plain arithmetic, which the compiler would
 * otherwise sink past the fence's asm to the instruction, and ptxas then injects a
 * warpgroup.arrive of its own there (C7519). Volatile asm statements keep their order. */
inline uint4 wg_pinned(uint4 v)
{
    uint x = v.x, y = v.y, z = v.z, w = v.w;
    asm volatile("" : "+r"(x), "+r"(y), "+r"(z), "+r"(w));
    return (uint4)(x, y, z, w);
}
#define WG_PIN_A(a)                                                                                                    \
    do {                                                                                                               \
        _Pragma("unroll") for (int h_ = 0; h_ < 2; h_++) _Pragma("unroll") for (int q_ = 0; q_ < WG_QS; q_++)          \
            (a)[h_][q_] = wg_pinned(WG_A_READY((a)[h_][q_]));                                                          \
    } while (0)
/* step s of the tile: lane (g, t) of warp w gives rows 16w + g and + 8 (a0/a2 and a1/a3) words
 * 2s' and 2s' + 1 (s' = s % 2) of its chunk of span s / 2 (WG_KPOS) */
#define WG_MMA(acc, a, s, db, k0)                                                                                      \
    ((s) & 1 ? wgmma_step(acc, a[0][(s) >> 1].z, a[1][(s) >> 1].z, a[0][(s) >> 1].w, a[1][(s) >> 1].w, db)             \
             : wgmma_step(acc, a[0][(s) >> 1].x, a[1][(s) >> 1].x, a[0][(s) >> 1].y, a[1][(s) >> 1].y, db))
#define WG_COMMIT() asm volatile(XC_PTX_MARK "wgmma.commit_group.sync.aligned;" ::: "memory")
#define WG_WAIT0(acc) wgmma_wait(acc)
/* tile T's copies landed: the groups committed after it (WG_AHEAD - 1) may still be in flight */
#if WG_AHEAD == 1
#define WG_PENDING "0"
#elif WG_AHEAD == 2
#define WG_PENDING "1"
#elif WG_AHEAD == 3
#define WG_PENDING "2"
#elif WG_AHEAD == 4
#define WG_PENDING "3"
#elif WG_AHEAD == 5
#define WG_PENDING "4"
#else
#define WG_PENDING "5"
#endif
#if WG_INFLIGHT == 1
#define WG_WAITN(acc) wgmma_wait1(acc)
#else
#define WG_WAITN(acc) wgmma_wait(acc)
#endif
#define WG_COPY_WAIT() asm volatile("cp.async.wait_group " WG_PENDING ";" ::: "memory")
#endif

/* The WG_CHUNKS / 2 instructions of a tile, steps of two chunks apart in the stage at b */
#define WG_STEP(a, s, b, k0) WG_MMA(acc, a, s, wg_desc((b) + (s) * 2 * WG_LBO), k0)
#if WG_CHUNKS == 4
#define WG_STEPS(a, b, k0) (WG_STEP(a, 0, b, k0), WG_STEP(a, 1, b, k0))
#else
#define WG_STEPS(a, b, k0) (WG_STEP(a, 0, b, k0), WG_STEP(a, 1, b, k0), WG_STEP(a, 2, b, k0), WG_STEP(a, 3, b, k0))
#endif

/* One tile T (the stage at T % WG_STAGES): wait for its copies; the barrier makes them visible
 * to all, and tells that every warpgroup's instructions of tile T + WG_AHEAD - WG_STAGES are done
 * (WG_WAITN of the tile before), so the copies of tile T + WG_AHEAD may take that stage; then the
 * tile's instructions. Without WG_A_STAGED the fragment of tile T is in a[cur] and A of tile
 * T + 2 goes into a[nxt] (the buffer tile T - 1 read: complete after WG_WAITN). */
#define WG_STAGE(T) (smem + (T) % WG_STAGES * WG_ROWS * WG_CHUNKS)
#ifdef WG_A_STAGED
#define WG_COPY(T) (wg_copy_a(WG_STAGE(T), A, m0, M, (T) * WG_BK, klen, lda, tid), wg_copy_b(WG_STAGE(T) + BM * WG_CHUNKS, B, n0, N, (T) * WG_BK, ldb, tid))
#define WG_BSTAGE(T) (WG_STAGE(T) + BM * WG_CHUNKS)
#else
#define WG_COPY(T) wg_copy_b(WG_STAGE(T), B, n0, N, (T) * WG_BK, ldb, tid)
#define WG_BSTAGE(T) WG_STAGE(T)
#endif
#define WG_TILE_BEGIN(T)                                                                                               \
    WG_COPY_WAIT();                                                                                                    \
    WG_PROXY_FENCE();                                                                                                  \
    PROBE(0);                                                                                                          \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                                      \
    PROBE(1);                                                                                                          \
    if ((T) + WG_AHEAD < tiles) WG_COPY((T) + WG_AHEAD);                                                               \
    COPY_COMMIT();                                                                                                     \
    PROBE(2);                                                                                                          \
    __local const uint4 *sa_cur = WG_STAGE(T);                                                                         \
    (void)sa_cur;                                                                                                      \
    const uint b = WG_ADDR(WG_BSTAGE(T), smem)
#define WG_TILE_END(T, a)                                                                                              \
    WG_PIN_A(a);                                                                                                       \
    WG_FENCE(acc);                                                                                                     \
    WG_STEPS(a, b, (T) * WG_BK);                                                                                       \
    WG_COMMIT();                                                                                                       \
    PROBE(3);                                                                                                          \
    WG_WAITN(acc);                                                                                                     \
    PROBE(4)

/* SPLITK=S (a constant B only: Bt is a derived weight, the workspace holds the partial planes):
 * work-group z of S takes the z-th slice of K, whole WG_BK tiles (Bt's k permutation stays within
 * each 16), and writes its plane of partial sums for gemm_splitk_reduce. */
__kernel __attribute__((reqd_work_group_size(32, NWARPS, 1))) void gemm_wgmma(GEMM_PARAMS SPLITK_ARG)
{
    __local uint4 smem[WG_STAGES * WG_ROWS * WG_CHUNKS];
    MMA_PLACE();
#ifdef SPLITK
    const int slice = get_group_id(2), per = ((K + SPLITK - 1) / SPLITK + WG_BK - 1) / WG_BK * WG_BK;
    const int kbeg = min(K, slice * per), klen = min(K, kbeg + per) - kbeg;
    A += kbeg;
    B += b_off + kbeg;
#else
    const int klen = K;
    GEMM_SELECT_BATCH();
#endif
    float acc[MT][NT8][4];
    mma_zero(acc);
    const int tiles = (klen + WG_BK - 1) / WG_BK, wgroup = warp >> 2, arow = m0 + 64 * wgroup + 16 * (warp & 3) + g;
    PROBE_DECL;
    /* the first WG_AHEAD tiles' copies in flight */
#pragma unroll
    for (int st = 0; st < WG_AHEAD; st++) {
        if (st < tiles) WG_COPY(st);
        COPY_COMMIT();
    }
#ifdef WG_A_STAGED
    (void)arow;
    for (int kt = 0; kt < tiles; kt++) {
        WG_TILE_BEGIN(kt);
        uint4 a[2][WG_QS];
        wg_read_a(a, sa_cur, arow - m0, t);
        WG_TILE_END(kt, a);
    }
#else
    uint4 a[3][2][WG_QS]; /* A's first two tiles in registers */
    wg_load_a(a[0], A, arow, M, 0, klen, lda, t);
    wg_load_a(a[1], A, arow, M, WG_BK, klen, lda, t);
#define WG_TILE(T, cur, nxt)                                                                                            \
    if ((T) < tiles) {                                                                                                 \
        WG_TILE_BEGIN(T);                                                                                              \
        WG_TILE_END(T, a[cur]);                                                                                        \
        if ((T) + 2 < tiles) wg_load_a(a[nxt], A, arow, M, ((T) + 2) * WG_BK, klen, lda, t);                              \
        PROBE(5);                                                                                                      \
    }
    for (int kt = 0; kt < tiles; kt += 3) {
        WG_TILE(kt, 0, 2);
        WG_TILE(kt + 1, 1, 0);
        WG_TILE(kt + 2, 2, 1);
    }
#endif
    WG_WAIT0(acc);
#ifdef SPLITK
    mma_store(acc, m0 + wm, n0 + wn, g, t, M, N, Y, C, bias, alpha, beta, csm, csn, part + (long)slice * M * N);
#else
    mma_store(acc, m0 + wm, n0 + wn, g, t, M, N, Y, C, bias, alpha, beta, csm, csn, 0);
#endif
    PROBE(5);
    PROBE_REPORT("gemm_wgmma", "copy wait, barrier, copy issue, mma issue, mma wait, A load + store", tiles);
}

/* Bt (N x ldt, ldt = K rounded up to 32; in the workspace) from a B that is not constant: B's
 * transpose (B K x N, rows of n at its own leading dimension; 32 x 32 tiles through local memory,
 * both sides coalesced) or, under TRANS_B, B itself; positions permuted by WG_KPOS, zeros past K,
 * rounded to TF32 (tf32_round: the low bits are the instruction's to drop). NDRange (N rounded
 * up to 32, ldb / 4 rounded up to 8), local 32 x 8; ldb_b is B's leading dimension. */
#ifndef MMA_FP16 /* fp16: a constant B only */
__kernel __attribute__((reqd_work_group_size(32, 8, 1))) void gemm_wgmma_bt(GEMM_PARAMS, __global float *bt, const int ldt)
{
    __local float tile[32][33];
    const int n0 = get_group_id(0) * 32, p0 = get_group_id(1) * 32, x = get_local_id(0), y = get_local_id(1);
    const int kx = p0 + WG_KPOS(x); /* the k position p0 + x holds (p0 a multiple of 32) */
    B += b_off;
#ifdef TRANS_B
    for (int i = y; i < 32; i += 8)
        if (n0 + i < N && p0 + x < ldt) bt[(n0 + i) * ldt + p0 + x] = kx < K ? as_float(tf32_round(LOAD(B, (n0 + i) * ldb + kx))) : 0.0f;
#else
    for (int i = y; i < 32; i += 8) tile[i][x] = p0 + i < K && n0 + x < N ? LOAD(B, (p0 + i) * ldb + n0 + x) : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = y; i < 32; i += 8)
        if (n0 + i < N && p0 + x < ldt) bt[(n0 + i) * ldt + p0 + x] = kx < K ? as_float(tf32_round(tile[kx - p0][i])) : 0.0f;
#endif
}
#endif /* !MMA_FP16 */
#endif /* WGMMA */

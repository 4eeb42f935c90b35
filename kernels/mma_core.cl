/* mma_core.cl — the tensor-core core every mma tactic's kernel is built on: TF32 (GEMM_TF32:
 * gemm.tf32, conv2d.{1x1,implicit}_tf32, conv2d.winograd_gemm_tf32) and FP16 (MMA_FP16:
 * gemm.mma_fp16, conv2d.{1x1,implicit}_mma_fp16, half storage only). NVIDIA devices of compute
 * capability 8.0 and up only (the host never offers those tactics elsewhere, since the inline PTX
 * below means nothing to other compilers). The host prepends it to the tactic's file.
 *
 * A work-group of WARPS_M x WARPS_N warps (local size 32 x warps: get_local_id(0) is the lane)
 * computes a BM x BN block of the product; each warp a WM x WN part of it as MT x NT8 tiles of
 * 16 x 8, each two mma.sync per BK of K (m16n8k8 TF32, BK = 16; m16n8k16 f16 with f32
 * accumulation, BK = 32), with fp32 accumulators in registers. K is walked BK at a time through
 * local-memory stages filled by the tactic's own loads: every row (m of A, n of B) of a stage is
 * four 16-byte chunks of KC = BK / 4 consecutive k (four TF32 values, rounded once when stored,
 * or eight halves as stored in global memory), and every fragment comes from one 16-byte local
 * read (see CHUNK and stage_products). */
#if defined(GEMM_TF32) || defined(MMA_FP16)

#define NWARPS (WARPS_M * WARPS_N)
#define NTH (NWARPS * 32)
#define WM (BM / WARPS_M)
#define WN (BN / WARPS_N)
#define MT (WM / 16)
#define NT8 (WN / 8)
#define KC (BK / 4) /* k per 16-byte chunk */
#if defined(MMA_FP16) && BK != 32 || !defined(MMA_FP16) && BK != 16
#error "mma: BK must be 16 (TF32) or 32 (FP16)"
#endif
#if WM % 16 || WN % 8 || (BM * 4) % NTH || (BN * 4) % NTH
#error "mma: the tiles must split into mma tiles and load groups evenly"
#endif
/* XC_PROBE (CROSSCHECK_KERNEL_PROBE=1): where a work-group's cycles go. PROBE(i) adds the SM
 * clock cycles since the previous mark to phase i of this work-item; at the end PROBE_REPORT
 * prints the phases of warp 0 of work-groups 0 and (one in the middle) with the tiles walked, so
 * the main loop's time splits into waiting for copies, barriers, issuing and waiting for the
 * tensor cores. A probe orders the code around it (a volatile asm): compare the probed kernel's
 * time with the plain one before reading much into small phases. Without NVIDIA's clock (PoCL,
 * the emulation) each mark counts one, so a phase's figure is how often it ran: the tests check
 * the marks' places that way. */
#ifdef XC_PROBE
#define PROBE_N 6
#if defined(XC_PTX) && !defined(MMA_EMULATE)
inline ulong probe_clock(ulong *tick)
{
    (void)tick;
    ulong c;
    asm volatile("mov.u64 %0, %%clock64;" : "=l"(c)::"memory");
    return c;
}
#else
inline ulong probe_clock(ulong *tick) { return ++*tick; }
#endif
#define PROBE_DECL                                                                                                     \
    ulong probe_tick = 0, probe_t = probe_clock(&probe_tick), probe_sum[PROBE_N] = {0, 0, 0, 0, 0, 0};                \
    const ulong probe_t0 = probe_t
#define PROBE(i)                                                                                                       \
    do {                                                                                                               \
        const ulong n_ = probe_clock(&probe_tick);                                                                     \
        probe_sum[i] += n_ - probe_t;                                                                                  \
        probe_t = n_;                                                                                                  \
    } while (0)
#define PROBE_REPORT(kernel, names, tiles)                                                                             \
    do {                                                                                                               \
        const uint id_ = get_group_id(0) + get_num_groups(0) * (get_group_id(1) + get_num_groups(1) * get_group_id(2)); \
        const uint n_ = get_num_groups(0) * get_num_groups(1) * get_num_groups(2);                                     \
        if (get_local_id(0) == 0 && get_local_id(1) == 0 && (id_ == 0 || id_ == n_ / 2))                                \
            printf("probe %s group %u of %u: %d tiles, %lu cycles; " names ": %lu %lu %lu %lu %lu %lu\n", kernel, id_,   \
                   n_, (int)(tiles), probe_clock(&probe_tick) - probe_t0, probe_sum[0], probe_sum[1], probe_sum[2], probe_sum[3],     \
                   probe_sum[4], probe_sum[5]);                                                                         \
    } while (0)
#else
#define PROBE_DECL
#define PROBE(i)
#define PROBE_REPORT(kernel, names, tiles)
#endif

#define A_GROUPS (BM * 4 / NTH) /* chunks each work-item moves per tile */
#define B_GROUPS (BN * 4 / NTH)

/* Local stages: CHUNK(row, c) is the uint4 holding k = KC*c .. KC*c + KC-1 of that row, chunks
 * swizzled by the row so that fragment reads (two rows of four lanes per quarter-warp) and both
 * store patterns (four chunks of two rows, or one chunk of eight consecutive rows) hit eight
 * distinct bank quads. */
#define CHUNK(row, c) ((row) * 4 + ((c) ^ (((row) >> 1) & 3)))

/* MMA_PIPE (gemm_mma.cl's cp.async kernels): the local stages are filled by 16-byte copies
 * straight from global memory, so an operand stored with its rows contiguous (A under TRANS_A,
 * B without TRANS_B) keeps that layout in its stage (A_KROWS / B_KROWS: k-major, see KROW_ELEM),
 * and TF32 operands are rounded when the fragments are read (ROUND_AT_READ) instead of when
 * stored. */
#if defined(MMA_PIPE) && defined(TRANS_A)
#define A_KROWS 1
#else
#define A_KROWS 0
#endif
/* NPERM (TF32 with B k-major, warp tiles of 4 or 8 n8 tiles): lane (g, t)'s B values for its NT8
 * tiles are made adjacent in the stage's k-rows by numbering the warp's columns tile-minor --
 * column c of n8 tile j is stage column NCOL(j, c) = c * NT8 + j -- so they come in NT8 / 4
 * 16-byte reads per k instead of one 4-byte read per value (TF32 has no transposing ldmatrix;
 * the value-by-value reads made the cp.async loop slower than the register-staged one). The
 * product does not care which column a tile's column is, only the epilogue, which follows NCOL. */
#if defined(MMA_PIPE) && !defined(TRANS_B) && !defined(MMA_FP16) && !defined(WGMMA) && (NT8 == 4 || NT8 == 8)
#define NPERM
#define B_KROWS 2 /* k-major, NPSWZ (below) */
#elif defined(MMA_PIPE) && !defined(TRANS_B)
#define B_KROWS 1
#else
#define B_KROWS 0
#endif
/* LPERM (asked for by the conv tactics' host, taken by their register-staged kernel: B's stage
 * n-major, warp tiles of 4 or 8 n8 tiles): the same tile-minor numbering of the output columns,
 * but made by the loader instead of the product. Stage row r of the work-group's block holds
 * block column LCOL(r) (r = wn + 8j + c holds wn + NCOL(j, c)), so the product reads its rows as
 * ever (SROW(j, c) = 8j + c, conflict-free) and the epilogue finds the lane's 2 NT8 columns of a
 * row adjacent: stores and residual loads four at a time instead of in pairs. */
#if defined(LPERM) && (defined(MMA_PIPE) || defined(NPERM) || NT8 != 4 && NT8 != 8)
#undef LPERM
#endif
#if defined(NPERM) || defined(LPERM)
#define NCOL(j, c) ((c) * NT8 + (j))
#else
#define NCOL(j, c) ((j) * 8 + (c))
#endif
/* Accumulator element q of n8 tiles j .. j + 3 of row tile i: under NPERM and LPERM, four adjacent
 * columns of one row (the epilogues' runs). */
#define ACC_RUN(acc, i, j, q) ((float4)((acc)[i][j][q], (acc)[i][(j) + 1][q], (acc)[i][(j) + 2][q], (acc)[i][(j) + 3][q]))
#ifdef NPERM
#define SROW(j, c) NCOL(j, c) /* the stage row the product reads for column c of n8 tile j */
#else
#define SROW(j, c) ((j) * 8 + (c))
#endif
#ifdef LPERM
#define LCOL(r) ((r) / WN * WN + (r) % 8 * NT8 + (r) % WN / 8)
#else
#define LCOL(r) (r)
#endif
#if defined(MMA_PIPE) && !defined(MMA_FP16)
#define ROUND_AT_READ
#endif

/* A k-major stage (KROWS) of R rows: for each of the BK k, R / KC chunks of KC consecutive rows
 * (the 16 bytes one cp.async moves). The chunks of a k-row are swizzled by k (XOR with a value
 * under 8, so a copy of eight consecutive chunks of a k-row still hits eight bank quads) so that
 * fragment reads meet distinct banks: TF32, lanes (g, t) read rows g at k = 4t + j (KSWZ 2t:
 * 32 banks); FP16, ldmatrix's eight row addresses of one matrix, k = 8i + 2j + h for i < 4,
 * h < 2 (KSWZ 2i + h: eight bank quads). KROW_ELEM: the element index of (row r, k). Needs
 * R / KC >= 8. */
#ifdef MMA_FP16
#define KSWZ(k) (((k) >> 3 & 3) << 1 | ((k) & 1))
#else
#define KSWZ(k) (((k) >> 2 & 3) << 1)
#endif
/* NPERM's k-rows (layout 2): a quarter-warp's eight 16-byte reads are lanes g = 2h, 2h + 1 at
 * chunk g * NT8 / 4 (+ a constant) of k-rows 4t + i, t < 4; XOR with t spread over the two bits
 * of 0..7 that g * NT8 / 4 leaves alone gives eight distinct bank quads. */
#if NT8 == 8
#define NPSWZ(k) (((k) >> 2 & 1) | ((k) >> 2 & 2) << 1)
#else
#define NPSWZ(k) (((k) >> 2 & 3) << 1)
#endif
#define KROW_CHUNK(k, q, R, L) ((k) * ((R) / KC) + ((q) ^ ((L) == 2 ? NPSWZ(k) : KSWZ(k))))
#define KROW_ELEM(k, r, R, L) (KROW_CHUNK(k, (r) / KC, R, L) * KC + (r) % KC)

/* FULL_TILES: M, N and K are multiples of BM, BN and BK, so no load needs a bounds check. */
#ifdef FULL_TILES
#define INSIDE(i, n) 1
#else
#define INSIDE(i, n) ((i) < (n))
#endif

#ifdef MMA_FP16
/* A chunk is eight halves, moved as their bits (the storage is half: XC_FP16). */
typedef uint elem_t;
typedef uint4 chunk_t;
#define ELEM(P, i) ((uint)((__global const ushort *)(P))[i])
inline chunk_t chunk_pack(const elem_t e[KC])
{
    return (uint4)(e[0] | e[1] << 16, e[2] | e[3] << 16, e[4] | e[5] << 16, e[6] | e[7] << 16);
}
#define CHUNK_STORED(v) (v)
/* KC consecutive elements at P + i, 16-byte aligned */
#define CHUNK_ALIGNED(P, i) (*(__global const uint4 *)((__global const ushort *)(P) + (i)))
#else
/* A chunk is four floats, rounded to TF32 when stored to local memory. */
typedef float elem_t;
typedef float4 chunk_t;
#define ELEM(P, i) LOAD(P, i)
inline chunk_t chunk_pack(const elem_t e[KC]) { return (float4)(e[0], e[1], e[2], e[3]); }
#ifdef XC_STORE16 /* half or bf16 storage (common.cl) */
#define CHUNK_ALIGNED(P, i) LOAD4(P, i)
#else
#define CHUNK_ALIGNED(P, i) (*(__global const float4 *)((P) + (i)))
#endif

/* x rounded to TF32 as the mma reads it: the tensor cores ignore the low 13 mantissa bits, so
 * adding half of their weight rounds to nearest, ties away from zero, as cvt.rna.tf32.f32 does
 * (one integer add where cvt takes four instructions; Inf stays Inf, the largest floats round to
 * Inf as with cvt). */
inline uint tf32_round(float x) { return as_uint(x) + 0x1000u; }
#define TF32_ROUND4(u) ((u) + (uint4)(0x1000u)) /* tf32_round on each of four stored floats' bits */
#define CHUNK_STORED(v) ((uint4)(tf32_round((v).x), tf32_round((v).y), tf32_round((v).z), tf32_round((v).w)))
#endif

/* k = k0 .. k0 + KC-1 of row `row` of an operand stored with k contiguous (element (row, k) at
 * row * ld + k; rows, cols: its extent), zeros outside. ALIGNED: cols, ld and k0 are multiples of
 * KC (one 16-byte load; 8 bytes for TF32 under half storage). */
inline chunk_t load_along_k(__global const store_t *P, int row, int k0, int rows, int cols, int ld)
{
    elem_t e[KC];
    if (!INSIDE(row, rows)) return (chunk_t)(0);
#ifdef ALIGNED
    if (!INSIDE(k0, cols)) return (chunk_t)(0); /* cols is a multiple of KC */
    return CHUNK_ALIGNED(P, row * ld + k0);
#else
    for (int i = 0; i < KC; i++) e[i] = k0 + i < cols ? ELEM(P, row * ld + k0 + i) : 0;
    return chunk_pack(e);
#endif
}

/* The same KC values of an operand stored with rows contiguous (element (row, k) at k * ld + row):
 * KC loads, each coalesced across the work-items' consecutive rows. */
inline chunk_t load_across_k(__global const store_t *P, int row, int k0, int rows, int ks, int ld)
{
    elem_t e[KC];
    if (!INSIDE(row, rows)) return (chunk_t)(0);
    for (int i = 0; i < KC; i++) e[i] = INSIDE(k0 + i, ks) ? ELEM(P, (k0 + i) * ld + row) : 0;
    return chunk_pack(e);
}

/* Group p of work-item tid: its row and chunk. Along k, four work-items share a row; across
 * k, consecutive work-items take consecutive rows. */
#define ALONG_K(p, row, c) const int row = (tid + (p) * NTH) >> 2, c = (tid + (p) * NTH) & 3
#define ACROSS_K(p, rows, row, c) const int row = (tid + (p) * NTH) % (rows), c = (tid + (p) * NTH) / (rows)

/* D = A x B + D on one 16 x 8 x (8 or 16) tile: a0..a3, b0..b1 the lane's fragments. */
#ifdef MMA_FP16
#define MMA_SHAPE "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32"
#else
#define MMA_SHAPE "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"
#endif
#define MMA(d, a0, a1, a2, a3, b0, b1)                                                                          \
    asm volatile(MMA_SHAPE " {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"                        \
                 : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])                                              \
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(d[0]), "f"(d[1]), "f"(d[2]),       \
                   "f"(d[3]))

/* Chunk t of row r of a stage of R rows as the mma takes it: k = KC*t .. KC*t + KC-1 in four
 * 32-bit registers (TF32: one value each; FP16: the half pairs (KC*t + 2j, +1) in register j).
 * krows: the stage is k-major (KROW_ELEM): TF32 reads value by value; FP16 one ldmatrix .trans
 * per eight rows (r - g: lane (g, t) gets chunk t of row r; matrix j's row 2i + h is k = 8i + 2j
 * + h, so register j holds the pair (8t + 2j, +1)), value by value when emulated. Else one
 * 16-byte read. ROUND_AT_READ: rounded to TF32 here (the copies stored the floats as they are). */
inline uint4 frag(__local const uint4 *s, int r, int t, int krows, int R)
{
    uint4 f;
    if (!krows) {
        f = s[CHUNK(r, t)];
    } else {
#if defined(MMA_FP16) && defined(MMA_EMULATE)
        __local const ushort *h = (__local const ushort *)s;
        uint w[4];
        for (int j = 0; j < 4; j++)
            w[j] = h[KROW_ELEM(KC * t + 2 * j, r, R, krows)] | (uint)h[KROW_ELEM(KC * t + 2 * j + 1, r, R, krows)] << 16;
        f = (uint4)(w[0], w[1], w[2], w[3]);
#elif defined(MMA_FP16)
        const int lane = get_local_id(0), rho = lane & 7, k = (rho >> 1) * 8 + (lane >> 3) * 2 + (rho & 1);
        __local const ushort *row = (__local const ushort *)s + KROW_ELEM(k, r - (lane >> 2), R, krows);
        uint w0, w1, w2, w3;
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
                     : "=r"(w0), "=r"(w1), "=r"(w2), "=r"(w3)
                     : "r"((uint)(size_t)row)
                     : "memory");
        f = (uint4)(w0, w1, w2, w3);
#else
        /* k = KC*t + i sits i k-rows of R elements after k = KC*t, at the same swizzle */
        __local const uint *u = (__local const uint *)s + KROW_ELEM(KC * t, r, R, krows);
        f = (uint4)(u[0], u[R], u[2 * R], u[3 * R]);
#endif
    }
#ifdef ROUND_AT_READ
    f = TF32_ROUND4(f);
#endif
    return f;
}

/* The products of one BK-deep stage. Lane (g, t) reads chunk t of its rows. TF32: the mma's k
 * positions t and t + 4 take k = 4t and 4t + 1 in the first step, 4t + 2 and 4t + 3 in the
 * second. FP16: register j of a row holds the half pair k = 8t + 2j, +1, and the mma's pairs
 * (2t, 2t + 1) and (2t + 8, 2t + 9) take registers 0 and 1 in the first step, 2 and 3 in the
 * second. A's columns and B's rows use the same assignment, so every k meets its partner. */
#ifdef MMA_EMULATE
/* element k of row r of a local stage, as the mma reads it */
inline float stage_elem(__local const uint4 *s, int r, int k, int krows, int R)
{
    const uint4 f = frag(s, r, k / KC, krows, R);
    const uint w[4] = {f.x, f.y, f.z, f.w};
#ifdef MMA_FP16
    const ushort bits = (ushort)(w[k % KC / 2] >> (k % 2 * 16));
    return vload_half(0, (const half *)&bits);
#else
    return as_float(w[k % KC] & 0xffffe000u);
#endif
}
inline void stage_products(float acc[MT][NT8][4], __local const uint4 *as, __local const uint4 *bs, int wm, int wn, int g,
                           int t)
{
    for (int i = 0; i < MT; i++)
        for (int j = 0; j < NT8; j++)
            for (int e = 0; e < 4; e++) {
                const int m = wm + i * 16 + g + (e >> 1) * 8, n = wn + SROW(j, 2 * t + (e & 1));
                float sum = 0.0f;
                for (int k = 0; k < BK; k++) sum += stage_elem(as, m, k, A_KROWS, BM) * stage_elem(bs, n, k, B_KROWS, BN);
                acc[i][j][e] += sum;
            }
}
#else
inline void stage_products(float acc[MT][NT8][4], __local const uint4 *as, __local const uint4 *bs, int wm, int wn, int g,
                           int t)
{
    uint4 fa[MT][2], fb[NT8];
#pragma unroll
    for (int i = 0; i < MT; i++) {
        const int r = wm + i * 16 + g;
        fa[i][0] = frag(as, r, t, A_KROWS, BM);
        fa[i][1] = frag(as, r + 8, t, A_KROWS, BM);
    }
#ifdef NPERM
    /* columns NCOL(j, g), j < NT8: adjacent in each of the k-rows 4t .. 4t + 3 */
    uint fw[NT8][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int q = 0; q < NT8 / 4; q++) {
            const uint4 v = TF32_ROUND4(bs[KROW_CHUNK(KC * t + i, (wn + g * NT8) / KC + q, BN, B_KROWS)]);
            fw[4 * q][i] = v.x, fw[4 * q + 1][i] = v.y, fw[4 * q + 2][i] = v.z, fw[4 * q + 3][i] = v.w;
        }
#pragma unroll
    for (int j = 0; j < NT8; j++) fb[j] = (uint4)(fw[j][0], fw[j][1], fw[j][2], fw[j][3]);
#else
#pragma unroll
    for (int j = 0; j < NT8; j++) fb[j] = frag(bs, wn + j * 8 + g, t, B_KROWS, BN);
#endif
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int j = 0; j < NT8; j++) {
            MMA(acc[i][j], fa[i][0].s0, fa[i][1].s0, fa[i][0].s1, fa[i][1].s1, fb[j].s0, fb[j].s1);
            MMA(acc[i][j], fa[i][0].s2, fa[i][1].s2, fa[i][0].s3, fa[i][1].s3, fb[j].s2, fb[j].s3);
        }
}
#endif

/* MMA_PIPE: the cp.async copies that fill the local stages (gemm_mma.cl's and conv2d_mma.cl's
 * pipelined kernels): STAGES local stages, STAGES - 1 tiles in flight. */
#ifdef MMA_PIPE
#ifndef WGMMA /* gemm_wgmma.cl stages B alone, and checks its own */
#if !defined(STAGES) || STAGES < 2 || STAGES > 4
#error "MMA_PIPE needs STAGES 2..4"
#endif
#if BM / KC < 8 || BN / KC < 8
#error "MMA_PIPE: the k-major stages need BM and BN of at least 8 chunks"
#endif
#if STAGES * (BM + BN) * 4 * 16 > 49152
#error "MMA_PIPE: the stages exceed 48 KiB of local memory"
#endif
#endif

#ifdef MMA_EMULATE
inline void copy_chunk(__local uint4 *dst, __global const store_t *src, int inside)
{
    *dst = inside ? *(__global const uint4 *)src : (uint4)(0);
}
inline void copy_elem(__local uint *dst, __global const store_t *src, int inside)
{
    *dst = inside ? *(__global const uint *)src : 0u;
}
#define COPY_COMMIT()
#define COPY_WAIT()
#else
/* cp.async takes the destination as a shared-space address: a __local pointer is one (NVIDIA's
 * OpenCL keeps local memory in the shared state space), its low 32 bits the offset. */
inline void copy_chunk(__local uint4 *dst, __global const store_t *src, int inside)
{
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"((uint)(size_t)dst), "l"(src), "r"(inside ? 16 : 0)
                 : "memory");
}
/* one 4-byte value (a gather: conv2d_mma.cl's implicit copies); .ca, the only kind that size has */
inline void copy_elem(__local uint *dst, __global const store_t *src, int inside)
{
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;" ::"r"((uint)(size_t)dst), "l"(src), "r"(inside ? 4 : 0)
                 : "memory");
}
#define COPY_COMMIT() asm volatile("cp.async.commit_group;" ::: "memory")
/* all but the newest STAGES - 2 groups complete: the tile about to be multiplied has landed */
#ifdef WGMMA
#define COPY_WAIT() /* gemm_wgmma.cl waits its own way */
#elif STAGES == 2
#define COPY_WAIT() asm volatile("cp.async.wait_group 0;" ::: "memory")
#elif STAGES == 3
#define COPY_WAIT() asm volatile("cp.async.wait_group 1;" ::: "memory")
#else
#define COPY_WAIT() asm volatile("cp.async.wait_group 2;" ::: "memory")
#endif
#endif

/* This work-item's copies of the tile at k0 of one operand (rows row0.., `rows` in all, extent
 * ks along k, leading dimension ld) into stage s of R rows; krows: stored rows-contiguous (its
 * KROW_CHUNK layout, 1 or 2). */
inline void copy_tile(__local uint4 *s, __global const store_t *P, int row0, int rows, int k0, int ks, int ld, int krows,
                      int R, int tid)
{
#pragma unroll
    for (int p = 0; p < R * 4 / NTH; p++) {
        const int id = tid + p * NTH;
        if (krows) { /* chunk q of k-row k: rows row0 + KC*q .. */
            const int k = id / (R / KC), q = id % (R / KC), row = row0 + q * KC;
            const int inside = row < rows && k0 + k < ks;
            copy_chunk(s + KROW_CHUNK(k, q, R, krows), inside ? P + (k0 + k) * ld + row : P, inside);
        } else { /* chunk c of row r: k0 + KC*c .. */
            const int r = id >> 2, c = id & 3, row = row0 + r;
            const int inside = row < rows && k0 + KC * c < ks;
            copy_chunk(s + CHUNK(r, c), inside ? P + row * ld + k0 + KC * c : P, inside);
        }
    }
}

#endif /* MMA_PIPE */

/* Functions taking the accumulators by pointer are inlined on the GPU: left a call, the array
 * would live in local memory (clang's NVPTX build does that to mma_store). Emulated (PoCL), a
 * plain inline: forcing the unrolled epilogue into every kernel only slows PoCL's compiler. */
#ifdef MMA_EMULATE
#define MMA_INLINE inline
#else
#define MMA_INLINE inline __attribute__((always_inline))
#endif

/* The lane's accumulators, zeroed. */
inline void mma_zero(float acc[MT][NT8][4])
{
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int j = 0; j < NT8; j++) acc[i][j][0] = acc[i][j][1] = acc[i][j][2] = acc[i][j][3] = 0.0f;
}
#endif

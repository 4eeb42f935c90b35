/* conv2d_mma.cl — the conv GEMM (Y[m, p] = W[m, k] * B[k, p] per group, see conv2d_common.cl)
 * on tensor cores: TF32 (kernel conv_tf32: conv2d.1x1_tf32, conv2d.implicit_tf32) or FP16 with
 * fp32 accumulation (MMA_FP16, kernel conv_mma_fp16, half storage: conv2d.1x1_mma_fp16,
 * conv2d.implicit_mma_fp16). The 1x1 tactics (CONV_B_1X1) read B from the input itself, the
 * implicit ones gather it on the fly (any window, stride, dilation, padding or group). Built on
 * mma_core.cl (prepended by the host: warps, mma tiles, the swizzled local stages) after
 * conv2d_common.cl; NVIDIA devices of compute capability 8.0 and up only.
 *
 * A is the group's weights, MG x K with k contiguous (ONNX's [M, C/group, KH, KW]): 16-byte
 * loads along k where K % KC == 0 (ALIGNED). B's rows in the local stage are output positions p, each
 * work-item loading KC consecutive k of one p, consecutive work-items taking consecutive p (so
 * loads of the input coalesce along the output row). The next tile's loads are issued into
 * registers before the current tile's products, as in gemm_mma.cl; the epilogue is every conv
 * tactic's (bias, residual, activation: conv_store). NDRange: (P tiles x 32, MG tiles x warps,
 * groups).
 *
 * SPLITK=S (conv2d.splitk_tf32, conv2d.splitk_mma_fp16; see conv2d_common.cl): the work-group
 * takes one slice of K (whole BK tiles, the last slice the rest, possibly none) and stores its raw
 * fp32 sums to the workspace; conv_splitk_reduce adds the slices and applies the epilogue. The
 * slices share the third NDRange dimension with the groups (groups x S, group-major): OpenCL has
 * three dimensions and the first two are the output tile's. Every slice but the last ends on a
 * whole tile, so the loads need no bound but K's own. */
#if defined(GEMM_TF32) || defined(MMA_FP16)
#ifdef MMA_FP16
#define CONV_MMA_KERNEL conv_mma_fp16
#else
#define CONV_MMA_KERNEL conv_tf32
#endif

/* B's gather without divisions in the K loop: a work-item's chunks keep their output position p
 * (a row of B) and their place in the tile over the whole loop (conv_pos). 1x1: the tap is the
 * channel. Otherwise each k of a tile becomes a tap entry (conv_tap_entry: its offset from a
 * window's base, kh DH, kw DW, and whether k is inside the slice) that BK work-items compute
 * once per tile into local memory for all the lanes, where every lane used to walk its own taps
 * value by value (the index work, not the loads or the mma, was what the implicit tactics
 * issued most). */
#ifndef CONV_B_1X1
inline int4 conv_tap_entry(int k, int kend, const int H, const int W, const int KH, const int KW, const int DH, const int DW)
{
    const conv_tap t = conv_tap_at(k, KH, KW);
    const int dh = t.kh * DH, dw = t.kw * DW;
    return (int4)((t.c * H + dh) * W + dw, dh, dw, k < kend);
}
#endif

/* The KC values of B at position `at`: 1x1, channels k .. k + KC - 1 (zeros from CG on);
 * otherwise the taps of entries te[0 .. KC - 1] (zeros outside the slice and in the padding). */
inline chunk_t conv_b_chunk(__global const store_t *x, conv_pos at, int k, __local const int4 *te, const int H, const int W,
                            const int OHW, const int CG)
{
    elem_t e[KC];
    for (int i = 0; i < KC; i++) e[i] = 0;
    if (!at.inside) return (chunk_t)(0);
#ifdef CONV_B_1X1
    for (int i = 0; i < KC && k + i < CG; i++) e[i] = ELEM(x, at.base + (k + i) * OHW);
#else
#pragma unroll
    for (int i = 0; i < KC; i++) {
        const int4 q = te[i];
        const int ih = at.ih0 + q.y, iw = at.iw0 + q.z;
        if (q.w && (uint)ih < (uint)H && (uint)iw < (uint)W) e[i] = ELEM(x, at.base + q.x);
    }
#endif
    return chunk_pack(e);
}

/* The lane's accumulators of the warp's tile at (channel m0, position p0) of group g through
 * the epilogue, or under SPLITK as they are into slice `slice`'s partial plane: accumulator
 * (i, j, 2h + e) of lane (gl, t) is row gl + 8h, column NCOL(j, 2t + e) (mma_core.cl). Where a
 * pair's columns are adjacent positions of one image and y and res allow it, the pair goes out as
 * one access (conv_store2); under NPERM and LPERM a lane's columns of a row are one run, stored by
 * fours. */
inline void conv_mma_store(float acc[MT][NT8][4], __global store_t *y, __global const store_t *res,
                           __global const store_t *bias, int m0, int p0, int gl, int t, int g, const int M, const int MG,
                           const int P, conv_out o SPLITK_ARGS, int slice)
{
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int m = m0 + i * 16 + gl + h * 8;
            if (m >= MG) continue;
            const float b = BIAS(g * MG + m);
#if (defined(NPERM) || defined(LPERM)) && !defined(SPLITK)
            /* tile-minor columns (NPERM, LPERM): the lane's 2 NT8 columns of a row are adjacent,
             * from 2t NT8 on (NCOL(j, 2t + e) = (2t + e) NT8 + j), so they go out four at a time */
#pragma unroll
            for (int e = 0; e < 2; e++)
#pragma unroll
                for (int j = 0; j < NT8; j += 4)
                    conv_store_run(y, res, o, g * MG + m, p0 + NCOL(j, 2 * t + e), ACC_RUN(acc, i, j, 2 * h + e), b, P);
            continue;
#endif
#pragma unroll
            for (int j = 0; j < NT8; j++) {
                const int p = p0 + NCOL(j, 2 * t), q = p0 + NCOL(j, 2 * t + 1);
                const float2 v = (float2)(acc[i][j][2 * h], acc[i][j][2 * h + 1]);
#ifdef SPLITK /* b and the epilogue: conv_splitk_reduce */
                if (p < P) SPLITK_PART(slice, g * MG + m, p) = v.x;
                if (q < P) SPLITK_PART(slice, g * MG + m, q) = v.y;
#else
                const int at = conv_y_of(o, g * MG + m, p);
                if (q == p + 1 && q < P && p % o.ohw + 1 < o.ohw && XC_ALIGNED2(y, at) && XC_ALIGNED2(res, at)) {
                    conv_store2(y, res, at, v + b);
                    continue;
                }
                if (p < P) conv_store(y, res, at, v.x + b);
                if (q < P) conv_store(y, res, conv_y_of(o, g * MG + m, q), v.y + b);
#endif
            }
        }
}

#ifndef MMA_PIPE
__kernel __attribute__((reqd_work_group_size(32, NWARPS, 1)))
void CONV_MMA_KERNEL(CONV_IO(x, w), CONV_GEOM SPLITK_ARGS)
{
    __local uint4 As[2 * BM * 4], Bs[2 * BN * 4];
    const int CG = C / G, MG = M / G, K = CG * KH * KW, OHW = OH * OW, P = N * OHW;
    const int lane = get_local_id(0), warp = get_local_id(1), tid = warp * 32 + lane;
#ifdef SPLITK
    const int g = get_group_id(2) / SPLITK, slice = get_group_id(2) % SPLITK;
    const int kbeg = min(K, slice * SPLITK_SLICE(K, BK)), kend = min(K, kbeg + SPLITK_SLICE(K, BK));
#else
    const int g = get_group_id(2), slice = 0, kbeg = 0, kend = K;
#endif
    const int t = lane & 3, gl = lane >> 2;
    const int wm = warp / WARPS_N * WM, wn = warp % WARPS_N * WN;
    const int p0 = get_group_id(0) * BN, m0 = get_group_id(1) * BM;
    __global const store_t *wg = w + g * MG * K;
    float acc[MT][NT8][4];
    mma_zero(acc);
    chunk_t ra[A_GROUPS], rb[B_GROUPS];
    conv_pos pos[B_GROUPS];
#pragma unroll
    for (int q = 0; q < B_GROUPS; q++) {
        ACROSS_K(q, BN, row, c);
        pos[q] = conv_pos_at(p0 + LCOL(row), g, C, H, W, OH, OW, SH, SW, PH, PW, CG, P);
    }
    const int tiles = (kend - kbeg + BK - 1) / BK;
#ifndef CONV_B_1X1
    __local int4 taps[2][BK]; /* tile kt's entries in taps[kt & 1], written while tile kt - 1 loads */
#define TILE_TAPS(kt) taps[(kt) & 1]
    if (tid < BK) taps[0][tid] = conv_tap_entry(kbeg + tid, kend, H, W, KH, KW, DH, DW);
    barrier(CLK_LOCAL_MEM_FENCE);
#else
#define TILE_TAPS(kt) ((__local const int4 *)0) /* unused: the tap is the channel */
#endif
    for (int kt = 0; kt <= tiles; kt++) {
        /* kt < tiles: fetch tile kt; kt > 0: the products of tile kt - 1 (stage (kt - 1) & 1)
         * while those loads are in flight; then tile kt into stage kt & 1 */
        if (kt < tiles) {
#pragma unroll
            for (int q = 0; q < A_GROUPS; q++) {
                ALONG_K(q, row, c);
                ra[q] = load_along_k(wg, m0 + row, kbeg + kt * BK + KC * c, MG, K, K);
            }
#pragma unroll
            for (int q = 0; q < B_GROUPS; q++) {
                ACROSS_K(q, BN, row, c);
                rb[q] = conv_b_chunk(x, pos[q], kbeg + kt * BK + KC * c, TILE_TAPS(kt) + KC * c, H, W, OHW, CG);
            }
#ifndef CONV_B_1X1
            /* taps[(kt + 1) & 1] was last read by tile kt - 1's loads, before the barrier ending it */
            if (tid < BK) taps[(kt + 1) & 1][tid] = conv_tap_entry(kbeg + (kt + 1) * BK + tid, kend, H, W, KH, KW, DH, DW);
#endif
        }
        if (kt > 0) stage_products(acc, As + ((kt - 1) & 1) * BM * 4, Bs + ((kt - 1) & 1) * BN * 4, wm, wn, gl, t);
        if (kt < tiles) {
            __local uint4 *as = As + (kt & 1) * BM * 4, *bs = Bs + (kt & 1) * BN * 4;
#pragma unroll
            for (int q = 0; q < A_GROUPS; q++) {
                ALONG_K(q, row, c);
                as[CHUNK(row, c)] = CHUNK_STORED(ra[q]);
            }
#pragma unroll
            for (int q = 0; q < B_GROUPS; q++) {
                ACROSS_K(q, BN, row, c);
                bs[CHUNK(row, c)] = CHUNK_STORED(rb[q]);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    conv_mma_store(acc, y, res, bias, m0 + wm, p0 + wn, gl, t, g, M, MG, P, CONV_OUT SPLITK_PASS, slice);
}
#endif /* !MMA_PIPE */

/* MMA_PIPE (conv2d.1x1_tf32_async, conv2d.1x1_mma_fp16_async, conv2d.implicit_tf32_async): the
 * tiles copied by cp.async into STAGES local stages, as gemm_mma.cl's pipelined kernel does (see
 * mma_core.cl). A's chunks are KC weights of one row: the host offers these tactics where K is a
 * multiple of KC (16-byte aligned rows). B:
 * - 1x1: the host also asks for C / group and OH * OW multiples of KC, so every chunk of B is KC
 *   consecutive positions of one input plane (k-major, 16-byte aligned): whole copies, zeros
 *   (source size 0) outside K and P;
 * - implicit (TF32): gathered value by value, one 4-byte copy each (zeros in the padding), each
 *   work-item keeping one column (output position) over the whole K loop and taking every
 *   NTH / BN-th k-row of a tile: a warp's copies of one k-row are 32 consecutive positions,
 *   consecutive inputs along an output row. Each tile's taps come from its entries in local
 *   memory (conv_tap_entry), made STAGES tiles ahead: the copies of a tile go out as soon as its
 *   stage is free, with nothing to compute but the bounds. */
#ifdef MMA_PIPE
#ifdef SPLITK
#error "conv MMA_PIPE: no split-K (conv2d.splitk_* use the register-staged kernel)"
#endif
#ifdef CONV_B_1X1
#define B_COPIES (BN * 4 / NTH)

/* This work-item's copies of B's k-rows k0 .. k0 + BK-1 into stage s; bbase[c]: the offset of
 * copy c's chunk in channel 0 of its image's group (-1 past P), fixed over K. */
inline void conv_copy_b(__local uint4 *s, __global const store_t *x, const int *bbase, int k0, const int CG, const int OHW,
                        int tid)
{
#pragma unroll
    for (int c = 0; c < B_COPIES; c++) {
        const int id = tid + c * NTH, k = id / (BN / KC), q = id % (BN / KC);
        const int inside = bbase[c] >= 0 && k0 + k < CG;
        copy_chunk(s + KROW_CHUNK(k, q, BN, B_KROWS), inside ? x + bbase[c] + (k0 + k) * OHW : x, inside);
    }
}
#else
#ifdef MMA_FP16
#error "conv MMA_PIPE implicit: TF32 only (a cp.async moves 4 bytes at least, two halves)"
#endif
#if NTH < BN
#error "conv MMA_PIPE implicit: a work-item per column at least"
#endif
#define B_KSTEP (NTH / BN)

/* This work-item's copies of B's k-rows krow, krow + B_KSTEP, .. of a tile into stage s, for its
 * column col at position `at`, the tile's taps te (entries outside K are zeros, as is the
 * padding and everything past P). */
inline void conv_copy_b_taps(__local uint4 *s, __global const store_t *x, conv_pos at, int col, int krow, __local const int4 *te,
                             const int H, const int W)
{
    __local uint *se = (__local uint *)s;
#pragma unroll
    for (int i = 0; i < BK / B_KSTEP; i++) {
        const int k = krow + i * B_KSTEP;
        const int4 q = te[k];
        const int ih = at.ih0 + q.y, iw = at.iw0 + q.z;
        const int inside = at.inside && q.w && (uint)ih < (uint)H && (uint)iw < (uint)W;
        copy_elem(se + KROW_ELEM(k, col, BN, B_KROWS), inside ? x + at.base + q.x : x, inside);
    }
}
#endif

__kernel __attribute__((reqd_work_group_size(32, NWARPS, 1)))
void CONV_MMA_KERNEL(CONV_IO(x, w), CONV_GEOM)
{
    __local uint4 As[STAGES * BM * 4], Bs[STAGES * BN * 4];
    const int CG = C / G, MG = M / G, OHW = OH * OW, P = N * OHW;
    const int lane = get_local_id(0), warp = get_local_id(1), tid = warp * 32 + lane;
    const int g = get_group_id(2), t = lane & 3, gl = lane >> 2;
    const int wm = warp / WARPS_N * WM, wn = warp % WARPS_N * WN;
    const int p0 = get_group_id(0) * BN, m0 = get_group_id(1) * BM;
#ifdef CONV_B_1X1
    const int K = CG;
    int bbase[B_COPIES];
#pragma unroll
    for (int c = 0; c < B_COPIES; c++) {
        const int p = p0 + (tid + c * NTH) % (BN / KC) * KC;
        bbase[c] = p < P ? ((p / OHW) * C + g * CG) * OHW + p % OHW : -1;
    }
#define COPY_B(st, kt) conv_copy_b(Bs + (st) * BN * 4, x, bbase, (kt) * BK, CG, OHW, tid)
#else
    const int K = CG * KH * KW, col = tid % BN;
    const conv_pos at = conv_pos_at(p0 + col, g, C, H, W, OH, OW, SH, SW, PH, PW, CG, P);
    __local int4 taps[STAGES][BK]; /* tile kt's entries in taps[kt % STAGES] */
    if (tid < STAGES * BK) taps[tid / BK][tid % BK] = conv_tap_entry(tid, K, H, W, KH, KW, DH, DW); /* tiles 0 .. STAGES-1 */
    barrier(CLK_LOCAL_MEM_FENCE);
#define COPY_B(st, kt) conv_copy_b_taps(Bs + (st) * BN * 4, x, at, col, tid / BN, taps[(kt) % STAGES], H, W)
#endif
    __global const store_t *wg = w + g * MG * K;
    float acc[MT][NT8][4];
    mma_zero(acc);
    const int tiles = (K + BK - 1) / BK;
#pragma unroll
    for (int st = 0; st < STAGES - 1; st++) {
        if (st < tiles) {
            copy_tile(As + st * BM * 4, wg, m0, MG, st * BK, K, K, A_KROWS, BM, tid);
            COPY_B(st, st);
        }
        COPY_COMMIT();
    }
    for (int kt = 0; kt < tiles; kt++) {
        COPY_WAIT();
        barrier(CLK_LOCAL_MEM_FENCE); /* tile kt landed; stage (kt - 1) % STAGES is free */
        const int next = kt + STAGES - 1, ns = next % STAGES, cs = kt % STAGES;
        if (next < tiles) {
            copy_tile(As + ns * BM * 4, wg, m0, MG, next * BK, K, K, A_KROWS, BM, tid);
            COPY_B(ns, next);
        }
#ifndef CONV_B_1X1
        /* tile next + 1's entries take tile kt's place: its copies went out before this barrier */
        if (tid < BK) taps[cs][tid] = conv_tap_entry((next + 1) * BK + tid, K, H, W, KH, KW, DH, DW);
#endif
        COPY_COMMIT();
        stage_products(acc, As + cs * BM * 4, Bs + cs * BN * 4, wm, wn, gl, t);
    }
    conv_mma_store(acc, y, res, bias, m0 + wm, p0 + wn, gl, t, g, M, MG, P, CONV_OUT, 0);
}
#endif /* MMA_PIPE */
#endif

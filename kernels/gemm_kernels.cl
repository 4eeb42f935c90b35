/* gemm_kernels.cl — the matrix products of the gemm layer kind (ONNX Gemm and MatMul):
 *     Y[b] = act(alpha * op(A[b]) x op(B[b]) + beta * C + bias)        Y[b] is M x N, row-major
 * One kernel per tactic; a program holds only the kernel its tactic's define selects:
 *   GEMM_NAIVE  gemm_naive    one work-item per output element, operands straight from global memory;
 *   TILE        gemm_tiled    TILE x TILE tiles of A and B in local memory, one output per work-item;
 *   GEMM_REG    gemm_reg      BM x BN outputs per work-group through BK-deep local tiles; each work-item
 *                             keeps an RM x RN block of accumulators in registers, its rows and columns
 *                             strided over the tile (conflict-free local reads, coalesced stores);
 *   GEMM_VEC4   gemm_vec4     as gemm_reg, with float4 global loads along each operand's contiguous
 *                             dimension, prefetched into registers a tile ahead so they overlap the
 *                             products, float4 local reads (RM contiguous rows, RN columns as float4s
 *                             4 TX apart) and float4 stores where Y allows (the host checks those
 *                             dimensions are multiples of 4).
 * Layout: TRANS_A means A is stored K x M (lda = M), else M x K (lda = K); TRANS_B means B is stored
 * N x K (ldb = K), else K x N (ldb = N). Epilogue: HAS_C adds beta * C[m * csm + n * csn] (C's strides
 * are 0 along broadcast axes), HAS_BIAS adds bias[n], then xc_activate. Without them the C and bias
 * arguments are bound to A and never read. Y_PLANE (width) and Y_PLANE_SIZE (M * width) store
 * column block n / Y_PLANE as a contiguous plane of its own (stacked products).
 * Under fp16 math (common.cl) each product is rounded to half and added through XC_MAC, and the
 * epilogue rounds each step.
 * Batches (MatMul) are the third NDRange dimension: batch index bz splits into up to three broadcast
 * dimensions (sizes bd0 x bd1 x bd2, only bd1 and bd2 needed), with element strides sa* / sb* of A and
 * B along each (0 where that operand is broadcast); Y's batches are contiguous. B and Y start b_off
 * and y_off elements into their buffers (0 for layers; conv2d.winograd_gemm keeps both in its
 * workspace, apart). restrict: what Y's stores change is never read through another argument (a
 * layer's output has a buffer of its own, src/ocl/memplan.c), so the compiler may issue an
 * epilogue's loads of C ahead of its stores (see CONV_IO in conv2d_common.cl). */

#define GEMM_PARAMS                                                                                                    \
    __global const store_t *restrict A, __global const store_t *restrict B, __global const store_t *restrict C,       \
        __global const store_t *restrict bias, __global store_t *restrict Y, const int M, const int N, const int K,  \
        const int lda, const int ldb, const float alpha, const float beta, const int csm, const int csn,              \
        const int bd1, const int bd2, const int sa0, const int sa1, const int sa2, const int sb0, const int sb1,      \
        const int sb2, const int b_off, const int y_off

#ifdef TRANS_A
#define A_AT(m, k) LOAD(A, (k) * lda + (m))
#else
#define A_AT(m, k) LOAD(A, (m) * lda + (k))
#endif
#ifdef TRANS_B
#define B_AT(k, n) LOAD(B, (n) * ldb + (k))
#else
#define B_AT(k, n) LOAD(B, (k) * ldb + (n))
#endif

/* Element offset of batch bz in an operand with strides s0, s1, s2 over the batch dimensions. */
inline int batch_offset(int bz, int bd1, int bd2, int s0, int s1, int s2)
{
    return bz / (bd1 * bd2) * s0 + bz / bd2 % bd1 * s1 + bz % bd2 * s2;
}

/* The epilogue of output (m, n): scale, C, bias, activation. */
inline float output_value(__global const store_t *C, __global const store_t *bias, int m, int n, float acc, float alpha,
                          float beta, int csm, int csn)
{
    float v = XC_H(alpha * acc); /* under fp16 math every step of the epilogue rounds to half */
#ifdef HAS_C
    v = XC_H(v + XC_H(beta * LOAD(C, m * csm + n * csn)));
#endif
#ifdef HAS_BIAS
    v = XC_H(v + LOAD(bias, n));
#endif
    return xc_activate(v);
}

/* Where output (m, n) is stored in Y. */
inline int output_index(int m, int n, int N)
{
#ifdef Y_PLANE /* a stacked product (gemm_horizontal): column block n / Y_PLANE is a plane of its own */
    return n / Y_PLANE * Y_PLANE_SIZE + m * Y_PLANE + n % Y_PLANE;
#else
    return m * N + n;
#endif
}

inline void store_output(__global store_t *Y, __global const store_t *C, __global const store_t *bias, int m, int n,
                         int N, float acc, float alpha, float beta, int csm, int csn)
{
    STORE(Y, output_index(m, n, N), output_value(C, bias, m, n, acc, alpha, beta, csm, csn));
}

/* Outputs (m, n) and (m, n2) (those inside N): one access where they are adjacent in Y and
 * aligned, else one by one. */
inline void store_output2(__global store_t *Y, __global const store_t *C, __global const store_t *bias, int m, int n, int n2,
                          int N, float2 acc, float alpha, float beta, int csm, int csn)
{
    const int i = output_index(m, n, N);
    if (n2 < N && output_index(m, n2, N) == i + 1 && XC_ALIGNED2(Y, i)) {
        STORE2A(Y, i, (float2)(output_value(C, bias, m, n, acc.x, alpha, beta, csm, csn),
                               output_value(C, bias, m, n2, acc.y, alpha, beta, csm, csn)));
        return;
    }
    if (n < N) store_output(Y, C, bias, m, n, N, acc.x, alpha, beta, csm, csn);
    if (n2 < N) store_output(Y, C, bias, m, n2, N, acc.y, alpha, beta, csm, csn);
}

/* Outputs (m, n) .. (m, n + 3) (those inside N): one access where they are adjacent in Y and
 * aligned, else one by one. */
inline void store_output4(__global store_t *Y, __global const store_t *C, __global const store_t *bias, int m, int n,
                          int N, float4 acc, float alpha, float beta, int csm, int csn)
{
    const int i = output_index(m, n, N);
    if (n + 3 < N && output_index(m, n + 3, N) == i + 3 && XC_ALIGNED4(Y, i)) {
        const float4 v = (float4)(output_value(C, bias, m, n, acc.x, alpha, beta, csm, csn),
                                  output_value(C, bias, m, n + 1, acc.y, alpha, beta, csm, csn),
                                  output_value(C, bias, m, n + 2, acc.z, alpha, beta, csm, csn),
                                  output_value(C, bias, m, n + 3, acc.w, alpha, beta, csm, csn));
        STORE4A(Y, i, v);
        return;
    }
    const float a[4] = {acc.x, acc.y, acc.z, acc.w};
    for (int c = 0; c < 4 && n + c < N; c++) store_output(Y, C, bias, m, n + c, N, a[c], alpha, beta, csm, csn);
}

/* Moves A, B and Y to batch get_global_id(2). */
#define GEMM_SELECT_BATCH()                                                                                    \
    do {                                                                                                       \
        const int bz = get_global_id(2);                                                                       \
        A += batch_offset(bz, bd1, bd2, sa0, sa1, sa2);                                                        \
        B += b_off + batch_offset(bz, bd1, bd2, sb0, sb1, sb2);                                                \
        Y += y_off + bz * M * N;                                                                               \
    } while (0)

#ifdef GEMM_NAIVE
__kernel void gemm_naive(GEMM_PARAMS)
{
    const int n = get_global_id(0), m = get_global_id(1);
    if (n >= N || m >= M) return;
    GEMM_SELECT_BATCH();
    float acc = 0.0f;
    for (int k = 0; k < K; k++) acc = XC_MAC(fma, A_AT(m, k), B_AT(k, n), acc);
    store_output(Y, C, bias, m, n, N, acc, alpha, beta, csm, csn);
}
#endif

#ifdef TILE
/* Work-group TILE x TILE; As[m][k] and Bs[k][n] are filled so that consecutive work-items read
 * consecutive addresses of whichever layout the operand has. */
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1))) void gemm_tiled(GEMM_PARAMS)
{
    __local float As[TILE][TILE + 1], Bs[TILE][TILE + 1];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int n0 = get_group_id(0) * TILE, m0 = get_group_id(1) * TILE;
    GEMM_SELECT_BATCH();
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
#ifdef TRANS_A
        As[tx][ty] = m0 + tx < M && k0 + ty < K ? A_AT(m0 + tx, k0 + ty) : 0.0f;
#else
        As[ty][tx] = m0 + ty < M && k0 + tx < K ? A_AT(m0 + ty, k0 + tx) : 0.0f;
#endif
#ifdef TRANS_B
        Bs[tx][ty] = k0 + tx < K && n0 + ty < N ? B_AT(k0 + tx, n0 + ty) : 0.0f;
#else
        Bs[ty][tx] = k0 + ty < K && n0 + tx < N ? B_AT(k0 + ty, n0 + tx) : 0.0f;
#endif
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (int kk = 0; kk < TILE; kk++) acc = XC_MAC(fma, As[ty][kk], Bs[kk][tx], acc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (m0 + ty < M && n0 + tx < N) store_output(Y, C, bias, m0 + ty, n0 + tx, N, acc, alpha, beta, csm, csn);
}
#endif

#if defined(GEMM_REG) || defined(GEMM_VEC4)
#define TX (BN / RN) /* work-group width: work-items along n */
#define TY (BM / RM) /* work-group height: work-items along m */
#define NT (TX * TY)
#define LDA (BM + 4) /* local row pitches, padded against bank conflicts, float4-aligned */
#define LDB (BN + 4)
#if (BM * BK) % NT || (BN * BK) % NT
#error "tile does not split evenly over the work-group"
#endif
#endif

#ifdef GEMM_REG
/* Fills As[k][m] (BK x BM) and Bs[k][n] (BK x BN) from the tiles at (m0, k0) and (k0, n0), the
 * work-items walking each operand's contiguous dimension. Out-of-range elements are zeros. */
inline void load_tiles(__local float *As, __local float *Bs, __global const store_t *A, __global const store_t *B,
                       int lda, int ldb, int M, int N, int K, int m0, int n0, int k0, int tid)
{
#pragma unroll
    for (int p = 0; p < BM * BK / NT; p++) {
        const int i = tid + p * NT;
#ifdef TRANS_A
        const int mm = i % BM, kk = i / BM;
#else
        const int kk = i % BK, mm = i / BK;
#endif
        As[kk * LDA + mm] = m0 + mm < M && k0 + kk < K ? A_AT(m0 + mm, k0 + kk) : 0.0f;
    }
#pragma unroll
    for (int p = 0; p < BN * BK / NT; p++) {
        const int i = tid + p * NT;
#ifdef TRANS_B
        const int kk = i % BK, nn = i / BK;
#else
        const int nn = i % BN, kk = i / BN;
#endif
        Bs[kk * LDB + nn] = k0 + kk < K && n0 + nn < N ? B_AT(k0 + kk, n0 + nn) : 0.0f;
    }
}

/* Work-item (tx, ty) owns rows m0 + ty + i * TY and columns n0 + tx + j * TX. */
__kernel __attribute__((reqd_work_group_size(TX, TY, 1))) void gemm_reg(GEMM_PARAMS)
{
    __local float As[BK * LDA], Bs[BK * LDB];
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * TX + tx;
    const int n0 = get_group_id(0) * BN, m0 = get_group_id(1) * BM;
    GEMM_SELECT_BATCH();
    float acc[RM][RN];
#pragma unroll
    for (int i = 0; i < RM; i++)
#pragma unroll
        for (int j = 0; j < RN; j++) acc[i][j] = 0.0f;
    for (int k0 = 0; k0 < K; k0 += BK) {
        load_tiles(As, Bs, A, B, lda, ldb, M, N, K, m0, n0, k0, tid);
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float a[RM], b[RN];
#pragma unroll
            for (int i = 0; i < RM; i++) a[i] = As[kk * LDA + ty + i * TY];
#pragma unroll
            for (int j = 0; j < RN; j++) b[j] = Bs[kk * LDB + tx + j * TX];
#pragma unroll
            for (int i = 0; i < RM; i++)
#pragma unroll
                for (int j = 0; j < RN; j++) acc[i][j] = XC_MAC(fma, a[i], b[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#pragma unroll
    for (int i = 0; i < RM; i++)
#pragma unroll
        for (int j = 0; j < RN; j++) {
            const int m = m0 + ty + i * TY, n = n0 + tx + j * TX;
            if (m < M && n < N) store_output(Y, C, bias, m, n, N, acc[i][j], alpha, beta, csm, csn);
        }
}
#endif

#ifdef GEMM_VEC4
#if (BM * BK) % (4 * NT) || (BN * BK) % (4 * NT) || BK % 4 || RM % 4 || RN % 4
#error "float4 steps do not split evenly over the tile or the work-group"
#endif

#define A_STEPS (BM * BK / 4 / NT) /* float4s of a tile each work-item moves */
#define B_STEPS (BN * BK / 4 / NT)

/* Reads this work-item's float4s of the A tile at (m0, k0) and the B tile at (k0, n0), along each
 * operand's contiguous dimension, into registers (zeros out of range); a_aligned, b_aligned: the
 * kernel's check that whole float4 loads may be used. */
inline void fetch_vec4(float4 *ra, float4 *rb, __global const store_t *A, __global const store_t *B, int lda, int ldb,
                       int a_aligned, int b_aligned, int M, int N, int K, int m0, int n0, int k0, int tid)
{
#pragma unroll
    for (int p = 0; p < A_STEPS; p++) {
        const int i = tid + p * NT;
#ifdef TRANS_A
        const int m = m0 + i % (BM / 4) * 4, k = k0 + i / (BM / 4);
        ra[p] = m < M && k < K ? LOAD4_IF(a_aligned, A, k * lda + m) : (float4)(0.0f);
#else
        const int k = k0 + i % (BK / 4) * 4, m = m0 + i / (BK / 4);
        ra[p] = m < M && k < K ? LOAD4_IF(a_aligned, A, m * lda + k) : (float4)(0.0f);
#endif
    }
#pragma unroll
    for (int p = 0; p < B_STEPS; p++) {
        const int i = tid + p * NT;
#ifdef TRANS_B
        const int k = k0 + i % (BK / 4) * 4, n = n0 + i / (BK / 4);
        rb[p] = k < K && n < N ? LOAD4_IF(b_aligned, B, n * ldb + k) : (float4)(0.0f);
#else
        const int n = n0 + i % (BN / 4) * 4, k = k0 + i / (BN / 4);
        rb[p] = k < K && n < N ? LOAD4_IF(b_aligned, B, k * ldb + n) : (float4)(0.0f);
#endif
    }
}

/* Writes what fetch_vec4 read into As[k][m] and Bs[k][n]: a float4 along m or n is one local
 * store, one along k is scattered over four rows. */
inline void stash_vec4(__local float *As, __local float *Bs, const float4 *ra, const float4 *rb, int tid)
{
#pragma unroll
    for (int p = 0; p < A_STEPS; p++) {
        const int i = tid + p * NT;
#ifdef TRANS_A
        vstore4(ra[p], 0, As + i / (BM / 4) * LDA + i % (BM / 4) * 4);
#else
        const int kk = i % (BK / 4) * 4, mm = i / (BK / 4);
        As[(kk + 0) * LDA + mm] = ra[p].x;
        As[(kk + 1) * LDA + mm] = ra[p].y;
        As[(kk + 2) * LDA + mm] = ra[p].z;
        As[(kk + 3) * LDA + mm] = ra[p].w;
#endif
    }
#pragma unroll
    for (int p = 0; p < B_STEPS; p++) {
        const int i = tid + p * NT;
#ifdef TRANS_B
        const int kk = i % (BK / 4) * 4, nn = i / (BK / 4);
        Bs[(kk + 0) * LDB + nn] = rb[p].x;
        Bs[(kk + 1) * LDB + nn] = rb[p].y;
        Bs[(kk + 2) * LDB + nn] = rb[p].z;
        Bs[(kk + 3) * LDB + nn] = rb[p].w;
#else
        vstore4(rb[p], 0, Bs + i / (BN / 4) * LDB + i % (BN / 4) * 4);
#endif
    }
}

/* Work-item (tx, ty) owns rows m0 + ty * RM .. + RM - 1 and the float4s of columns at n0 + 4 tx + 4 TX j
 * (XC_VEC4_BLOCK_PRODUCT). */
__kernel __attribute__((reqd_work_group_size(TX, TY, 1))) void gemm_vec4(GEMM_PARAMS)
{
    __local float As[BK * LDA] __attribute__((aligned(16))), Bs[BK * LDB] __attribute__((aligned(16)));
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * TX + tx;
    const int n0 = get_group_id(0) * BN, m0 = get_group_id(1) * BM;
    GEMM_SELECT_BATCH();
    /* every row of A and B starts on a four-element boundary: whole float4 loads (LOAD4_IF) */
    const int a_aligned = XC_ALIGNED4(A, 0) && lda % 4 == 0, b_aligned = XC_ALIGNED4(B, 0) && ldb % 4 == 0;
    XC_VEC4_BLOCK_ACCUMULATORS(acc);
    float4 ra[A_STEPS], rb[B_STEPS];
    fetch_vec4(ra, rb, A, B, lda, ldb, a_aligned, b_aligned, M, N, K, m0, n0, 0, tid);
    for (int k0 = 0; k0 < K; k0 += BK) {
        stash_vec4(As, Bs, ra, rb, tid);
        barrier(CLK_LOCAL_MEM_FENCE);
        if (k0 + BK < K) fetch_vec4(ra, rb, A, B, lda, ldb, a_aligned, b_aligned, M, N, K, m0, n0, k0 + BK, tid); /* in flight during the products */
        XC_VEC4_BLOCK_PRODUCT(As, Bs, ty * RM, 4 * tx, 4 * TX, acc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#pragma unroll
    for (int i = 0; i < RM; i++)
#pragma unroll
        for (int j = 0; j < RN / 4; j++) {
            const int m = m0 + ty * RM + i, n = n0 + 4 * tx + 4 * TX * j;
            if (m < M && n < N) store_output4(Y, C, bias, m, n, N, acc[i][j], alpha, beta, csm, csn);
        }
}
#endif

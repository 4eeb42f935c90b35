/* quant_gemm.cl — int8 gemm: Y[M x N] = (X[M x K] - x_zero) * W^T with W packed on the host
 * as [N x K] (zero points subtracted, W_T char or short), int32 accumulation, then the
 * requantizing epilogue (quant_epilogue.cl), column n using mult[n] and bias[n].
 *   qgemm.naive     one work-item per output;
 *   qgemm.tiled.<T> T x T tiles of X and W staged in local memory (as int), one output each. */
__kernel void qgemm_naive(__global const X_T *x, __global const W_T *w, __global const float *mult,
                          __global const float *bias, __global OUT_T *y, __global const store_t *res, const int x_zero, const float x_scale, const float y_scale,
                          const int y_zero, const int M, const int N, const int K)
{
    const int n = get_global_id(0), m = get_global_id(1);
    if (n >= N || m >= M) return;
    __global const X_T *xr = x + (size_t)m * K;
    __global const W_T *wr = w + (size_t)n * K;
    int acc = 0;
    for (int k = 0; k < K; k++) acc += (XQ_X(xr, k) - x_zero) * (int)wr[k];
    XQ_STORE(y, (size_t)m * N + n, xq_dequant_acc(acc, mult[n], bias[n], res, (size_t)m * N + n), y_scale, y_zero);
}

#ifdef TILE
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1)))
void qgemm_tiled(__global const X_T *x, __global const W_T *w, __global const float *mult, __global const float *bias,
                 __global OUT_T *y, __global const store_t *res, const int x_zero, const float x_scale, const float y_scale, const int y_zero, const int M, const int N,
                 const int K)
{
    __local int xs[TILE][TILE + 1], wsub[TILE][TILE + 1];
    const int tn = get_local_id(0), tm = get_local_id(1);
    const int n = get_group_id(0) * TILE + tn, m = get_group_id(1) * TILE + tm;
    const int wn = get_group_id(0) * TILE + tm; /* the W row this work-item stages */
    int acc = 0;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        const int k = k0 + tn;
        xs[tm][tn] = m < M && k < K ? XQ_X(x, (size_t)m * K + k) - x_zero : 0;
        wsub[tm][tn] = wn < N && k < K ? (int)w[(size_t)wn * K + k] : 0;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TILE; kk++) acc += xs[tm][kk] * wsub[tn][kk];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (n < N && m < M) XQ_STORE(y, (size_t)m * N + n, xq_dequant_acc(acc, mult[n], bias[n], res, (size_t)m * N + n), y_scale, y_zero);
}
#endif

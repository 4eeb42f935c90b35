/* quant_conv.cl — int8 conv (qconv.direct): one work-item per output element, (x - x_zero) *
 * (w - w_zero) summed in int32 (exact), then the requantizing epilogue (quant_epilogue.cl).
 * Weights come with their zero points already subtracted (W_T: char when that fits, else
 * short). Padding is zero in the dequantized domain, i.e. x_zero here: it adds nothing.
 * Geometry as the float conv's (NCHW, 1-D as H = 1). */
__kernel void qconv_direct(__global const X_T *x, __global const W_T *w, __global const float *mult,
                           __global const float *bias, __global OUT_T *y, const int x_zero, const float x_scale, const float y_scale,
                           const int y_zero, const int N, const int C, const int H, const int W, const int M,
                           const int OH, const int OW, const int KH, const int KW, const int SH, const int SW,
                           const int DH, const int DW, const int PH, const int PW, const int G)
{
    const int i = get_global_id(0);
    if (i >= N * M * OH * OW) return;
    const int ox = i % OW, oy = i / OW % OH, m = i / (OW * OH) % M, n = i / (OW * OH * M);
    const int cg = C / G, c0 = m / (M / G) * cg;
    int acc = 0;
    for (int c = 0; c < cg; c++) {
        __global const X_T *xc = x + ((size_t)n * C + c0 + c) * H * W;
        __global const W_T *wc = w + ((size_t)m * cg + c) * KH * KW;
        for (int ky = 0; ky < KH; ky++) {
            const int iy = oy * SH - PH + ky * DH;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < KW; kx++) {
                const int ix = ox * SW - PW + kx * DW;
                if (ix < 0 || ix >= W) continue;
                acc += (XQ_X(xc, iy * W + ix) - x_zero) * (int)wc[ky * KW + kx];
            }
        }
    }
    XQ_STORE(y, i, xq_dequant_acc(acc, mult[m], bias[m]), y_scale, y_zero);
}

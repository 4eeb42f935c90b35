/* quant_conv.cl — int8 conv (qconv.direct): one work-item per output element, (x - x_zero) *
 * (w - w_zero) summed in int32 (exact), then the requantizing epilogue (quant_epilogue.cl).
 * Weights come with their zero points already subtracted (W_T: char when that fits, else
 * short). Padding is zero in the dequantized domain, i.e. x_zero here: it adds nothing.
 * Geometry as the float conv's (NCHW, 1-D as H = 1). */
__kernel void qconv_direct(__global const X_T *x, __global const W_T *w, __global const float *mult,
                           __global const float *bias, __global OUT_T *y, __global const store_t *res, const int x_zero, const float x_scale, const float y_scale,
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
    XQ_STORE(y, i, xq_dequant_acc(acc, mult[m], bias[m], res, i), y_scale, y_zero);
}

#ifdef RM
/* qconv.blocked.<RM>x<RN>: one work-item computes RM output channels (of one group) x RN
 * adjacent output columns of one row: each x value read serves RM channels and each weight RN
 * columns. Out-of-range columns and channels are computed on clamped indices and not stored. */
__kernel void qconv_blocked(__global const X_T *x, __global const W_T *w, __global const float *mult,
                            __global const float *bias, __global OUT_T *y, __global const store_t *res, const int x_zero, const float x_scale,
                            const float y_scale, const int y_zero, const int N, const int C, const int H, const int W,
                            const int M, const int OH, const int OW, const int KH, const int KW, const int SH,
                            const int SW, const int DH, const int DW, const int PH, const int PW, const int G)
{
    const int owb = (OW + RN - 1) / RN, mg = M / G, mblocks = (mg + RM - 1) / RM;
    const int gid = get_global_id(0);
    if (gid >= N * G * mblocks * OH * owb) return;
    const int bx = gid % owb, oy = gid / owb % OH, mb = gid / (owb * OH) % (G * mblocks);
    const int n = gid / (owb * OH * G * mblocks), g = mb / mblocks;
    const int m0 = g * mg + mb % mblocks * RM, mend = g * mg + mg, cg = C / G, ox0 = bx * RN;
    int acc[RM][RN];
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++) acc[i][j] = 0;
    for (int c = 0; c < cg; c++) {
        __global const X_T *xc = x + ((size_t)n * C + g * cg + c) * H * W;
        for (int ky = 0; ky < KH; ky++) {
            const int iy = oy * SH - PH + ky * DH;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < KW; kx++) {
                int xv[RN];
                for (int j = 0; j < RN; j++) {
                    const int ix = (ox0 + j) * SW - PW + kx * DW;
                    xv[j] = ix >= 0 && ix < W ? XQ_X(xc, iy * W + ix) - x_zero : 0; /* padding: 0 after dequantizing */
                }
                for (int i = 0; i < RM; i++) {
                    const int m = min(m0 + i, mend - 1);
                    const int wv = (int)w[(((size_t)m * cg + c) * KH + ky) * KW + kx];
                    for (int j = 0; j < RN; j++) acc[i][j] += wv * xv[j];
                }
            }
        }
    }
    for (int i = 0; i < RM && m0 + i < mend; i++)
        for (int j = 0; j < RN && ox0 + j < OW; j++) {
            const size_t o = (((size_t)n * M + m0 + i) * OH + oy) * OW + ox0 + j;
            XQ_STORE(y, o, xq_dequant_acc(acc[i][j], mult[m0 + i], bias[m0 + i], res, o), y_scale, y_zero);
        }
}
#endif

/* conv2d_direct.cl — the baseline conv tactic (conv2d.direct): one work-item per output
 * element (n, m, oh, ow), summing its group's input channels and kernel taps straight from
 * global memory. Needs conv2d_common.cl before it. */
__kernel void conv_direct(CONV_IO(x, w), CONV_GEOM)
{
    const int i = get_global_id(0);
    if (i >= N * M * OH * OW) return;
    const int ow = i % OW, oh = i / OW % OH, m = i / (OW * OH) % M, n = i / (OW * OH * M);
    const int CG = C / G, g = m / (M / G);
    float acc = BIAS(m);
    for (int c = 0; c < CG; c++) {
        const int xc = (n * C + g * CG + c) * H, wc = (m * CG + c) * KH;
        for (int kh = 0; kh < KH; kh++) {
            const int ih = oh * SH - PH + kh * DH;
            if (ih < 0 || ih >= H) continue;
            for (int kw = 0; kw < KW; kw++) {
                const int iw = ow * SW - PW + kw * DW;
                if (iw >= 0 && iw < W) acc = XC_MAC(xc_muladd, LOAD(w, (wc + kh) * KW + kw), LOAD(x, (xc + ih) * W + iw), acc);
            }
        }
    }
    conv_store(y, res, conv_y_at(CONV_OUT, n, m, oh * OW + ow), acc);
}

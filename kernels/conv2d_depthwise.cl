/* conv2d_depthwise.cl — conv2d.depthwise: group == C == M, so each output plane reads one input
 * plane and one KH x KW filter. A work-item computes VW consecutive outputs of one row: each
 * weight is loaded once and applied to VW inputs, and neighbouring items share cache lines.
 * Needs conv2d_common.cl before it. Parameter: VW. */
__kernel void conv_depthwise(CONV_IO(x, w), CONV_GEOM)
{
    const int ow0 = get_global_id(0) * VW, oh = get_global_id(1), nc = get_global_id(2);
    if (ow0 >= OW || oh >= OH || nc >= N * C) return;
    const int c = nc % C;
    __global const store_t *xp = x + nc * H * W;
    float acc[VW];
    for (int v = 0; v < VW; v++) acc[v] = BIAS(c);
    for (int kh = 0; kh < KH; kh++) {
        const int ih = oh * SH - PH + kh * DH;
        if (ih < 0 || ih >= H) continue;
        for (int kw = 0; kw < KW; kw++) {
            const float wv = LOAD(w, (c * KH + kh) * KW + kw);
            for (int v = 0; v < VW; v++) {
                const int iw = (ow0 + v) * SW - PW + kw * DW;
                if (iw >= 0 && iw < W) acc[v] = XC_MAC(mad, wv, LOAD(xp, ih * W + iw), acc[v]);
            }
        }
    }
    for (int v = 0; v < VW && ow0 + v < OW; v++) conv_store(y, res, conv_y_at(CONV_OUT, nc / C, c, oh * OW + ow0 + v), acc[v]);
}

/* conv2d_winograd.cl — conv2d.winograd_f2x2_3x3: Winograd F(2x2, 3x3) for 3x3, stride-1,
 * dilation-1, group-1 convs. The host transformed the weights once, U = G g G^T, laid out as
 * u[c][t][m] (t = the 16 points of the 4x4 tile, m padded to WINO_MPAD). A work-item takes one
 * 2x2 output tile for RM output channels: per input channel it loads the 4x4 input patch,
 * transforms it (V = B^T d B, additions only, shared by the RM channels), multiplies it
 * pointwise into 16 accumulators per channel, and at the end applies Y = A^T M A. 16 multiplies
 * per channel and tile instead of 36. Needs conv2d_common.cl before it. Parameters: RM, WINO_MPAD. */
__kernel void conv_winograd(CONV_IO(x, u), CONV_GEOM)
{
    const int TW = (OW + 1) / 2, TH = (OH + 1) / 2, MP = (M + WINO_MPAD - 1) / WINO_MPAD * WINO_MPAD;
    const int tile = get_global_id(0), m0 = get_global_id(1) * RM;
    if (tile >= N * TH * TW || m0 >= M) return;
    const int n = tile / (TW * TH), oh0 = tile / TW % TH * 2, ow0 = tile % TW * 2;
    const int ih0 = oh0 - PH, iw0 = ow0 - PW;
    float acc[RM][16];
    for (int r = 0; r < RM; r++)
        for (int t = 0; t < 16; t++) acc[r][t] = 0.0f;

    for (int c = 0; c < C; c++) {
        float v[16];
        wino_input_tile(x + (n * C + c) * H * W, ih0, iw0, H, W, v);
        __global const store_t *uc = u + c * 16 * MP + m0;
        for (int t = 0; t < 16; t++)
            for (int r = 0; r < RM; r++) acc[r][t] = XC_MAC(mad, LOAD(uc, t * MP + r), v[t], acc[r][t]);
    }
    for (int r = 0; r < RM && m0 + r < M; r++) wino_output_tile(y, res, acc[r], BIAS(m0 + r), n, m0 + r, oh0, ow0, CONV_OUT, OH, OW);
}

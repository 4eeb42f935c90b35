/* conv2d_winograd_gemm.cl — conv2d.winograd_gemm: Winograd F(2x2, 3x3) as 16 independent GEMMs
 * (3x3, stride 1, dilation 1, group 1), so the bulk of the work runs in the register-blocked
 * gemm_vec4 kernel instead of one work-item per tile:
 *   1. wino_transform_input writes V[t][c][tile] = (B^T d B)[t] of every 4x4 input patch;
 *   2. gemm_vec4 (gemm_kernels.cl, its own program, batch = the 16 points t) multiplies
 *      P[t] = U[t] (M x C, the filters transformed on the host) x V[t] (C x T4);
 *   3. wino_transform_output turns each channel's 16 products per tile into its 2x2 outputs
 *      (A^T P A) and stores them through the epilogue.
 * V and P stay float in the workspace (P at 0, V at v_off, both in elements); tiles are padded
 * to T4, a multiple of 4, so the GEMM reads them as float4s (the padding tiles are zeros). */

/* One work-item per (tile, input channel). */
__kernel void wino_transform_input(__global const store_t *x, __global float *ws, CONV_GEOM, const int T4, const int v_off)
{
    const int TW = (OW + 1) / 2, TH = (OH + 1) / 2, T = N * TH * TW;
    const int tile = get_global_id(0), c = get_global_id(1);
    if (tile >= T4 || c >= C) return;
    float v[16];
    for (int t = 0; t < 16; t++) v[t] = 0.0f;
    if (tile < T) {
        const int n = tile / (TW * TH), oh0 = tile / TW % TH * 2, ow0 = tile % TW * 2;
        wino_input_tile(x + (n * C + c) * H * W, oh0 - PH, ow0 - PW, H, W, v);
    }
    for (int t = 0; t < 16; t++) ws[v_off + (t * C + c) * T4 + tile] = v[t];
}

/* One work-item per (tile, output channel). */
__kernel void wino_transform_output(__global const float *restrict ws, __global const store_t *restrict bias,
                                    __global const store_t *restrict res, __global store_t *restrict y, CONV_GEOM,
                                    const int T4) /* restrict: see CONV_IO */
{
    const int TW = (OW + 1) / 2, TH = (OH + 1) / 2, T = N * TH * TW;
    const int tile = get_global_id(0), m = get_global_id(1);
    if (tile >= T || m >= M) return;
    float p[16];
    for (int t = 0; t < 16; t++) p[t] = ws[(t * M + m) * T4 + tile];
    wino_output_tile(y, res, p, BIAS(m), tile / (TW * TH), m, tile / TW % TH * 2, tile % TW * 2, CONV_OUT, OH, OW);
}

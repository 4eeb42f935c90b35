/* conv2d_gemm.cl — convolution as a tiled GEMM per group: Y[m, p] = W[m, k] * B[k, p] over
 * K = CG*KH*KW (see conv2d_common.cl, which comes first). A 16x16 work-group computes a TM x TN
 * output tile (output channels x output positions), each work-item a (TM/16) x (TN/16)
 * register block strided by 16 so that stores along p stay coalesced; TK-deep slices of W and
 * B are staged in local memory. Where B comes from is the tactic:
 *   CONV_B_IM2COL  conv2d.im2col_gemm: the im2col matrix conv_im2col wrote to the workspace;
 *   CONV_B_1X1     conv2d.1x1_gemm: 1x1 stride-1 unpadded convs read the input planes as is;
 *   (neither)      conv2d.implicit_gemm: gathered from the input on the fly (each work-item
 *                  keeps one column of B's tile and walks its taps, B_WALK).
 * Parameters: TM, TN (multiples of 16), TK.
 * With SPLITK=S it is conv2d.splitk_gemm (see conv2d_common.cl): a deep 3x3 or 1x1 conv on a
 * 7x7 or 14x14 map at batch 1 has few output tiles and a long K. */
#define LX 16
#define LY 16
#define RM (TM / LY)
#define RN (TN / LX)

#if defined(CONV_B_IM2COL)
#define LOAD_B(k, p) LOAD(src, (g * K + (k)) * P + (p))
#elif defined(CONV_B_1X1)
#define LOAD_B(k, p) LOAD(src, ((p) / OHW * C + g * CG + (k)) * OHW + (p) % OHW)
#elif (LX * LY) % TN == 0 && (TK * TN) % (LX * LY) == 0
#define B_WALK /* the gather walks its taps (see the kernel) */
#else
#error "conv2d.implicit_gemm: the tap walk needs TN dividing the work-group and TK x TN a multiple of it"
#endif

/* src: the input, or the im2col workspace under CONV_B_IM2COL. */
__kernel __attribute__((reqd_work_group_size(LX, LY, 1)))
void conv_gemm(CONV_IO(src, w), CONV_GEOM SPLITK_ARGS)
{
    __local float As[TK][TM];
    __local float Bs[TK][TN];
    const int CG = C / G, MG = M / G, K = CG * KH * KW, OHW = OH * OW, P = N * OHW;
#ifdef SPLITK
    /* one group: dimension 2 counts slices; slices are whole TK steps */
    const int g = 0, slice = SPLITK_SLICE(K, TK);
    const int k_begin = get_group_id(2) * slice, k_end = min(K, k_begin + slice);
#else
    const int g = get_group_id(2), k_begin = 0, k_end = K;
#endif
    const int tx = get_local_id(0), ty = get_local_id(1), lid = ty * LX + tx;
    const int m0 = get_group_id(1) * TM, p0 = get_group_id(0) * TN;
    __global const store_t *wg = w + g * MG * K;
#ifdef B_WALK
    /* a work-item always loads column bj of the B tile (p = p0 + bj: split once) at every
     * 256 / TN-th k from k_begin + lid / TN on, so its tap walks by carries (conv_tap_add) */
    const int bj = lid % TN;
    const conv_pos bpos = conv_pos_at(p0 + bj, g, C, H, W, OH, OW, SH, SW, PH, PW, CG, P);
    conv_tap tap = conv_tap_at(k_begin + lid / TN, KH, KW);
    const conv_tap step = conv_tap_at(LX * LY / TN, KH, KW);
#endif
    float acc[RM][RN];
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++) acc[i][j] = 0.0f;

    for (int k0 = k_begin; k0 < k_end; k0 += TK) {
        for (int e = lid; e < TK * TM; e += LX * LY) { /* consecutive items read consecutive k of a W row */
            const int kk = e % TK, m = m0 + e / TK, k = k0 + kk;
            As[kk][e / TK] = k < k_end && m < MG ? LOAD(wg, m * K + k) : 0.0f;
        }
#ifdef B_WALK
        for (int e = lid; e < TK * TN; e += LX * LY) { /* column bj of rows lid / TN + 256 / TN * i */
            const int o = conv_pos_offset(bpos, tap, H, W, DH, DW);
            Bs[e / TN][bj] = k0 + e / TN < k_end && o >= 0 ? LOAD(src, o) : 0.0f;
            tap = conv_tap_add(tap, step, KH, KW);
        }
#else
        for (int e = lid; e < TK * TN; e += LX * LY) { /* ... and consecutive p of a B row */
            const int kk = e / TN, p = p0 + e % TN, k = k0 + kk;
            Bs[kk][e % TN] = k < k_end && p < P ? LOAD_B(k, p) : 0.0f;
        }
#endif
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TK; kk++) {
            float a[RM], b[RN];
            for (int i = 0; i < RM; i++) a[i] = As[kk][ty + i * LY];
            for (int j = 0; j < RN; j++) b[j] = Bs[kk][tx + j * LX];
            for (int i = 0; i < RM; i++)
                for (int j = 0; j < RN; j++) acc[i][j] = XC_MAC(mad, a[i], b[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int i = 0; i < RM; i++) {
        const int m = m0 + ty + i * LY;
        if (m >= MG) continue;
#ifdef SPLITK
        for (int j = 0; j < RN; j++) {
            const int p = p0 + tx + j * LX;
            if (p < P) SPLITK_PART(get_group_id(2), m, p) = acc[i][j];
        }
#else
        const float b = BIAS(g * MG + m);
        for (int j = 0; j < RN; j++) {
            const int p = p0 + tx + j * LX;
            if (p < P) conv_store(y, res, conv_y_of(CONV_OUT, g * MG + m, p), acc[i][j] + b);
        }
#endif
    }
}

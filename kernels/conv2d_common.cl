/* conv2d_common.cl — what every conv2d tactic's program shares (it is the program's first
 * kernels file; the tactic's own file follows): the geometry arguments, the gather of one
 * input element of the implicit im2col matrix, and the epilogue.
 *
 * Layout is NCHW (1-D convs arrive with H = 1). Group g owns input channels [g*CG, (g+1)*CG)
 * and output channels [g*MG, (g+1)*MG). The im2col matrix of group g is K x P with
 * K = CG*KH*KW (k = (c, kh, kw)) and P = N*OH*OW (p = (n, oh, ow)); the weights of group g
 * are the MG x K matrix starting at w + g*MG*K, exactly ONNX's [M, C/group, KH, KW]. */

/* A conv kernel's buffers: input (the im2col workspace for some), weights, bias, residual, output.
 * restrict: a layer's output never shares a buffer with its inputs (src/ocl/memplan.c places a
 * layer's outputs before it releases what the layer read last), and saying so lets the compiler
 * issue an epilogue's residual loads ahead of its stores instead of waiting out each load's trip
 * to memory between two stores that might have changed it. */
#define CONV_IO(x, w)                                                                                                  \
    __global const store_t *restrict x, __global const store_t *restrict w, __global const store_t *restrict bias,    \
        __global const store_t *restrict res, __global store_t *restrict y

#define CONV_GEOM const int N, const int C, const int H, const int W, const int M, const int OH, const int OW, \
                  const int KH, const int KW, const int SH, const int SW, const int DH, const int DW,           \
                  const int PH, const int PW, const int G, const int YOFF, const int YIMG

/* Where a conv's outputs live in y. Output (n, channel mc, position q) is at
 * off + n * image + mc * ohw + q: image = M * OH * OW and off = 0, except where y is an in-place
 * Concat's slice at batch > 1 (src/ocl/passes/concat_elimination.c), whose images lie the
 * Concat's image apart, from the slice's channel offset on (the CONV_GEOM arguments YOFF, YIMG;
 * y is then bound as the Concat's whole output). Such a layer has no residual, so res, never
 * read, may share the index. */
typedef struct conv_out {
    int off, image, ohw;
} conv_out;
inline conv_out conv_out_of(const int YOFF, const int YIMG, const int OHW)
{
    const conv_out o = {YOFF, YIMG, OHW};
    return o;
}
#define CONV_OUT conv_out_of(YOFF, YIMG, OH * OW) /* in a kernel taking CONV_GEOM */
inline int conv_y_at(conv_out o, int n, int mc, int q) { return o.off + n * o.image + mc * o.ohw + q; }
/* output channel mc at GEMM column p = (n, q) */
inline int conv_y_of(conv_out o, int mc, int p) { return conv_y_at(o, p / o.ohw, mc, p % o.ohw); }

/* Bias of output channel m: layers without one bind some other buffer as bias, never read. */
#ifdef CONV_BIAS
#define BIAS(m) LOAD(bias, m)
#else
#define BIAS(m) 0.0f
#endif

/* A tap k = (c, kh, kw) of the window, kept split so that walking k in order needs no division
 * (conv_tap_add carries instead): the gathers' index arithmetic, not their loads, was what the
 * implicit tactics spent most of their instructions on. */
typedef struct conv_tap {
    int c, kh, kw;
} conv_tap;
inline conv_tap conv_tap_at(int k, const int KH, const int KW)
{
    const conv_tap t = {k / (KH * KW), k / KW % KH, k % KW};
    return t;
}
/* t + d taps (d: a conv_tap_at of the distance), each field kept within its extent */
inline conv_tap conv_tap_add(conv_tap t, conv_tap d, const int KH, const int KW)
{
    t.kw += d.kw;
    const int cw = t.kw >= KW;
    t.kw -= cw ? KW : 0;
    t.kh += d.kh + cw;
    const int ch = t.kh >= KH;
    t.kh -= ch ? KH : 0;
    t.c += d.c + ch;
    return t;
}

/* Element (k, p) of group g's im2col matrix: the input under tap k of output position p, or 0
 * in the padding. */
inline float conv_gather(__global const store_t *x, int g, int k, int p, const int C, const int H, const int W,
                         const int OH, const int OW, const int KH, const int KW, const int SH, const int SW,
                         const int DH, const int DW, const int PH, const int PW, const int CG)
{
    const int ow = p % OW, oh = p / OW % OH, n = p / (OW * OH);
    const int kw = k % KW, kh = k / KW % KH, c = k / (KW * KH);
    const int ih = oh * SH - PH + kh * DH, iw = ow * SW - PW + kw * DW;
    if (ih < 0 || ih >= H || iw < 0 || iw >= W) return 0.0f;
    return LOAD(x, ((n * C + g * CG + c) * H + ih) * W + iw);
}

/* A work-item's output position p kept over the whole K loop, split into (n, oh, ow) once (the
 * integer divisions by the runtime window and map sizes, per element, were most of an implicit
 * tactic's instructions), while its taps advance by carries (conv_tap_add). */
typedef struct conv_pos {
    int inside;   /* p < P (else the values are zeros) */
    int base;     /* offset of (n, g*CG, ih0, iw0) in x (1x1: of (n, g*CG, hw)); may be negative */
    int ih0, iw0; /* the window's top-left corner, padding included */
} conv_pos;

inline conv_pos conv_pos_at(int p, int g, const int C, const int H, const int W, const int OH, const int OW, const int SH,
                            const int SW, const int PH, const int PW, const int CG, const int P)
{
    conv_pos r = {p < P, 0, 0, 0};
    if (p >= P) return r;
#ifdef CONV_B_1X1
    const int OHW = OH * OW;
    r.base = ((p / OHW) * C + g * CG) * OHW + p % OHW;
#else
    const int ow = p % OW, oh = p / OW % OH, n = p / (OW * OH);
    r.ih0 = oh * SH - PH, r.iw0 = ow * SW - PW;
    r.base = (n * C + g * CG) * H * W + r.ih0 * W + r.iw0;
#endif
    return r;
}

/* The offset in x of the input under tap t of the window at `at`, or -1 in the padding and past
 * P. */
inline int conv_pos_offset(conv_pos at, conv_tap t, const int H, const int W, const int DH, const int DW)
{
    const int dh = t.kh * DH, dw = t.kw * DW, ih = at.ih0 + dh, iw = at.iw0 + dw;
    return at.inside && ih >= 0 && ih < H && iw >= 0 && iw < W ? at.base + (t.c * H + dh) * W + dw : -1;
}

/* The epilogue of one output: acc (bias included) as stored, then the residual r (read only
 * under XC_RESIDUAL: res is the residual tensor, or y itself when the layer has none), then the
 * activation. */
inline float conv_value(float acc, float r)
{
    acc = XC_H(acc); /* fp16 math: the accumulator (bias included) as half, then each epilogue step */
#ifdef XC_RESIDUAL
    acc = XC_H(acc + r);
#endif
    return xc_activate(acc);
}
#ifdef XC_RESIDUAL
#define CONV_RES(load) load
#else
#define CONV_RES(load) 0.0f
#endif

/* Output element i through the epilogue. */
inline void conv_store(__global store_t *y, __global const store_t *res, int i, float acc)
{
    STORE(y, i, conv_value(acc, CONV_RES(LOAD(res, i))));
}

/* Outputs i .. i + 3 (conv_store4) or i, i + 1 (conv_store2), adjacent in y and res and on a
 * boundary of four (two) elements in both (XC_ALIGNED4, XC_ALIGNED2): one access each. */
inline void conv_store4(__global store_t *y, __global const store_t *res, int i, float4 acc)
{
    const float4 r = CONV_RES(LOAD4A(res, i));
    STORE4A(y, i, (float4)(conv_value(acc.x, r.x), conv_value(acc.y, r.y), conv_value(acc.z, r.z), conv_value(acc.w, r.w)));
}
inline void conv_store2(__global store_t *y, __global const store_t *res, int i, float2 acc)
{
    const float2 r = CONV_RES(LOAD2A(res, i));
    STORE2A(y, i, (float2)(conv_value(acc.x, r.x), conv_value(acc.y, r.y)));
}

/* Outputs (mc, p) .. (mc, p + 3) with the bias b added, those inside P: one access where they
 * are adjacent in one image and y and res allow it (conv_store4), else one by one. */
inline void conv_store_run(__global store_t *y, __global const store_t *res, conv_out o, int mc, int p, float4 acc, float b,
                           const int P)
{
    const int i = conv_y_of(o, mc, p);
    if (p + 3 < P && p % o.ohw + 3 < o.ohw && XC_ALIGNED4(y, i) && XC_ALIGNED4(res, i)) {
        conv_store4(y, res, i, acc + b);
        return;
    }
    const float v[4] = {acc.x, acc.y, acc.z, acc.w};
    for (int c = 0; c < 4 && p + c < P; c++) conv_store(y, res, conv_y_of(o, mc, p + c), v[c] + b);
}

/* The im2col tactics' first launch (conv2d.im2col_gemm, conv2d.im2col_vec4): col[g][k][p] for
 * every group; one work-item per element, consecutive items along p. */
__kernel void conv_im2col(__global const store_t *x, __global store_t *col, CONV_GEOM)
{
    const int CG = C / G, K = CG * KH * KW, P = N * OH * OW;
    const int p = get_global_id(0), row = get_global_id(1);
    if (p >= P || row >= G * K) return;
    STORE(col, row * P + p, conv_gather(x, row / K, row % K, p, C, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PH, PW, CG));
}

/* Split-K (conv2d.splitk_gemm, conv2d.splitk_vec4, conv2d.splitk_tf32, conv2d.splitk_mma_fp16):
 * with SPLITK=S the GEMM's K loop is cut into S slices of whole tile steps, run by separate
 * work-groups, so a layer with few output tiles and a long K still fills the device. Each slice
 * writes its float partial sums (fp16 layers too) to SPLITK_PART(slice, m, p) (the workspace,
 * after the im2col matrix where there is one; m counts all M output channels, so groups share the
 * plane); conv_splitk_reduce adds them in slice order (deterministic), then applies the bias and
 * the epilogue: one work-item per output element, consecutive items along p. */
#ifdef SPLITK
#define SPLITK_ARGS , __global float *part, const int part_off
#define SPLITK_PASS , part, part_off /* SPLITK_ARGS handed on to a helper */
#define SPLITK_SLICE(K, step) ((((K) + SPLITK - 1) / SPLITK + (step) - 1) / (step) * (step))
#define SPLITK_PART(slice, m, p) part[part_off + ((long)(slice) * M + (m)) * P + (p)]

__kernel void conv_splitk_reduce(__global const store_t *bias, __global const store_t *res, __global store_t *y,
                                 CONV_GEOM SPLITK_ARGS)
{
    const int OHW = OH * OW, P = N * OHW, p = get_global_id(0), m = get_global_id(1);
    if (p >= P || m >= M) return;
    float acc = BIAS(m);
    for (int s = 0; s < SPLITK; s++) acc = XC_HSUM(acc + SPLITK_PART(s, m, p));
    conv_store(y, res, conv_y_of(CONV_OUT, m, p), acc);
}
#else
#define SPLITK_ARGS
#define SPLITK_PASS
#endif

/* Winograd F(2x2, 3x3), shared by conv2d.winograd_f2x2_3x3 and conv2d.winograd_gemm. The 4x4
 * input patch at (ih0, iw0) of plane xp (zeros in the padding), transformed: V = B^T d B
 * (additions only). */
inline void wino_input_tile(__global const store_t *xp, int ih0, int iw0, const int H, const int W, float v[16])
{
    float d[4][4], s[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            const int ih = ih0 + i, iw = iw0 + j;
            d[i][j] = ih >= 0 && ih < H && iw >= 0 && iw < W ? LOAD(xp, ih * W + iw) : 0.0f;
        }
    for (int j = 0; j < 4; j++) { /* rows: B^T d */
        s[0][j] = d[0][j] - d[2][j];
        s[1][j] = d[1][j] + d[2][j];
        s[2][j] = d[2][j] - d[1][j];
        s[3][j] = d[1][j] - d[3][j];
    }
    for (int i = 0; i < 4; i++) { /* columns: (B^T d) B */
        v[i * 4 + 0] = s[i][0] - s[i][2];
        v[i * 4 + 1] = s[i][1] + s[i][2];
        v[i * 4 + 2] = s[i][2] - s[i][1];
        v[i * 4 + 3] = s[i][1] - s[i][3];
    }
}

/* The 2x2 output tile Y = A^T M A of one output channel's 16 products m, plus b, stored
 * through the epilogue at (n, mc, oh0.., ow0..) where inside the output. */
inline void wino_output_tile(__global store_t *y, __global const store_t *res, const float m[16], float b, int n, int mc,
                             int oh0, int ow0, conv_out o, const int OH, const int OW)
{
    float a[2][4]; /* A^T M */
    for (int j = 0; j < 4; j++) {
        a[0][j] = m[j] + m[4 + j] + m[8 + j];
        a[1][j] = m[4 + j] - m[8 + j] - m[12 + j];
    }
    for (int i = 0; i < 2 && oh0 + i < OH; i++) { /* (A^T M) A */
        const float out[2] = {a[i][0] + a[i][1] + a[i][2], a[i][1] - a[i][2] - a[i][3]};
        for (int j = 0; j < 2 && ow0 + j < OW; j++) conv_store(y, res, conv_y_at(o, n, mc, (oh0 + i) * OW + ow0 + j), out[j] + b);
    }
}

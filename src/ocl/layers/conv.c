/* conv.c — the conv layer kind: ONNX Conv over one or two spatial axes (1-D convs run as
 * H = 1), float32, constant weights and bias, any group, stride, dilation, pads or auto_pad
 * (the geometry is the reference's own: xc_window_forward). Every tactic ends in the same
 * epilogue: bias, the residual (conv_residual pass), the activation (conv_bias_act pass).
 *
 * Tactics (kernels/conv2d_*.cl, each program prefixed by conv2d_common.cl):
 *   conv2d.direct                 one work-item per output element (the baseline);
 *   conv2d.im2col_gemm.<tile>     im2col into the workspace, then the tiled GEMM;
 *   conv2d.1x1_gemm.<tile>        1x1 stride-1 unpadded: the tiled GEMM on the input as is;
 *   conv2d.implicit_gemm.<tile>   the tiled GEMM gathering im2col elements on the fly;
 *   conv2d.{im2col,1x1,implicit}_vec4.<tile>  the same three B sources under the GEMM kernel
 *                                 built like gemm.vec4 (contiguous register blocks, float4
 *                                 reads, the next slice prefetched into registers);
 *   conv2d.splitk_gemm.<tile>.s<S> the GEMM with K cut into S slices (partials in the
 *                                 workspace, then a reduce): few output tiles, long K;
 *   conv2d.splitk_vec4.<tile>.s<S> the same with the vec4 kernel (B: 1x1 or gathered);
 *   conv2d.splitk_im2col_vec4.<tile>.s<S>  ... with B from the im2col workspace;
 *   conv2d.depthwise.<vw>         group == C == M, VW outputs of a row per work-item;
 *   conv2d.winograd_f2x2_3x3.<rm> 3x3 stride 1, weights transformed on the host;
 *   conv2d.winograd_gemm.<tile>   the same transform as 16 batched GEMMs (input transform,
 *                                 gemm_vec4, output transform);
 *   conv2d.winograd_gemm_tf32.<t> the same with the GEMMs on TF32 tensor cores (gemm.tf32's kernel;
 *                                 NVIDIA compute capability >= 8.0 only, see xc_engine_tf32);
 *   conv2d.winograd_gemm_tf32_async.<t> ... on gemm.tf32_async's cp.async kernel and tiles;
 *   conv2d.{1x1,implicit}_tf32.<t> the conv GEMM itself on TF32 tensor cores (1x1 reads the input
 *                                 as B, implicit gathers it: any window, stride, group; same
 *                                 devices; kernels/conv2d_mma.cl);
 *   conv2d.{1x1,implicit}_mma_fp16.<t> the same on f16 tensor cores with fp32 accumulation, for
 *                                 --fp16 layers (xc_layer_mma_fp16);
 *   conv2d.1x1_{tf32,mma_fp16}_async.<t> 1x1 convs on those tensor cores with the tiles copied by
 *                                 cp.async through 2-4 local stages (gemm's async tiles);
 *   conv2d.splitk_{tf32,mma_fp16}.<t>.s<S> the tensor-core conv GEMM (1x1 or gathered B, any group)
 *                                 with K cut into S slices, then conv_splitk_reduce, as
 *                                 conv2d.splitk_gemm: late stages of batched inference. */
#include "ocl/engine.h"
#include "ocl/program.h"
#include "ops/conv_geom.h"
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The geometry every conv kernel takes as arguments (CONV_GEOM in conv2d_common.cl), in order;
 * yoff and yimg place the output (conv_out there). */
typedef struct conv_geom {
    int n, c, h, w, m, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw, g, yoff, yimg;
} conv_geom;

static int fits_int(const xc_etensor *t) { return xc_et_numel(t) < (size_t)INT_MAX; }

/* The geometry of layer l, lifted to two spatial axes; 0 when the node is malformed. */
static int conv_geometry(const xc_engine *e, const xc_layer *l, conv_geom *q)
{
    const xc_etensor *x = &e->tensors[l->in[0]], *wt = &e->tensors[l->in[1]];
    int nsp = x->rank - 2;
    xc_window win;
    if (xc_window_forward(l->node, nsp, x->dims + 2, wt->dims + 2, &win) != XC_OK) {
        xc_error_clear();
        return 0;
    }
    xc_window_lift(&win, 2);
    *q = (conv_geom){(int)x->dims[0],
                     (int)x->dims[1],
                     (int)win.in[0],
                     (int)win.in[1],
                     (int)wt->dims[0],
                     (int)win.out[0],
                     (int)win.out[1],
                     (int)win.kernel[0],
                     (int)win.kernel[1],
                     (int)win.stride[0],
                     (int)win.stride[1],
                     (int)win.dilation[0],
                     (int)win.dilation[1],
                     (int)win.pad_begin[0],
                     (int)win.pad_begin[1],
                     (int)xc_attr_int(l->node, "group", 1),
                     0,
                     0};
    /* a strided slice (concat_elimination checks the root's size fits an int) is bound as its
     * root and placed by the kernel; anything else from its buffer's start */
    size_t image, off = xc_engine_slice_offset(e, l->out[0], &image);
    q->yoff = image ? (int)off : 0;
    q->yimg = image ? (int)image : q->m * q->oh * q->ow;
    return 1;
}

static int is_float(const xc_engine *e, int t) { return t >= 0 && e->tensors[t].dtype == XC_FLOAT; }

static int bias_tensor(const xc_layer *l) { return l->n_in > 2 ? l->in[2] : -1; }

static int accepts(const xc_engine *e, const xc_layer *l)
{
    if (strcmp(l->node->op_type, "Conv") || l->node->domain[0] || l->n_out != 1 || l->n_in < 2) return 0;
    if (!is_float(e, l->in[0]) || !is_float(e, l->in[1]) || !is_float(e, l->out[0])) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]], *wt = &e->tensors[l->in[1]], *y = &e->tensors[l->out[0]];
    int b = bias_tensor(l);
    if (x->value || !wt->value || (x->rank != 3 && x->rank != 4) || wt->rank != x->rank || y->rank != x->rank) return 0;
    if (b >= 0 && (!is_float(e, b) || !e->tensors[b].value || xc_et_numel(&e->tensors[b]) != (size_t)wt->dims[0])) return 0;
    if (!fits_int(x) || !fits_int(wt) || !fits_int(y)) return 0;
    conv_geom q;
    if (!conv_geometry(e, l, &q) || q.g < 1 || q.c % q.g || q.m % q.g || wt->dims[1] * q.g != q.c) return 0;
    int64_t oh = x->rank == 4 ? y->dims[2] : 1; /* 1-D: H = 1 */
    return y->dims[0] == q.n && y->dims[1] == q.m && oh == q.oh && y->dims[x->rank - 1] == q.ow;
}

/* The CONV_GEOM arguments. */
static void launch_geometry(xc_launch *k, const conv_geom *q)
{
    const int v[] = {q->n,  q->c,  q->h,  q->w,  q->m,  q->oh, q->ow, q->kh,   q->kw,
                     q->sh, q->sw, q->dh, q->dw, q->ph, q->pw, q->g,  q->yoff, q->yimg};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) xc_launch_int(k, v[i]);
}

/* Binds (bias, res, y, geometry), the tail every conv kernel's arguments end with. */
static xc_status bind_epilogue(xc_engine *e, xc_layer *l, xc_launch *k, const conv_geom *q)
{
    if (bias_tensor(l) >= 0)
        XC_TRY(xc_launch_input(e, l, k, bias_tensor(l)));
    else
        xc_launch_tensor(k, l->out[0]); /* never read without CONV_BIAS: y stands in */
    if (l->residual >= 0) {             /* never read without XC_RESIDUAL: y stands in */
        int r = xc_layer_find_input(e, l, l->residual);
        if (r < 0) return xc_fail(XC_ERR_INTERNAL, "layer '%s': residual input not wired", l->name);
        XC_TRY(xc_launch_input(e, l, k, l->in[r]));
    } else {
        xc_launch_tensor(k, l->out[0]);
    }
    xc_launch_tensor(k, l->out[0]);
    launch_geometry(k, q);
    return XC_OK;
}

/* Binds (src, w, bias, res, y, geometry): the layout every conv kernel but conv_im2col and
 * conv_splitk_reduce takes. src is the input, or the workspace (from_workspace); w is the
 * layer's weights, or the engine weight buffer `transformed` when >= 0. */
static xc_status bind_conv(xc_engine *e, xc_layer *l, xc_launch *k, int from_workspace, int transformed, const conv_geom *q)
{
    if (from_workspace)
        xc_launch_workspace(k);
    else
        XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    if (transformed >= 0)
        xc_launch_weight(k, transformed);
    else
        XC_TRY(xc_launch_input(e, l, k, l->in[1]));
    return bind_epilogue(e, l, k, q);
}

/* Builds conv2d_common.cl + body with the variant's defines plus extra. */
static xc_status conv_program_source(xc_engine *e, xc_layer *l, const char *body, const char *defines, const char *extra,
                                     cl_program *p)
{
    char opts[512];
    snprintf(opts, sizeof opts, "%s %s%s", defines ? defines : "", extra, bias_tensor(l) >= 0 ? " -DCONV_BIAS" : "");
    return xc_layer_program(e, l, "conv2d_common.cl", body, opts, p);
}

/* Builds conv2d_common.cl + kernels/<file> with the variant's defines plus extra. */
static xc_status conv_program(xc_engine *e, xc_layer *l, const char *file, const char *defines, const char *extra, cl_program *p)
{
    const char *body = xc_kernel_source(file);
    if (!body) return xc_fail(XC_ERR_INTERNAL, "kernel source kernels/%s is not embedded", file);
    return conv_program_source(e, l, body, defines, extra, p);
}

/* Geometry and a clean slate for a tactic's prepare (the tuner prepares one layer many times). */
static xc_status begin(const xc_engine *e, xc_layer *l, conv_geom *q)
{
    l->workspace = 0;
    if (!conv_geometry(e, l, q)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': conv geometry", l->name);
    /* the epilogue reads a residual at the output's index (conv_out): concat_elimination never
     * makes a strided slice of a layer with one */
    if (l->residual >= 0 && q->yimg != q->m * q->oh * q->ow)
        return xc_fail(XC_ERR_INTERNAL, "layer '%s': a residual into a strided Concat slice", l->name);
    return XC_OK;
}

static int cg_of(const conv_geom *q) { return q->c / q->g; }
static int mg_of(const conv_geom *q) { return q->m / q->g; }
static size_t gemm_k(const conv_geom *q) { return (size_t)cg_of(q) * q->kh * q->kw; }
static size_t gemm_p(const conv_geom *q) { return (size_t)q->n * q->oh * q->ow; }
/* The workspace bytes of `slices` float partial-sum planes (M x P each; partials stay float under
 * fp16). */
static size_t splitk_bytes(const conv_geom *q, size_t slices) { return slices * (size_t)q->m * gemm_p(q) * sizeof(float); }

/* ---- conv2d.direct ---- */

/* The one-launch tactics (direct, depthwise): geometry, program, the launch bound to
 * (x, w, bias, res, y, geometry); the caller sets its range. */
static xc_status single_launch(xc_engine *e, xc_layer *l, const char *file, const char *kernel, const char *defines, conv_geom *q,
                               xc_launch **out)
{
    cl_program p;
    XC_TRY(begin(e, l, q));
    XC_TRY(conv_program(e, l, file, defines, "", &p));
    xc_launch *k = xc_layer_add_launch(l, p, kernel);
    if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
    *out = k;
    return bind_conv(e, l, k, 0, -1, q);
}

static xc_status direct_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    conv_geom q;
    xc_launch *k;
    XC_TRY(single_launch(e, l, "conv2d_direct.cl", "conv_direct", defines, &q, &k));
    size_t global = xc_round_up(xc_et_numel(&e->tensors[l->out[0]]), XC_WG_DEFAULT), local = XC_WG_DEFAULT;
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static const xc_tactic direct = {"conv2d.direct", NULL, NULL, direct_prepare, NULL};

/* ---- the GEMM tactics (kernels/conv2d_gemm.cl) ---- */

#define TILE(tm, tn)                                                                                                             \
    {                                                                                                                            \
#tm "x" #tn, "-DTM=" #tm " -DTN=" #tn " -DTK=16"                                                                         \
    }
/* 128-wide tiles (8x8 or 8x4 outputs per work-item) double the arithmetic per staged element:
 * they pay off on the big GEMMs of batched inference, the small ones on small maps. */
static const xc_variant gemm_tiles[] = {TILE(128, 128), TILE(128, 64), TILE(64, 128), TILE(64, 64),
                                        TILE(32, 64),   TILE(32, 32),  {NULL, NULL}};
static const xc_variant gemm_tiles_few[] = {TILE(128, 128), TILE(64, 128), TILE(64, 64), TILE(32, 32), {NULL, NULL}};

/* Where the GEMM's B matrix comes from: the extra define the GEMM kernels select it by. */
typedef enum { B_IMPLICIT, B_IM2COL, B_1X1 } gemm_source;

/* The two GEMM kernels: conv_gemm (16x16 work-groups, TM x TN tiles) and conv_gemm_vec4
 * ((BN/RN) x (BM/RM) work-groups, BM x BN tiles). */
typedef enum { KERNEL_STRIDED, KERNEL_VEC4 } gemm_kernel;

static int is_1x1(const conv_geom *q)
{
    return q->kh == 1 && q->kw == 1 && q->sh == 1 && q->sw == 1 && q->ph == 0 && q->pw == 0 && q->oh == q->h && q->ow == q->w;
}

/* conv_gemm_vec4's extra defines: which operands it may read as float4s (see its file). */
static void vec4_defines(const conv_geom *q, gemm_source src, char *out, size_t size)
{
    int b_vec = (src == B_IM2COL && gemm_p(q) % 4 == 0) || (src == B_1X1 && (q->oh * q->ow) % 4 == 0);
    snprintf(out, size, "%s%s", gemm_k(q) % 4 == 0 ? " -DA_VEC" : "", b_vec ? " -DB_VEC" : "");
}

/* SPLITK_ARGS (conv2d_common.cl): the workspace, and where the partial planes start in it. */
static void bind_partials(xc_launch *k, size_t part_bytes)
{
    xc_launch_workspace(k);
    xc_launch_int(k, (int)(part_bytes / sizeof(float)));
}

/* The split-K tactics' last launch (program p, built with SPLITK): conv_splitk_reduce adds the
 * partial planes (at part_bytes in the workspace) and applies the layer's epilogue. */
static xc_status add_splitk_reduce(xc_engine *e, xc_layer *l, cl_program p, const conv_geom *q, size_t part_bytes)
{
    xc_launch *k = xc_layer_add_launch(l, p, "conv_splitk_reduce");
    if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
    XC_TRY(bind_epilogue(e, l, k, q));
    bind_partials(k, part_bytes);
    size_t global[2] = {xc_round_up(gemm_p(q), XC_WG_DEFAULT), (size_t)q->m}, local[2] = {XC_WG_DEFAULT, 1};
    xc_launch_range(k, 2, global, local);
    return XC_OK;
}

/* Every GEMM tactic: conv_im2col first where B is the im2col matrix, the GEMM kernel, and with
 * SPLITK=S in the defines (one group) conv_splitk_reduce after it. The workspace holds the
 * im2col matrix, then the S float partial-sum planes. */
static xc_status gemm_prepare(xc_engine *e, xc_layer *l, const char *defines, gemm_source src, gemm_kernel kind)
{
    static const char *const select[] = {"", "-DCONV_B_IM2COL", "-DCONV_B_1X1"};
    conv_geom q;
    cl_program p;
    char extra[64] = "", opts[96];
    XC_TRY(begin(e, l, &q));
    if (kind == KERNEL_VEC4) vec4_defines(&q, src, extra, sizeof extra);
    snprintf(opts, sizeof opts, "%s%s", select[src], extra);
    XC_TRY(conv_program(e, l, kind == KERNEL_VEC4 ? "conv2d_gemm_vec4.cl" : "conv2d_gemm.cl", defines, opts, &p));
    size_t slices = (size_t)xc_define_int(defines, "SPLITK", 0);
    size_t col_bytes = src == B_IM2COL ? xc_round_up((size_t)q.g * gemm_k(&q) * gemm_p(&q) * (l->fp16 ? 2 : 4), 16) : 0;
    l->workspace = col_bytes + splitk_bytes(&q, slices);
    if (src == B_IM2COL) {
        xc_launch *k = xc_layer_add_launch(l, p, "conv_im2col");
        XC_TRY(xc_launch_input(e, l, k, l->in[0]));
        xc_launch_workspace(k);
        launch_geometry(k, &q);
        size_t global[2] = {xc_round_up(gemm_p(&q), XC_WG_DEFAULT), (size_t)q.g * gemm_k(&q)}, local[2] = {XC_WG_DEFAULT, 1};
        xc_launch_range(k, 2, global, local);
    }
    xc_launch *k = xc_layer_add_launch(l, p, kind == KERNEL_VEC4 ? "conv_gemm_vec4" : "conv_gemm");
    XC_TRY(bind_conv(e, l, k, src == B_IM2COL, -1, &q));
    if (slices) bind_partials(k, col_bytes);
    /* tile (tm x tn outputs) and work-group (wx x wy work-items) */
    size_t tm, tn, wx = 16, wy = 16;
    if (kind == KERNEL_VEC4) {
        tm = (size_t)xc_define_int(defines, "BM", 0), tn = (size_t)xc_define_int(defines, "BN", 0);
        size_t rm = (size_t)xc_define_int(defines, "RM", 0), rn = (size_t)xc_define_int(defines, "RN", 0);
        if (!rm || !rn) return xc_fail(XC_ERR_INTERNAL, "conv vec4 variant without RM/RN");
        wx = tn / rn, wy = tm / rm;
    } else {
        tm = (size_t)xc_define_int(defines, "TM", 0), tn = (size_t)xc_define_int(defines, "TN", 0);
    }
    if (!tm || !tn || !wx || !wy) return xc_fail(XC_ERR_INTERNAL, "conv gemm variant without its tile sizes");
    size_t global[3] = {(gemm_p(&q) + tn - 1) / tn * wx, ((size_t)mg_of(&q) + tm - 1) / tm * wy, slices ? slices : (size_t)q.g};
    size_t local[3] = {wx, wy, 1};
    xc_launch_range(k, 3, global, local);
    return slices ? add_splitk_reduce(e, l, p, &q, col_bytes) : XC_OK;
}

/* One input and one output channel per group: a GEMM would multiply 1-row matrices. */
static int is_channelwise(const conv_geom *q) { return cg_of(q) == 1 && mg_of(q) == 1; }

static int implicit_applicable(const xc_engine *e, const xc_layer *l)
{
    conv_geom q;
    return conv_geometry(e, l, &q) && !is_channelwise(&q);
}

/* im2col pays off for real windows only (1x1 has its own tactic) and needs a bounded workspace. */
static int im2col_applicable(const xc_engine *e, const xc_layer *l)
{
    conv_geom q;
    return conv_geometry(e, l, &q) && !is_channelwise(&q) && !is_1x1(&q)
           && (size_t)q.g * gemm_k(&q) * gemm_p(&q) * 4 <= ((size_t)1 << 28);
}

static int pointwise_applicable(const xc_engine *e, const xc_layer *l)
{
    conv_geom q;
    return conv_geometry(e, l, &q) && is_1x1(&q);
}

static xc_status implicit_prepare(xc_engine *e, xc_layer *l, const char *d)
{
    return gemm_prepare(e, l, d, B_IMPLICIT, KERNEL_STRIDED);
}
static xc_status im2col_prepare(xc_engine *e, xc_layer *l, const char *d)
{
    return gemm_prepare(e, l, d, B_IM2COL, KERNEL_STRIDED);
}
static xc_status pointwise_prepare(xc_engine *e, xc_layer *l, const char *d)
{
    return gemm_prepare(e, l, d, B_1X1, KERNEL_STRIDED);
}
static xc_status implicit_vec4_prepare(xc_engine *e, xc_layer *l, const char *d)
{
    return gemm_prepare(e, l, d, B_IMPLICIT, KERNEL_VEC4);
}
static xc_status im2col_vec4_prepare(xc_engine *e, xc_layer *l, const char *d)
{
    return gemm_prepare(e, l, d, B_IM2COL, KERNEL_VEC4);
}
static xc_status pointwise_vec4_prepare(xc_engine *e, xc_layer *l, const char *d)
{
    return gemm_prepare(e, l, d, B_1X1, KERNEL_VEC4);
}

/* conv_gemm_vec4's tiles: BM x BN x BK, RM x RN outputs per work-item (128 or 256 work-items);
 * 16 x 8 blocks are what gemm.vec4 reaches its best SGEMM rate with. */
#define VTILE(bm, bn, bk, rm, rn)                                                                                                \
    {                                                                                                                            \
#bm "x" #bn "x" #bk "." #rm "x" #rn, "-DBM=" #bm " -DBN=" #bn " -DBK=" #bk " -DRM=" #rm " -DRN=" #rn                     \
    }
static const xc_variant vec4_tiles[] = {VTILE(256, 128, 8, 16, 8),
                                        VTILE(128, 128, 8, 16, 8),
                                        VTILE(128, 128, 8, 8, 8),
                                        VTILE(128, 64, 8, 8, 8),
                                        VTILE(64, 128, 8, 8, 8),
                                        VTILE(64, 64, 8, 4, 8),
                                        {NULL, NULL}};
/* On CPU devices (tuner.c): the smallest tile only. */
static const xc_variant vec4_tiles_cpu[] = {VTILE(64, 64, 8, 4, 8), {NULL, NULL}};
static const xc_tactic im2col_vec4 = {"conv2d.im2col_vec4", im2col_applicable, vec4_tiles, im2col_vec4_prepare, vec4_tiles_cpu};
static const xc_tactic pointwise_vec4 = {"conv2d.1x1_vec4", pointwise_applicable, vec4_tiles, pointwise_vec4_prepare,
                                         vec4_tiles_cpu};
static const xc_tactic implicit_vec4 = {"conv2d.implicit_vec4", implicit_applicable, vec4_tiles, implicit_vec4_prepare,
                                        vec4_tiles_cpu};

static const xc_tactic im2col = {"conv2d.im2col_gemm", im2col_applicable, gemm_tiles_few, im2col_prepare, NULL};

/* ---- the split-K tactics ---- */

#define SPLITK_MAX 16
#define SPLITK_MAX_TILES 256 /* more output tiles than this fill the device anyway */
#define SPLITK_MAX_WORKSPACE ((size_t)64 << 20)

/* Split-K pays off where a long K (per group) meets too few output tiles (of size tile x tile, all
 * groups') to fill the device; the partials of max_slices slices must fit SPLITK_MAX_WORKSPACE.
 * grouped: the kernel takes any group (else one only). */
static int splitk_fits(const xc_engine *e, const xc_layer *l, size_t tile, size_t min_k, size_t max_slices, int grouped)
{
    conv_geom q;
    if (!conv_geometry(e, l, &q) || (q.g != 1 && !grouped) || gemm_k(&q) < min_k) return 0;
    size_t tiles = (size_t)q.g * ((gemm_p(&q) + tile - 1) / tile) * (((size_t)mg_of(&q) + tile - 1) / tile);
    return tiles <= SPLITK_MAX_TILES && splitk_bytes(&q, max_slices) <= SPLITK_MAX_WORKSPACE;
}

static int splitk_applicable(const xc_engine *e, const xc_layer *l) { return splitk_fits(e, l, 32, 256, SPLITK_MAX, 0); }

/* The vec4 kernel's tiles are 64 to 128 wide: batched layers with 256-512 channels on 7x7 to
 * 14x14 maps still leave SMs idle at those sizes. */
static int splitk_vec4_applicable(const xc_engine *e, const xc_layer *l) { return splitk_fits(e, l, 64, 512, 8, 0); }

static xc_status splitk_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    conv_geom q;
    XC_TRY(begin(e, l, &q));
    return gemm_prepare(e, l, defines, is_1x1(&q) ? B_1X1 : B_IMPLICIT, KERNEL_STRIDED);
}

static xc_status splitk_vec4_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    conv_geom q;
    XC_TRY(begin(e, l, &q));
    return gemm_prepare(e, l, defines, is_1x1(&q) ? B_1X1 : B_IMPLICIT, KERNEL_VEC4);
}

static int splitk_im2col_vec4_applicable(const xc_engine *e, const xc_layer *l)
{
    return splitk_vec4_applicable(e, l) && im2col_applicable(e, l);
}

static xc_status splitk_im2col_vec4_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return gemm_prepare(e, l, defines, B_IM2COL, KERNEL_VEC4);
}

#define SPLIT(tm, tn, s)                                                                                                         \
    {                                                                                                                            \
#tm "x" #tn ".s" #s, "-DTM=" #tm " -DTN=" #tn " -DTK=16 -DSPLITK=" #s                                                    \
    }
static const xc_variant splitk_variants[] = {SPLIT(32, 32, 4), SPLIT(32, 32, 8), SPLIT(32, 32, 16),
                                             SPLIT(64, 64, 4), SPLIT(64, 64, 8), {NULL, NULL}};
static const xc_tactic splitk = {"conv2d.splitk_gemm", splitk_applicable, splitk_variants, splitk_prepare, NULL};

#define VSPLIT(bm, bn, rm, rn, s)                                                                                                \
    {                                                                                                                            \
#bm "x" #bn "x8." #rm "x" #rn ".s" #s, "-DBM=" #bm " -DBN=" #bn " -DBK=8 -DRM=" #rm " -DRN=" #rn " -DSPLITK=" #s         \
    }
static const xc_variant splitk_vec4_variants[] = {VSPLIT(128, 128, 16, 8, 2),
                                                  VSPLIT(128, 128, 8, 8, 2),
                                                  VSPLIT(64, 128, 8, 8, 2),
                                                  VSPLIT(64, 128, 8, 8, 4),
                                                  VSPLIT(64, 64, 4, 8, 4),
                                                  VSPLIT(64, 64, 4, 8, 8),
                                                  {NULL, NULL}};
static const xc_variant splitk_vec4_cpu[] = {VSPLIT(64, 64, 4, 8, 4), {NULL, NULL}};
static const xc_tactic splitk_vec4 = {"conv2d.splitk_vec4", splitk_vec4_applicable, splitk_vec4_variants, splitk_vec4_prepare,
                                      splitk_vec4_cpu};
static const xc_tactic splitk_im2col_vec4 = {"conv2d.splitk_im2col_vec4", splitk_im2col_vec4_applicable, splitk_vec4_variants,
                                             splitk_im2col_vec4_prepare, splitk_vec4_cpu};
static const xc_tactic pointwise = {"conv2d.1x1_gemm", pointwise_applicable, gemm_tiles_few, pointwise_prepare, NULL};
static const xc_tactic implicit = {"conv2d.implicit_gemm", implicit_applicable, gemm_tiles, implicit_prepare, NULL};

/* ---- conv2d.depthwise ---- */

static int depthwise_applicable(const xc_engine *e, const xc_layer *l)
{
    conv_geom q;
    return conv_geometry(e, l, &q) && q.g == q.c && q.g == q.m;
}

static xc_status depthwise_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    conv_geom q;
    xc_launch *k;
    XC_TRY(single_launch(e, l, "conv2d_depthwise.cl", "conv_depthwise", defines, &q, &k));
    size_t vw = (size_t)xc_define_int(defines, "VW", 0);
    size_t global[3] = {((size_t)q.ow + vw - 1) / vw, (size_t)q.oh, (size_t)q.n * q.c};
    xc_launch_range(k, 3, global, NULL);
    return XC_OK;
}

static const xc_variant depthwise_widths[] = {{"2", "-DVW=2"}, {"4", "-DVW=4"}, {NULL, NULL}};
static const xc_tactic depthwise = {"conv2d.depthwise", depthwise_applicable, depthwise_widths, depthwise_prepare, NULL};

/* ---- conv2d.winograd_f2x2_3x3 ---- */

#define WINO_MPAD 8 /* output channels padded to a multiple of every RM variant */

static int winograd_applicable(const xc_engine *e, const xc_layer *l)
{
    conv_geom q;
    return conv_geometry(e, l, &q) && q.kh == 3 && q.kw == 3 && q.sh == 1 && q.sw == 1 && q.dh == 1 && q.dw == 1 && q.g == 1;
}

/* U = G g G^T of one 3x3 filter, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. */
static void winograd_filter(const float *g, float u[16])
{
    static const float G[4][3] = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
    float t[4][3];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) t[i][j] = G[i][0] * g[j] + G[i][1] * g[3 + j] + G[i][2] * g[6 + j];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) u[i * 4 + j] = t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2];
}

/* The transformed weights u[c][t][m] of layer l's filters (as half for fp16 layers), uploaded
 * once per layer and precision whatever the variant (RM). */
static xc_status winograd_weights(xc_engine *e, const xc_layer *l, const conv_geom *q, int *index)
{
    char key[300];
    snprintf(key, sizeof key, "winograd:%d:%s:%d", (int)(l - e->layers), l->name, l->fp16);
    xc_engine_find_derived(e, key, index);
    if (*index >= 0) return XC_OK;
    size_t mp = (size_t)(q->m + WINO_MPAD - 1) / WINO_MPAD * WINO_MPAD, n = (size_t)q->c * 16 * mp;
    float *u = calloc(n, sizeof *u);
    if (!u) return xc_fail(XC_ERR_NOMEM, "out of memory");
    const float *w = xc_et_const_f32(&e->tensors[l->in[1]]);
    for (int m = 0; m < q->m; m++)
        for (int c = 0; c < q->c; c++) {
            float t[16];
            winograd_filter(w + ((size_t)m * q->c + c) * 9, t);
            for (int k = 0; k < 16; k++) u[((size_t)c * 16 + k) * mp + m] = t[k];
        }
    uint16_t *h = l->fp16 ? malloc(n * sizeof *h) : NULL;
    xc_status s = l->fp16 && !h ? xc_fail(XC_ERR_NOMEM, "out of memory") : XC_OK;
    for (size_t i = 0; h && i < n; i++) h[i] = xc_engine_half_bits(e, u[i]);
    if (s == XC_OK)
        s = h ? xc_engine_add_derived(e, l, key, h, n * sizeof *h, index)
              : xc_engine_add_derived(e, l, key, u, n * sizeof *u, index);
    free(h);
    free(u);
    return s;
}

static xc_status winograd_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    conv_geom q;
    cl_program p;
    char extra[32];
    int u;
    XC_TRY(begin(e, l, &q));
    snprintf(extra, sizeof extra, "-DWINO_MPAD=%d", WINO_MPAD);
    XC_TRY(conv_program(e, l, "conv2d_winograd.cl", defines, extra, &p));
    XC_TRY(winograd_weights(e, l, &q, &u));
    xc_launch *k = xc_layer_add_launch(l, p, "conv_winograd");
    XC_TRY(bind_conv(e, l, k, 0, u, &q));
    size_t rm = (size_t)xc_define_int(defines, "RM", 0), tiles = (size_t)q.n * ((q.oh + 1) / 2) * ((q.ow + 1) / 2);
    size_t global[2] = {xc_round_up(tiles, XC_WG_DEFAULT), ((size_t)q.m + rm - 1) / rm}, local[2] = {XC_WG_DEFAULT, 1};
    xc_launch_range(k, 2, global, local);
    return XC_OK;
}

static const xc_variant winograd_blocks[] = {{"4", "-DRM=4"}, {"8", "-DRM=8"}, {NULL, NULL}};
static const xc_tactic winograd = {"conv2d.winograd_f2x2_3x3", winograd_applicable, winograd_blocks, winograd_prepare, NULL};

/* ---- conv2d.winograd_gemm (kernels/conv2d_winograd_gemm.cl, then gemm_vec4) ---- */

#define WINO_GEMM_MAX_WORKSPACE ((size_t)1 << 29)

/* Output tiles, padded to a multiple of 4 (the GEMM reads them as float4s). */
static size_t wino_tiles4(const conv_geom *q) { return xc_round_up((size_t)q->n * ((q->oh + 1) / 2) * ((q->ow + 1) / 2), 4); }

static size_t wino_gemm_workspace(const conv_geom *q) { return 16 * ((size_t)q->m + q->c) * wino_tiles4(q) * sizeof(float); }

/* C % 4: the GEMM reads U's rows (length C) as float4s too. */
static int winograd_gemm_applicable(const xc_engine *e, const xc_layer *l)
{
    conv_geom q;
    return winograd_applicable(e, l) && conv_geometry(e, l, &q) && q.c % 4 == 0
           && wino_gemm_workspace(&q) <= WINO_GEMM_MAX_WORKSPACE;
}

/* U[t][m][c], float whatever the layer's precision (the GEMM program works in float). */
static xc_status winograd_gemm_weights(xc_engine *e, const xc_layer *l, const conv_geom *q, int *index)
{
    char key[300];
    snprintf(key, sizeof key, "winograd_gemm:%d:%s", (int)(l - e->layers), l->name);
    xc_engine_find_derived(e, key, index);
    if (*index >= 0) return XC_OK;
    size_t mc = (size_t)q->m * q->c;
    float *u = malloc(16 * mc * sizeof *u);
    if (!u) return xc_fail(XC_ERR_NOMEM, "out of memory");
    const float *w = xc_et_const_f32(&e->tensors[l->in[1]]);
    for (size_t i = 0; i < mc; i++) {
        float t[16];
        winograd_filter(w + i * 9, t);
        for (int k = 0; k < 16; k++) u[k * mc + i] = t[k];
    }
    xc_status s = xc_engine_add_derived(e, l, key, u, 16 * mc * sizeof *u, index);
    free(u);
    return s;
}

static xc_status winograd_gemm_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    conv_geom q;
    cl_program transforms, gemm;
    int u;
    XC_TRY(begin(e, l, &q));
    size_t t4 = wino_tiles4(&q), v_off = 16 * (size_t)q.m * t4;
    int bm = xc_define_int(defines, "BM", 0), bn = xc_define_int(defines, "BN", 0), rm = xc_define_int(defines, "RM", 0),
        rn = xc_define_int(defines, "RN", 0);
    /* winograd_gemm_tf32: the GEMM is gemm.tf32's kernel (kernels/mma_core.cl + gemm_mma.cl), warps of 32 */
    int tf32 = strstr(defines, "-DGEMM_TF32") != NULL,
        warps = xc_define_int(defines, "WARPS_M", 0) * xc_define_int(defines, "WARPS_N", 0);
    if (!bm || !bn || (tf32 ? !warps : !rm || !rn))
        return xc_fail(XC_ERR_INTERNAL, "winograd_gemm variant without its tile sizes");
    XC_TRY(conv_program(e, l, "conv2d_winograd_gemm.cl", "", "", &transforms));
    /* the GEMM in float, without the layer's epilogue (that is the output transform's) */
    char opts[256];
    if (tf32)
        snprintf(opts, sizeof opts, "%s -DALIGNED%s%s", defines, /* q.c % 4 == 0 */
                 q.m % bm == 0 && t4 % (size_t)bn == 0 && q.c % 16 == 0 ? " -DFULL_TILES" : "", xc_mma_defines());
    else
        snprintf(opts, sizeof opts, "-DGEMM_VEC4 %s", defines);
    char *tf32_src = tf32 ? xc_kernel_sources_join("mma_core.cl", "gemm_mma.cl") : NULL;
    if (tf32 && !tf32_src) return xc_fail(XC_ERR_NOMEM, "layer '%s': kernels/mma_core.cl + gemm_mma.cl", l->name);
    xc_status built = xc_ocl_program(e->dev, "gemm_kernels.cl", tf32_src, opts, l->variant[0] ? l->variant : l->name, &gemm);
    free(tf32_src);
    XC_TRY(built);
    XC_TRY(winograd_gemm_weights(e, l, &q, &u));
    l->workspace = wino_gemm_workspace(&q);

    xc_launch *k = xc_layer_add_launch(l, transforms, "wino_transform_input");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_workspace(k);
    launch_geometry(k, &q);
    xc_launch_int(k, (int64_t)t4);
    xc_launch_int(k, (int64_t)v_off);
    size_t global[3] = {xc_round_up(t4, XC_WG_DEFAULT), (size_t)q.c, 1}, local[3] = {XC_WG_DEFAULT, 1, 1};
    xc_launch_range(k, 2, global, local);

    k = xc_layer_add_launch(l, gemm, tf32 ? "gemm_tf32" : "gemm_vec4"); /* P[t] = U[t] x V[t], t = 0..15 */
    xc_launch_weight(k, u);
    for (int i = 0; i < 4; i++) xc_launch_workspace(k); /* B, C and bias (unread), Y */
    const int64_t dims[] = {q.m, (int64_t)t4, q.c, q.c, (int64_t)t4};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) xc_launch_int(k, dims[i]);
    xc_launch_float(k, 1.0f);
    xc_launch_float(k, 0.0f);
    const int64_t batch[] = {0, 0, 1, 1, (int64_t)q.m * q.c, 0, 0, (int64_t)q.c * (int64_t)t4, 0, 0, (int64_t)v_off, 0};
    for (size_t i = 0; i < sizeof batch / sizeof batch[0]; i++) xc_launch_int(k, batch[i]);
    size_t wx = tf32 ? 32 : (size_t)(bn / rn), wy = tf32 ? (size_t)warps : (size_t)(bm / rm);
    size_t gglobal[3] = {(t4 + bn - 1) / bn * wx, ((size_t)q.m + bm - 1) / bm * wy, 16}, glocal[3] = {wx, wy, 1};
    xc_launch_range(k, 3, gglobal, glocal);

    k = xc_layer_add_launch(l, transforms, "wino_transform_output");
    if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
    xc_launch_workspace(k);
    XC_TRY(bind_epilogue(e, l, k, &q));
    xc_launch_int(k, (int64_t)t4);
    size_t oglobal[2] = {xc_round_up(t4, XC_WG_DEFAULT), (size_t)q.m}, olocal[2] = {XC_WG_DEFAULT, 1};
    xc_launch_range(k, 2, oglobal, olocal);
    return XC_OK;
}

static const xc_tactic winograd_gemm = {"conv2d.winograd_gemm", winograd_gemm_applicable, vec4_tiles, winograd_gemm_prepare,
                                        vec4_tiles_cpu};

/* conv2d.winograd_gemm_tf32: the 16 batched GEMMs on TF32 tensor cores (gemm.tf32's kernel), where
 * xc_engine_tf32 allows (NVIDIA, compute capability >= 8.0, no --no-tf32). */
static int winograd_gemm_tf32_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_engine_tf32(e) && winograd_gemm_applicable(e, l);
}
static const xc_variant tf32_tiles[] = {
    {"128x128x16.2x2", "-DGEMM_TF32 -DBM=128 -DBN=128 -DBK=16 -DWARPS_M=2 -DWARPS_N=2"},
    {"64x128x16.2x2", "-DGEMM_TF32 -DBM=64 -DBN=128 -DBK=16 -DWARPS_M=2 -DWARPS_N=2"},
    {"64x64x16.2x2", "-DGEMM_TF32 -DBM=64 -DBN=64 -DBK=16 -DWARPS_M=2 -DWARPS_N=2"},
    {NULL, NULL},
};
static const xc_tactic winograd_gemm_tf32 = {"conv2d.winograd_gemm_tf32", winograd_gemm_tf32_applicable, tf32_tiles,
                                             winograd_gemm_prepare, NULL};
/* conv2d.winograd_gemm_tf32_async: the same GEMMs on gemm.tf32_async's cp.async pipeline (its
 * tiles; MMA_PIPE in gemm_mma.cl): U's rows (C) and V's (the tiles, padded to 4) are whole 16-byte
 * chunks, so each copy is one, and V's chunks land k-major in the NPERM layout, whose epilogue
 * stores a lane's columns four at a time. */
static const xc_tactic winograd_gemm_tf32_async = {"conv2d.winograd_gemm_tf32_async", winograd_gemm_tf32_applicable,
                                                   xc_mma_pipe_tf32_tiles, winograd_gemm_prepare, NULL};

/* ---- the conv GEMM on tensor cores (kernels/mma_core.cl + conv2d_mma.cl):
 * conv2d.{1x1,implicit}_tf32 and conv2d.{1x1,implicit}_mma_fp16 ---- */

/* BM x BN outputs (channels x positions) per work-group of 32 x (WARPS_M * WARPS_N) work-items,
 * one group per NDRange layer (with SPLITK=S in the defines, S layers a group: its K slices, then
 * conv_splitk_reduce); B is the input itself (1x1) or gathered on the fly. */
static xc_status mma_gemm_prepare(xc_engine *e, xc_layer *l, const char *defines, gemm_source src)
{
    conv_geom q;
    cl_program p;
    XC_TRY(begin(e, l, &q));
    int bm = xc_define_int(defines, "BM", 0), bn = xc_define_int(defines, "BN", 0), bk = xc_define_int(defines, "BK", 0),
        warps = xc_define_int(defines, "WARPS_M", 0) * xc_define_int(defines, "WARPS_N", 0);
    if (!bm || !bn || !bk || !warps) return xc_fail(XC_ERR_INTERNAL, "conv mma variant without its tile sizes");
    char *body = xc_kernel_sources_join("mma_core.cl", "conv2d_mma.cl");
    if (!body) return xc_fail(XC_ERR_NOMEM, "layer '%s': kernels/mma_core.cl + conv2d_mma.cl", l->name);
    /* LPERM (mma_core.cl): output columns numbered by the loader, so a lane's run of four goes out
     * as one access -- where its rows start on a four-element boundary, i.e. OH * OW % 4 == 0.
     * Elsewhere most runs would fall back to single stores whose lanes are 2 NT8 columns apart,
     * worse than the pairs of the plain numbering: on an H100 that made squeezenet1_1's convs on
     * 55x55, 27x27 and 13x13 maps 10-40 % slower (bench/RESULTS.md). */
    char extra[96];
    snprintf(extra, sizeof extra, "%s%s%s%s", xc_mma_defines(), (q.oh * q.ow) % 4 == 0 ? " -DLPERM" : "",
             src == B_1X1 ? " -DCONV_B_1X1" : "", gemm_k(&q) % (size_t)(bk / 4) == 0 ? " -DALIGNED" : "");
    xc_status s = conv_program_source(e, l, body, defines, extra, &p);
    free(body);
    XC_TRY(s);
    xc_launch *k = xc_layer_add_launch(l, p, strstr(defines, "-DMMA_FP16") ? "conv_mma_fp16" : "conv_tf32");
    if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
    XC_TRY(bind_conv(e, l, k, 0, -1, &q));
    size_t slices = (size_t)xc_define_int(defines, "SPLITK", 0);
    l->workspace = splitk_bytes(&q, slices);
    if (slices) bind_partials(k, 0);
    size_t global[3] = {(gemm_p(&q) + bn - 1) / bn * 32, ((size_t)mg_of(&q) + bm - 1) / bm * warps,
                        (size_t)q.g * (slices ? slices : 1)};
    size_t local[3] = {32, (size_t)warps, 1};
    xc_launch_range(k, 3, global, local);
    return slices ? add_splitk_reduce(e, l, p, &q, 0) : XC_OK;
}

static int pointwise_tf32_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_engine_tf32(e) && pointwise_applicable(e, l);
}
static int implicit_tf32_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_engine_tf32(e) && implicit_applicable(e, l);
}
static int pointwise_fp16_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_layer_mma_fp16(e, l) && pointwise_applicable(e, l);
}
static int implicit_fp16_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_layer_mma_fp16(e, l) && implicit_applicable(e, l);
}
static xc_status pointwise_mma_prepare(xc_engine *e, xc_layer *l, const char *d) { return mma_gemm_prepare(e, l, d, B_1X1); }
static xc_status implicit_mma_prepare(xc_engine *e, xc_layer *l, const char *d) { return mma_gemm_prepare(e, l, d, B_IMPLICIT); }
/* 128-row tiles for the wide layers of batched inference, 64-row ones for few channels or few
 * positions (late 7x7 stages, batch 1). */
#define MMA_NAME(bm, bn, bk, wm, wn) #bm "x" #bn "x" #bk "." #wm "x" #wn
#define MMA_DEFINES(prec, bm, bn, bk, wm, wn) "-D" prec " -DBM=" #bm " -DBN=" #bn " -DBK=" #bk " -DWARPS_M=" #wm " -DWARPS_N=" #wn
#define MMA_TILE(prec, bm, bn, bk, wm, wn)                                                                                       \
    {                                                                                                                            \
        MMA_NAME(bm, bn, bk, wm, wn), MMA_DEFINES(prec, bm, bn, bk, wm, wn)                                                      \
    }
static const xc_variant conv_tf32_tiles[] = {MMA_TILE("GEMM_TF32", 256, 128, 16, 4, 2), MMA_TILE("GEMM_TF32", 128, 128, 16, 2, 2),
                                             MMA_TILE("GEMM_TF32", 128, 64, 16, 2, 2),  MMA_TILE("GEMM_TF32", 64, 128, 16, 2, 2),
                                             MMA_TILE("GEMM_TF32", 64, 64, 16, 2, 2),   {NULL, NULL}};
static const xc_variant conv_fp16_tiles[] = {MMA_TILE("MMA_FP16", 256, 128, 32, 4, 2), MMA_TILE("MMA_FP16", 128, 128, 32, 2, 2),
                                             MMA_TILE("MMA_FP16", 128, 64, 32, 2, 2),  MMA_TILE("MMA_FP16", 64, 128, 32, 2, 2),
                                             MMA_TILE("MMA_FP16", 64, 64, 32, 2, 2),   {NULL, NULL}};
static const xc_tactic pointwise_tf32 = {"conv2d.1x1_tf32", pointwise_tf32_applicable, conv_tf32_tiles, pointwise_mma_prepare,
                                         NULL};
static const xc_tactic implicit_tf32 = {"conv2d.implicit_tf32", implicit_tf32_applicable, conv_tf32_tiles, implicit_mma_prepare,
                                        NULL};
static const xc_tactic pointwise_fp16 = {"conv2d.1x1_mma_fp16", pointwise_fp16_applicable, conv_fp16_tiles, pointwise_mma_prepare,
                                         NULL};
static const xc_tactic implicit_fp16 = {"conv2d.implicit_mma_fp16", implicit_fp16_applicable, conv_fp16_tiles,
                                        implicit_mma_prepare, NULL};

/* conv2d.1x1_tf32_async, conv2d.1x1_mma_fp16_async (MMA_PIPE in conv2d_mma.cl): 1x1 convs on the
 * cp.async pipeline of the GEMM's async tactics, where every 16-byte copy is one whole chunk: C /
 * group (the weights' rows) and OH * OW (an input plane) multiples of KC (4 floats, 8 halves);
 * TF32 copies float storage only (they cannot convert halves). */
static int chunks_whole(const xc_engine *e, const xc_layer *l, int kc)
{
    conv_geom q;
    return conv_geometry(e, l, &q) && is_1x1(&q) && cg_of(&q) % kc == 0 && (q.oh * q.ow) % kc == 0;
}
static int pointwise_tf32_async_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_engine_tf32(e) && !l->fp16 && chunks_whole(e, l, 4);
}
static int pointwise_fp16_async_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_layer_mma_fp16(e, l) && chunks_whole(e, l, 8);
}
static const xc_tactic pointwise_tf32_async = {"conv2d.1x1_tf32_async", pointwise_tf32_async_applicable, xc_mma_pipe_tf32_tiles,
                                               pointwise_mma_prepare, NULL};
/* conv2d.implicit_tf32_async (MMA_PIPE without CONV_B_1X1): windows and strided 1x1s on the
 * cp.async pipeline, B gathered by 4-byte copies; A's rows (K = C / group * KH * KW) whole chunks.
 * TF32 copies float storage only. Not offered for plain 1x1s: on an H100 it lost to
 * conv2d.1x1_tf32 on every one of resnet50's at batch 32, 7x7 maps included, by 3-40 %
 * (bench/RESULTS.md), and each variant costs tuning time. */
static int implicit_tf32_async_applicable(const xc_engine *e, const xc_layer *l)
{
    conv_geom q;
    return xc_engine_tf32(e) && !l->fp16 && implicit_applicable(e, l) && conv_geometry(e, l, &q) && !is_1x1(&q)
           && gemm_k(&q) % 4 == 0;
}
static const xc_tactic implicit_tf32_async = {"conv2d.implicit_tf32_async", implicit_tf32_async_applicable,
                                              xc_mma_pipe_tf32_tiles, implicit_mma_prepare, NULL};
static const xc_tactic pointwise_fp16_async = {"conv2d.1x1_mma_fp16_async", pointwise_fp16_async_applicable,
                                               xc_mma_pipe_fp16_tiles, pointwise_mma_prepare, NULL};

/* conv2d.splitk_tf32, conv2d.splitk_mma_fp16: the tensor-core GEMM over S slices of K
 * (SPLITK=S, .s<S>), for the layers split-K is for (splitk_fits: few 64 x 64 tiles, e.g.
 * resnet18's layer4 at batch 32: 512 channels x 1568 positions, 200 tiles for 132 SMs) where K
 * leaves each slice of every variant at least SPLITK_MMA_MIN_TILES BK tiles. */
#define SPLITK_MMA_MIN_TILES 4
#define MMA_SPLIT(prec, bm, bn, bk, wm, wn, s)                                                                                   \
    {                                                                                                                            \
        MMA_NAME(bm, bn, bk, wm, wn) ".s" #s, MMA_DEFINES(prec, bm, bn, bk, wm, wn) " -DSPLITK=" #s                              \
    }
#define MMA_SPLITS(prec, bm, bn, bk, wm, wn)                                                                                     \
    MMA_SPLIT(prec, bm, bn, bk, wm, wn, 2), MMA_SPLIT(prec, bm, bn, bk, wm, wn, 4), MMA_SPLIT(prec, bm, bn, bk, wm, wn, 8)
static const xc_variant conv_tf32_splitk_tiles[] = {
    MMA_SPLITS("GEMM_TF32", 128, 64, 16, 2, 2), MMA_SPLITS("GEMM_TF32", 64, 64, 16, 2, 2), {NULL, NULL}};
static const xc_variant conv_fp16_splitk_tiles[] = {
    MMA_SPLITS("MMA_FP16", 128, 64, 32, 2, 2), MMA_SPLITS("MMA_FP16", 64, 64, 32, 2, 2), {NULL, NULL}};

/* splitk_fits for a table of split-K variants: its narrowest tile, most slices and BK. */
static int splitk_mma_fits(const xc_engine *e, const xc_layer *l, const xc_variant *v)
{
    size_t tile = SIZE_MAX, slices = 0, bk = 0;
    for (; v->suffix; v++) {
        size_t bm = (size_t)xc_define_int(v->defines, "BM", 0), bn = (size_t)xc_define_int(v->defines, "BN", 0),
               s = (size_t)xc_define_int(v->defines, "SPLITK", 0);
        tile = bm < tile ? bm : tile, tile = bn < tile ? bn : tile, slices = s > slices ? s : slices;
        bk = (size_t)xc_define_int(v->defines, "BK", 0);
    }
    return splitk_fits(e, l, tile, slices * SPLITK_MMA_MIN_TILES * bk, slices, 1);
}
static int splitk_tf32_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_engine_tf32(e) && splitk_mma_fits(e, l, conv_tf32_splitk_tiles);
}
static int splitk_fp16_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_layer_mma_fp16(e, l) && splitk_mma_fits(e, l, conv_fp16_splitk_tiles);
}
static xc_status splitk_mma_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    conv_geom q;
    XC_TRY(begin(e, l, &q));
    return mma_gemm_prepare(e, l, defines, is_1x1(&q) ? B_1X1 : B_IMPLICIT);
}
static const xc_tactic splitk_tf32 = {"conv2d.splitk_tf32", splitk_tf32_applicable, conv_tf32_splitk_tiles, splitk_mma_prepare,
                                      NULL};
static const xc_tactic splitk_fp16 = {"conv2d.splitk_mma_fp16", splitk_fp16_applicable, conv_fp16_splitk_tiles,
                                      splitk_mma_prepare, NULL};

/* clang-format off */ /* a table, as written */
static const xc_tactic *const tactics[] = {
    &direct,         &im2col,        &pointwise,     &implicit,           &im2col_vec4,
    &pointwise_vec4, &implicit_vec4, &splitk,        &splitk_vec4,        &splitk_im2col_vec4,
    &depthwise,      &winograd,      &winograd_gemm, &winograd_gemm_tf32, &pointwise_tf32,
    &implicit_tf32,  &pointwise_fp16, &implicit_fp16, &pointwise_tf32_async, &pointwise_fp16_async,
    &splitk_tf32,    &splitk_fp16,   &winograd_gemm_tf32_async, &implicit_tf32_async, NULL};
/* clang-format on */
const xc_layer_kind xc_kind_conv = {"conv", accepts, tactics, 1};

/* gemm.c — the gemm layer kind: ONNX Gemm (transA/transB, alpha, beta, C broadcast to M x N) and
 * MatMul (2-D, batched N-D with numpy broadcasting of the batch dimensions, 1-D operands
 * promoted), float32. Every tactic runs one kernel of kernels/gemm_kernels.cl over the same
 * arguments (gemm_geom below); they differ in how a work-group stages A and B:
 *   gemm.naive               one work-item per output, operands from global memory (baseline);
 *   gemm.tiled_local.<T>     T x T local-memory tiles, one output per work-item;
 *   gemm.reg_blocked.<p>     BM x BN x BK local tiles, an RM x RN register block per work-item;
 *   gemm.vec4.<p>            as reg_blocked with float4 global loads prefetched a tile ahead and
 *                            float4 local reads (contiguous dimensions of A and B multiples of 4);
 *                            the fastest on large products (36 TFLOP/s at 4096^3 on an H200);
 *   gemm.tf32.<p>            TF32 tensor cores (mma.sync m16n8k8, kernels/gemm_mma.cl), offered
 *                            only on NVIDIA devices of compute capability >= 8.0 and unless
 *                            --no-tf32 (xc_engine_tf32): products of operands rounded to 10-bit
 *                            mantissas, accumulated in fp32, as TensorRT's default for fp32;
 *   gemm.mma_fp16.<p>        --fp16 layers (half storage) on f16 tensor cores (mma.sync m16n8k16,
 *                            fp32 accumulation), same devices (xc_layer_mma_fp16);
 *   gemm.tf32_async.<p>, gemm.mma_fp16_async.<p>   the same products with tiles moved by
 *                            cp.async through 2-4 local stages (operands' contiguous dimensions
 *                            whole 16-byte chunks); gemm.tf32_splitk.<p>, gemm.mma_fp16_splitk.<p>
 *                            the same over K slices, for outputs of few tiles (see below);
 *   gemm.tf32_wgmma.<p>, gemm.mma_fp16_wgmma.<p> (and their _splitk) Hopper's warpgroup mma
 *                            (kernels/gemm_wgmma.cl, compute capability 9.0; see below).
 * The epilogue: alpha, beta * C (for a MatMul: the residual the gemm_residual pass fused), the
 * bias the gemm_bias_act pass fuses (l->in[GEMM_BIAS]) and the layer's activation. Operands are
 * read in their own layout (TRANS_A/TRANS_B defines), so constant weights need no repacked copy.
 * A stacked layer (the gemm_horizontal pass: products of one A with their weights side by side,
 * out[1..] slices of out[0]) stores column block j of its M x N product as plane j of Y, each
 * M x N/planes and contiguous (Y_PLANE defines), so every slice is the tensor its MatMul made. */
#include "ocl/layers/gemm.h"
#include "ocl/program.h"
#include "ocl/ptx_patch.h"
#include "ocl/layers/wgmma_asm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH_DIMS 3 /* broadcast batch dimensions left after merging contiguous ones */
#define GEMM_C 2         /* l->in position of Gemm's C (a MatMul's: the residual gemm_residual fused) */
#define GEMM_BIAS 3      /* l->in position of a fused bias: after Gemm's A, B and optional C */

typedef struct gemm_geom {
    int64_t m, n, k, lda, ldb;
    int trans_a, trans_b;
    int64_t batch;                                  /* NDRange depth: product of bd[] */
    int64_t bd[MAX_BATCH_DIMS];                     /* outermost first, padded with 1 in front */
    int64_t sa[MAX_BATCH_DIMS], sb[MAX_BATCH_DIMS]; /* element strides of A and B per batch dim */
    int c, bias;                                    /* tensors, or -1 */
    int64_t csm, csn;                               /* C's strides along m and n (0: broadcast) */
    int64_t plane;                                  /* 0, or Y's planes' width (stacked products, below) */
    float alpha, beta;
} gemm_geom;

static int is_float(const xc_engine *e, int t) { return t >= 0 && e->tensors[t].dtype == XC_FLOAT; }

/* A stacked layer (gemm_horizontal): out[1..] are the planes of out[0], each g->n / planes wide;
 * sets g->plane. 0 when its N does not split so. */
static int stacked_planes(const xc_layer *l, gemm_geom *g)
{
    if (l->n_out < 2) return 1;
    if (g->n % (l->n_out - 1)) return 0;
    g->plane = g->n / (l->n_out - 1);
    return 1;
}

/* Gemm: 2-D A and B, C unidirectionally broadcast to M x N. */
static int gemm_node_geometry(const xc_engine *e, const xc_layer *l, gemm_geom *g)
{
    const xc_etensor *a = &e->tensors[l->in[0]], *b = &e->tensors[l->in[1]];
    if (a->rank != 2 || b->rank != 2) return 0;
    g->trans_a = xc_attr_int(l->node, "transA", 0) != 0;
    g->trans_b = xc_attr_int(l->node, "transB", 0) != 0;
    g->m = a->dims[g->trans_a];
    g->k = a->dims[!g->trans_a];
    g->n = b->dims[!g->trans_b];
    g->lda = a->dims[1];
    g->ldb = b->dims[1];
    if (b->dims[g->trans_b] != g->k) return 0;
    g->alpha = xc_attr_float(l->node, "alpha", 1.0f);
    g->beta = xc_attr_float(l->node, "beta", 1.0f);
    if (!stacked_planes(l, g)) return 0;
    g->c = l->n_in > GEMM_C ? l->in[GEMM_C] : -1;
    if (g->c < 0) return 1;
    const xc_etensor *c = &e->tensors[g->c];
    if (c->rank > 2) return 0;
    int64_t cm = c->rank == 2 ? c->dims[0] : 1, cn = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
    if ((cm != 1 && cm != g->m) || (cn != 1 && cn != g->n) || (g->plane && cm != 1)) return 0; /* planes: C a row */
    g->csm = cm == 1 ? 0 : cn;
    g->csn = cn == 1 ? 0 : 1;
    return 1;
}

/* MatMul: the batch dimensions of the output, broadcast from A's and B's, are merged where both
 * operands are contiguous across them; a batch that only A has (B a shared weight) is folded
 * into M, which makes a batched linear layer one large product. */
static int matmul_geometry(const xc_engine *e, const xc_layer *l, gemm_geom *g)
{
    const xc_etensor *a = &e->tensors[l->in[0]], *b = &e->tensors[l->in[1]];
    if (a->rank < 1 || b->rank < 1) return 0;
    int ra = a->rank, rb = b->rank;
    g->m = ra == 1 ? 1 : a->dims[ra - 2];
    g->k = a->dims[ra - 1];
    g->n = rb == 1 ? 1 : b->dims[rb - 1];
    if ((rb == 1 ? b->dims[0] : b->dims[rb - 2]) != g->k) return 0;
    g->lda = g->k;
    g->ldb = g->n;
    g->alpha = 1.0f;
    g->c = -1;
    int na = ra > 2 ? ra - 2 : 0, nb = rb > 2 ? rb - 2 : 0, nd = na > nb ? na : nb, used = 0;
    int64_t stride_a = g->m * g->k, stride_b = g->k * g->n; /* element stride of the next batch dim inward */
    int64_t dim[XC_MAX_RANK], sa[XC_MAX_RANK], sb[XC_MAX_RANK];
    for (int d = nd - 1; d >= 0; d--) { /* innermost first */
        int ia = d - (nd - na), ib = d - (nd - nb);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1, size = da > db ? da : db;
        if ((da != 1 && da != size) || (db != 1 && db != size)) return 0;
        int64_t s_a = da == 1 ? 0 : stride_a, s_b = db == 1 ? 0 : stride_b;
        stride_a *= da;
        stride_b *= db;
        if (size == 1) continue;
        if (used && sa[used - 1] * dim[used - 1] == s_a && sb[used - 1] * dim[used - 1] == s_b) {
            dim[used - 1] *= size; /* contiguous with the dim inside it in both operands */
            continue;
        }
        if (used == MAX_BATCH_DIMS) return 0;
        dim[used] = size;
        sa[used] = s_a;
        sb[used] = s_b;
        used++;
    }
    if (used == 1 && sb[0] == 0 && sa[0] == g->m * g->k) {
        g->m *= dim[0];
        used = 0;
    }
    if ((used && l->n_out > 1) || !stacked_planes(l, g)) return 0; /* stacked: one product */
    if (l->n_in > GEMM_C && l->in[GEMM_C] >= 0) { /* the residual gemm_residual fused: the output's shape, one product */
        if (used || g->plane || (int64_t)xc_et_numel(&e->tensors[l->in[GEMM_C]]) != g->m * g->n) return 0;
        g->c = l->in[GEMM_C];
        g->csm = g->n;
        g->csn = 1;
        g->beta = 1.0f;
    }
    g->batch = 1;
    for (int d = 0; d < MAX_BATCH_DIMS; d++) { /* bd[] outermost first: dim[used - 1] goes to bd[MAX - used] */
        int src = MAX_BATCH_DIMS - 1 - d;
        g->bd[d] = src < used ? dim[src] : 1;
        g->sa[d] = src < used ? sa[src] : 0;
        g->sb[d] = src < used ? sb[src] : 0;
        g->batch *= g->bd[d];
    }
    return 1;
}

/* The product layer l computes, or 0 when this kind cannot run it. */
static int geometry(const xc_engine *e, const xc_layer *l, gemm_geom *g)
{
    memset(g, 0, sizeof *g);
    g->batch = 1;
    for (int d = 0; d < MAX_BATCH_DIMS; d++) g->bd[d] = 1;
    if (l->n_in < 2 || !is_float(e, l->in[0]) || !is_float(e, l->in[1]) || !is_float(e, l->out[0])) return 0;
    int ok = !strcmp(l->node->op_type, "Gemm") ? gemm_node_geometry(e, l, g) : matmul_geometry(e, l, g);
    if (!ok || (g->c >= 0 && !is_float(e, g->c))) return 0;
    g->bias = l->n_in > GEMM_BIAS ? l->in[GEMM_BIAS] : -1;
    /* the kernels index with int */
    const int64_t lim = INT32_MAX;
    return g->m * g->n * g->batch <= lim && xc_et_numel(&e->tensors[l->in[0]]) <= (size_t)lim
           && xc_et_numel(&e->tensors[l->in[1]]) <= (size_t)lim && g->m > 0 && g->n > 0;
}

/* The passes' side of the gemm kind: gemm.h. */
int xc_gemm_set_bias(xc_layer *l, int bias)
{
    if (l->n_in > GEMM_BIAS) return 0;
    while (l->n_in < GEMM_BIAS) l->in[l->n_in++] = -1; /* MatMul, or Gemm without C */
    l->in[l->n_in++] = bias;
    return 1;
}

/* A C of a batched product would need a batch stride: only a product folding into one takes it. */
int xc_gemm_set_residual(const xc_engine *e, xc_layer *l, int r)
{
    gemm_geom g;
    if (strcmp(l->node->op_type, "MatMul") || (l->n_in > GEMM_C && l->in[GEMM_C] >= 0)) return 0;
    int n_in = l->n_in;
    while (l->n_in <= GEMM_C) l->in[l->n_in++] = -1;
    l->in[GEMM_C] = r;
    if (geometry(e, l, &g)) return 1;
    l->in[GEMM_C] = -1;
    l->n_in = n_in;
    return 0;
}

int xc_gemm_stackable(const xc_engine *e, const xc_layer *l, xc_gemm_part *p)
{
    gemm_geom g;
    if (l->n_out != 1 || !geometry(e, l, &g) || g.batch != 1 || g.trans_a) return 0;
    const xc_etensor *w = &e->tensors[l->in[1]];
    if (!xc_et_const_f32(w) || w->rank != 2) return 0;
    if (g.c >= 0 && (g.csm || g.csn != 1)) return 0; /* a Gemm's C must be a row, as a bias is (not a column, a matrix) */
    for (int t = 0; t < 2; t++) {                    /* C and the bias: constant rows of N */
        int v = t ? g.bias : g.c;
        if (v >= 0 && (!xc_et_const_f32(&e->tensors[v]) || (int64_t)xc_et_numel(&e->tensors[v]) != g.n)) return 0;
    }
    *p = (xc_gemm_part){l->in[1], g.c, g.bias, !strcmp(l->node->op_type, "Gemm"), g.trans_b, g.alpha, g.beta};
    return 1;
}

void xc_gemm_set_stacked(xc_layer *l, int b, int c, int bias)
{
    l->in[1] = b;
    if (c >= 0) l->in[GEMM_C] = c;
    if (bias >= 0) l->in[GEMM_BIAS] = bias;
}

static int gemm_accepts(const xc_engine *e, const xc_layer *l)
{
    gemm_geom g;
    const char *op = l->node->op_type;
    if (l->node->domain[0] || (strcmp(op, "Gemm") && strcmp(op, "MatMul")) || l->n_out != 1) return 0;
    return geometry(e, l, &g);
}

/* Value of -DNAME=<int> in a variant's defines (the single place a parameter is written). */
static int define_value(const char *defines, const char *name)
{
    char key[32];
    snprintf(key, sizeof key, "-D%s=", name);
    const char *p = strstr(defines, key);
    return p ? atoi(p + strlen(key)) : 0;
}

/* Where a launch's B comes from: the layer's input, or (gemm.tf32_wgmma) a transposed copy. */
#define B_INPUT (-1)
#define B_WORKSPACE (-2) /* the layer's workspace */
/* b >= 0: derived weight b */

/* Launch `kernel` of program p with the arguments every gemm kernel takes (GEMM_PARAMS), B from b. */
static xc_status add_bound_launch(xc_engine *e, xc_layer *l, cl_program p, const char *kernel, const gemm_geom *gp, int b,
                                  xc_launch **out)
{
    const gemm_geom g = *gp;
    xc_launch *k = xc_layer_add_launch(l, p, kernel);
    if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
    *out = k;
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    if (b == B_INPUT)
        XC_TRY(xc_launch_input(e, l, k, l->in[1]));
    else if (b == B_WORKSPACE)
        xc_launch_workspace(k);
    else
        xc_launch_weight(k, b);
    XC_TRY(xc_launch_input(e, l, k, g.c >= 0 ? g.c : l->in[0])); /* unread without HAS_C */
    XC_TRY(xc_launch_input(e, l, k, g.bias >= 0 ? g.bias : l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    const int64_t ints[] = {g.m, g.n, g.k, g.lda, g.ldb};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) xc_launch_int(k, ints[i]);
    xc_launch_float(k, g.alpha);
    xc_launch_float(k, g.beta);
    const int64_t rest[] = {g.csm, g.csn, g.bd[1], g.bd[2], g.sa[0], g.sa[1], g.sa[2], g.sb[0], g.sb[1], g.sb[2], 0, 0};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) xc_launch_int(k, rest[i]);
    return XC_OK;
}

/* gemm_kernels.cl (with extra_source appended) built for layer l's product. */
static xc_status gemm_program(xc_engine *e, xc_layer *l, const char *defines, const char *extra_source,
                              const struct xc_ptx_patch *patch, gemm_geom *g, cl_program *p)
{
    if (!geometry(e, l, g)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': not a product the gemm kind runs", l->name);
    char opts[512], plane[64] = "";
    if (g->plane)
        snprintf(plane, sizeof plane, " -DY_PLANE=%lld -DY_PLANE_SIZE=%lld", (long long)g->plane, (long long)(g->m * g->plane));
    snprintf(opts, sizeof opts, "%s%s%s%s%s%s", defines, g->trans_a ? " -DTRANS_A" : "", g->trans_b ? " -DTRANS_B" : "",
             g->c >= 0 ? " -DHAS_C" : "", g->bias >= 0 ? " -DHAS_BIAS" : "", plane);
    return xc_layer_program_patched(e, l, "gemm_kernels.cl", extra_source, opts, patch, p);
}

/* Split-K's partial planes ([slices][batch][M][N] floats, the layer's workspace) bound to the
 * product launch k, and gemm_splitk_reduce (program p) adding them into the output. */
static xc_status add_splitk_reduce(xc_engine *e, xc_layer *l, cl_program p, const gemm_geom *g, int slices, xc_launch *k)
{
    l->workspace = (size_t)slices * (size_t)g->batch * (size_t)g->m * (size_t)g->n * sizeof(float);
    xc_launch_workspace(k);
    XC_TRY(add_bound_launch(e, l, p, "gemm_splitk_reduce", g, B_INPUT, &k));
    xc_launch_workspace(k);
    size_t rglobal[3] = {(size_t)g->n, (size_t)g->m, (size_t)g->batch};
    xc_launch_range(k, 3, rglobal, NULL);
    return XC_OK;
}

/* Builds l's launch: kernel `kernel` of gemm_kernels.cl, work-groups of local[0] x local[1]
 * work-items each covering tile_m x tile_n outputs (local NULL: the naive kernel, one work-item
 * per output). slices > 0 (split-K, the mma kernels' SPLITK): the kernel writes that many planes
 * of partial sums to the workspace and gemm_splitk_reduce adds them and stores the output. */
static xc_status add_gemm_launch(xc_engine *e, xc_layer *l, const char *defines, const char *kernel, const size_t *local,
                                 int64_t tile_m, int64_t tile_n, const char *extra_source, int slices)
{
    gemm_geom g;
    cl_program p;
    xc_launch *k;
    XC_TRY(gemm_program(e, l, defines, extra_source, NULL, &g, &p));
    XC_TRY(add_bound_launch(e, l, p, kernel, &g, B_INPUT, &k));
    if (!local) {
        size_t global[3] = {(size_t)g.n, (size_t)g.m, (size_t)g.batch};
        xc_launch_range(k, 3, global, NULL);
        return XC_OK;
    }
    size_t global[3] = {(size_t)((g.n + tile_n - 1) / tile_n) * local[0], (size_t)((g.m + tile_m - 1) / tile_m) * local[1],
                        (size_t)g.batch * (size_t)(slices > 0 ? slices : 1)};
    size_t group[3] = {local[0], local[1], 1};
    xc_launch_range(k, 3, global, group);
    return slices > 0 ? add_splitk_reduce(e, l, p, &g, slices, k) : XC_OK;
}

static xc_status naive_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    (void)defines;
    return add_gemm_launch(e, l, "-DGEMM_NAIVE", "gemm_naive", NULL, 1, 1, NULL, 0);
}

static xc_status tiled_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    int t = define_value(defines, "TILE");
    const size_t local[2] = {(size_t)t, (size_t)t};
    return add_gemm_launch(e, l, defines, "gemm_tiled", local, t, t, NULL, 0);
}

/* reg_blocked and vec4: BM x BN outputs per work-group of (BN/RN) x (BM/RM) work-items. */
static xc_status blocked_launch(xc_engine *e, xc_layer *l, const char *defines, const char *kernel)
{
    int bm = define_value(defines, "BM"), bn = define_value(defines, "BN");
    int rm = define_value(defines, "RM"), rn = define_value(defines, "RN");
    if (!rm || !rn) return xc_fail(XC_ERR_INTERNAL, "gemm variant '%s' lacks RM/RN", defines);
    const size_t local[2] = {(size_t)(bn / rn), (size_t)(bm / rm)};
    return add_gemm_launch(e, l, defines, kernel, local, bm, bn, NULL, 0);
}

static xc_status reg_prepare(xc_engine *e, xc_layer *l, const char *defines) { return blocked_launch(e, l, defines, "gemm_reg"); }

static xc_status vec4_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return blocked_launch(e, l, defines, "gemm_vec4");
}

/* float4 loads run along A's and B's contiguous dimensions, which must not end mid-vector. */
static int vec4_applicable(const xc_engine *e, const xc_layer *l)
{
    gemm_geom g;
    if (!geometry(e, l, &g)) return 0;
    int64_t along_a = g.trans_a ? g.m : g.k, along_b = g.trans_b ? g.k : g.n;
    return along_a % 4 == 0 && along_b % 4 == 0;
}

static const xc_tactic naive = {"gemm.naive", NULL, NULL, naive_prepare, NULL};

static const xc_variant tiled_variants[] = {
    {"8", "-DTILE=8"},
    {"16", "-DTILE=16"},
    {"32", "-DTILE=32"},
    {NULL, NULL},
};
static const xc_tactic tiled = {"gemm.tiled_local", NULL, tiled_variants, tiled_prepare, NULL};

static const xc_variant reg_variants[] = {
    {"32x32x16.2x2", "-DGEMM_REG -DBM=32 -DBN=32 -DBK=16 -DRM=2 -DRN=2"},
    {"64x64x8.4x4", "-DGEMM_REG -DBM=64 -DBN=64 -DBK=8 -DRM=4 -DRN=4"},
    {"64x128x8.4x8", "-DGEMM_REG -DBM=64 -DBN=128 -DBK=8 -DRM=4 -DRN=8"},
    {"128x128x8.8x8", "-DGEMM_REG -DBM=128 -DBN=128 -DBK=8 -DRM=8 -DRN=8"},
    {NULL, NULL},
};
/* CPU devices tune the smallest tile only (as conv's vec4 tactics): PoCL compiles the big
 * unrolled tiles slowly and their timings there say nothing about a GPU */
static const xc_variant reg_variants_cpu[] = {{"32x32x16.2x2", "-DGEMM_REG -DBM=32 -DBN=32 -DBK=16 -DRM=2 -DRN=2"}, {NULL, NULL}};
static const xc_tactic reg_blocked = {"gemm.reg_blocked", NULL, reg_variants, reg_prepare, reg_variants_cpu};

static const xc_variant vec4_variants[] = {
    {"64x64x16.4x4", "-DGEMM_VEC4 -DBM=64 -DBN=64 -DBK=16 -DRM=4 -DRN=4"},
    {"128x64x16.8x4", "-DGEMM_VEC4 -DBM=128 -DBN=64 -DBK=16 -DRM=8 -DRN=4"},
    {"128x128x16.8x8", "-DGEMM_VEC4 -DBM=128 -DBN=128 -DBK=16 -DRM=8 -DRN=8"},
    {"256x128x8.16x8", "-DGEMM_VEC4 -DBM=256 -DBN=128 -DBK=8 -DRM=16 -DRN=8"},
    {NULL, NULL},
};
static const xc_variant vec4_variants_cpu[] = {{"64x64x16.4x4", "-DGEMM_VEC4 -DBM=64 -DBN=64 -DBK=16 -DRM=4 -DRN=4"},
                                               {NULL, NULL}};
static const xc_tactic vec4 = {"gemm.vec4", vec4_applicable, vec4_variants, vec4_prepare, vec4_variants_cpu};

/* gemm.tf32 and gemm.mma_fp16 (kernels/mma_core.cl + gemm_mma.cl): BM x BN per work-group of
 * 32 x (WARPS_M * WARPS_N) work-items, the warps' tiles splitting it WARPS_M x WARPS_N; ALIGNED
 * when K allows 16-byte chunk loads along it, FULL_TILES when the product is a whole number of
 * tiles (no bounds checks). */
static xc_status mma_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    int bm = define_value(defines, "BM"), bn = define_value(defines, "BN"), bk = define_value(defines, "BK");
    int warps = define_value(defines, "WARPS_M") * define_value(defines, "WARPS_N");
    if (!warps || !bk) return xc_fail(XC_ERR_INTERNAL, "gemm variant '%s' lacks WARPS_M/WARPS_N/BK", defines);
    gemm_geom g;
    if (!geometry(e, l, &g)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': not a product the gemm kind runs", l->name);
    char *src = xc_kernel_sources_join("mma_core.cl", "gemm_mma.cl");
    if (!src) return xc_fail(XC_ERR_NOMEM, "layer '%s': kernels/mma_core.cl + gemm_mma.cl", l->name);
    char opts[256];
    int fp16 = strstr(defines, "-DMMA_FP16") != NULL, full = g.m % bm == 0 && g.n % bn == 0 && g.k % bk == 0;
    snprintf(opts, sizeof opts, "%s%s%s%s", defines, g.k % (bk / 4) == 0 ? " -DALIGNED" : "", full ? " -DFULL_TILES" : "",
             xc_mma_defines());
    const size_t local[2] = {32, (size_t)warps};
    xc_status s =
        add_gemm_launch(e, l, opts, fp16 ? "gemm_mma_fp16" : "gemm_tf32", local, bm, bn, src, define_value(defines, "SPLITK"));
    free(src);
    return s;
}

int xc_mma_emulated(void)
{
    const char *v = getenv("CROSSCHECK_MMA_EMULATE");
    return v && *v && strcmp(v, "0");
}
const char *xc_mma_defines(void) { return xc_mma_emulated() ? " -DMMA_EMULATE" : ""; }
static int has_mma(const xc_engine *e) { return xc_ocl_device_tf32(e->dev) || xc_mma_emulated(); }
int xc_engine_tf32(const xc_engine *e) { return !e->opt.no_tf32 && has_mma(e); }
int xc_tactic_tf32(const xc_tactic *t) { return t && strstr(t->name, "tf32") != NULL; }
int xc_layer_mma_fp16(const xc_engine *e, const xc_layer *l) { return l->fp16 && l->half_format == XC_HALF_FP16 && has_mma(e); }

static int tf32_applicable(const xc_engine *e, const xc_layer *l)
{
    (void)l;
    return xc_engine_tf32(e);
}

/* Fastest first at 4096^3 on an H100 (ms): 256x128 4x2 1.00, 128x128 2x2 1.04, 128x256 2x4 1.05,
 * 128x128 2x4 1.61; the small tiles fill the GPU on small products. */
static const xc_variant tf32_variants[] = {
    {"256x128x16.4x2", "-DGEMM_TF32 -DBM=256 -DBN=128 -DBK=16 -DWARPS_M=4 -DWARPS_N=2"},
    {"128x256x16.2x4", "-DGEMM_TF32 -DBM=128 -DBN=256 -DBK=16 -DWARPS_M=2 -DWARPS_N=4"},
    {"128x128x16.2x2", "-DGEMM_TF32 -DBM=128 -DBN=128 -DBK=16 -DWARPS_M=2 -DWARPS_N=2"},
    {"128x128x16.2x4", "-DGEMM_TF32 -DBM=128 -DBN=128 -DBK=16 -DWARPS_M=2 -DWARPS_N=4"},
    {"128x64x16.2x2", "-DGEMM_TF32 -DBM=128 -DBN=64 -DBK=16 -DWARPS_M=2 -DWARPS_N=2"},
    {"64x64x16.2x2", "-DGEMM_TF32 -DBM=64 -DBN=64 -DBK=16 -DWARPS_M=2 -DWARPS_N=2"},
    /* two warps a work-group, loads two tiles ahead (AHEAD2, kernels/gemm_mma.cl): twice the
     * work-groups of 64 x 64 on a small product; 1024 x 768 x 768 on an H100 27.0 us against 27.9.
     * AHEAD2 on the 64 x 64 and 128 x 64 tiles gained nothing there (27.9, 30.3: the time moved
     * from stashing to the products), so they are not offered. */
    {"32x64x16.1x2.a2", "-DGEMM_TF32 -DBM=32 -DBN=64 -DBK=16 -DWARPS_M=1 -DWARPS_N=2 -DAHEAD2"},
    {NULL, NULL},
};
static const xc_tactic tf32 = {"gemm.tf32", tf32_applicable, tf32_variants, mma_prepare, NULL};

/* gemm.mma_fp16: half-storage layers (--fp16) on f16 tensor cores, products accumulated in fp32
 * (the fp16 math of the portable tactics, done by the mma); NVIDIA compute capability >= 8.0, as
 * TF32, but --no-tf32 does not withdraw it (its products are the layer's own precision). */
static int mma_fp16_applicable(const xc_engine *e, const xc_layer *l) { return xc_layer_mma_fp16(e, l); }
static const xc_variant mma_fp16_variants[] = {
    {"256x128x32.4x2", "-DMMA_FP16 -DBM=256 -DBN=128 -DBK=32 -DWARPS_M=4 -DWARPS_N=2"},
    {"128x256x32.2x4", "-DMMA_FP16 -DBM=128 -DBN=256 -DBK=32 -DWARPS_M=2 -DWARPS_N=4"},
    {"128x128x32.2x2", "-DMMA_FP16 -DBM=128 -DBN=128 -DBK=32 -DWARPS_M=2 -DWARPS_N=2"},
    {"128x64x32.2x2", "-DMMA_FP16 -DBM=128 -DBN=64 -DBK=32 -DWARPS_M=2 -DWARPS_N=2"},
    {"64x64x32.2x2", "-DMMA_FP16 -DBM=64 -DBN=64 -DBK=32 -DWARPS_M=2 -DWARPS_N=2"},
    {NULL, NULL},
};
static const xc_tactic mma_fp16 = {"gemm.mma_fp16", mma_fp16_applicable, mma_fp16_variants, mma_prepare, NULL};

/* gemm.tf32_async, gemm.mma_fp16_async (MMA_PIPE in gemm_mma.cl): the same products with the
 * tiles copied by cp.async into STAGES local stages (STAGES - 1 tiles in flight; 48 KiB of
 * local memory at most, NVIDIA's OpenCL limit), operands kept in their own layout. Every 16-byte
 * copy must be one whole chunk of KC elements along the operand's contiguous dimension, so that
 * dimension must be a multiple of KC (4 floats, 8 halves); TF32 reads float storage only (the
 * copies cannot convert halves). The .s<S> variants split K over S slices (SPLITK: partial
 * sums in the workspace, added in slice order by gemm_splitk_reduce): for products whose
 * output tiles are too few to fill the GPU, offered only then (see few_tiles). */
static int contiguous_dims_divide(const xc_engine *e, const xc_layer *l, int64_t kc)
{
    gemm_geom g;
    if (!geometry(e, l, &g)) return 0;
    return (g.trans_a ? g.m : g.k) % kc == 0 && (g.trans_b ? g.k : g.n) % kc == 0;
}

/* Fewer 64 x 64 output tiles than 2 x 132 (two waves of an H100's SMs at the smallest split
 * tile) over a K of at least 256: split-K can fill the GPU where whole-K tiles cannot. */
static int few_tiles(const xc_engine *e, const xc_layer *l)
{
    gemm_geom g;
    if (!geometry(e, l, &g)) return 0;
    return (g.m + 63) / 64 * ((g.n + 63) / 64) * g.batch < 264 && g.k >= 256;
}

static int tf32_async_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_engine_tf32(e) && !l->fp16 && contiguous_dims_divide(e, l, 4);
}
static int mma_fp16_async_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_layer_mma_fp16(e, l) && contiguous_dims_divide(e, l, 8);
}
static int tf32_splitk_applicable(const xc_engine *e, const xc_layer *l)
{
    return tf32_async_applicable(e, l) && few_tiles(e, l);
}
static int mma_fp16_splitk_applicable(const xc_engine *e, const xc_layer *l)
{
    return mma_fp16_async_applicable(e, l) && few_tiles(e, l);
}

#define PIPE_TF32 "-DGEMM_TF32 -DMMA_PIPE -DBK=16 "
const xc_variant xc_mma_pipe_tf32_tiles[] = {
    {"128x128x16.2x2.s3", PIPE_TF32 "-DBM=128 -DBN=128 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=3"},
    {"128x256x16.2x4.s2", PIPE_TF32 "-DBM=128 -DBN=256 -DWARPS_M=2 -DWARPS_N=4 -DSTAGES=2"},
    {"256x128x16.4x2.s2", PIPE_TF32 "-DBM=256 -DBN=128 -DWARPS_M=4 -DWARPS_N=2 -DSTAGES=2"},
    {"128x64x16.2x2.s4", PIPE_TF32 "-DBM=128 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4"},
    {"64x64x16.2x2.s4", PIPE_TF32 "-DBM=64 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4"},
    {NULL, NULL},
};
static const xc_tactic tf32_async = {"gemm.tf32_async", tf32_async_applicable, xc_mma_pipe_tf32_tiles, mma_prepare, NULL};

static const xc_variant tf32_splitk_variants[] = {
    {"64x64x16.2x2.s4.k2", PIPE_TF32 "-DBM=64 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4 -DSPLITK=2"},
    {"64x64x16.2x2.s4.k4", PIPE_TF32 "-DBM=64 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4 -DSPLITK=4"},
    {"128x64x16.2x2.s4.k3", PIPE_TF32 "-DBM=128 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4 -DSPLITK=3"},
    {"128x128x16.2x2.s3.k2", PIPE_TF32 "-DBM=128 -DBN=128 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=3 -DSPLITK=2"},
    {"128x128x16.2x2.s3.k3", PIPE_TF32 "-DBM=128 -DBN=128 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=3 -DSPLITK=3"},
    {NULL, NULL},
};
static const xc_tactic tf32_splitk = {"gemm.tf32_splitk", tf32_splitk_applicable, tf32_splitk_variants, mma_prepare, NULL};

#define PIPE_FP16 "-DMMA_FP16 -DMMA_PIPE -DBK=32 "
const xc_variant xc_mma_pipe_fp16_tiles[] = {
    {"128x128x32.2x2.s3", PIPE_FP16 "-DBM=128 -DBN=128 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=3"},
    {"128x256x32.2x4.s2", PIPE_FP16 "-DBM=128 -DBN=256 -DWARPS_M=2 -DWARPS_N=4 -DSTAGES=2"},
    {"256x128x32.4x2.s2", PIPE_FP16 "-DBM=256 -DBN=128 -DWARPS_M=4 -DWARPS_N=2 -DSTAGES=2"},
    {"128x64x32.2x2.s4", PIPE_FP16 "-DBM=128 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4"},
    {"64x64x32.2x2.s4", PIPE_FP16 "-DBM=64 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4"},
    {NULL, NULL},
};
static const xc_tactic mma_fp16_async = {"gemm.mma_fp16_async", mma_fp16_async_applicable, xc_mma_pipe_fp16_tiles, mma_prepare,
                                         NULL};

static const xc_variant mma_fp16_splitk_variants[] = {
    {"64x64x32.2x2.s4.k2", PIPE_FP16 "-DBM=64 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4 -DSPLITK=2"},
    {"64x64x32.2x2.s4.k4", PIPE_FP16 "-DBM=64 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4 -DSPLITK=4"},
    {"128x64x32.2x2.s4.k3", PIPE_FP16 "-DBM=128 -DBN=64 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=4 -DSPLITK=3"},
    {"128x128x32.2x2.s3.k3", PIPE_FP16 "-DBM=128 -DBN=128 -DWARPS_M=2 -DWARPS_N=2 -DSTAGES=3 -DSPLITK=3"},
    {NULL, NULL},
};
static const xc_tactic mma_fp16_splitk = {"gemm.mma_fp16_splitk", mma_fp16_splitk_applicable, mma_fp16_splitk_variants,
                                          mma_prepare, NULL};

/* gemm.tf32_wgmma (kernels/gemm_wgmma.cl): Hopper's warpgroup mma, on devices of compute
 * capability 9.0 (xc_ocl_device_wgmma; the PTX is patched to sm_90a, ocl/ptx_patch.h), or
 * emulated. A is read in 16-byte chunks along k, so it must be stored with k contiguous (no
 * transA) and K be a multiple of 4; one batch. B is read as Bt (N x K32, K rounded up to 32,
 * rounded to TF32, k permuted within each 16 by wgmma_kpos): derived once from a constant B, else
 * written each run into the layer's workspace by gemm_wgmma_bt, a launch before the product. */
static int wgmma_shape(const xc_engine *e, const xc_layer *l, int kc)
{
    gemm_geom g;
    if (!(xc_mma_emulated() || xc_ocl_device_wgmma(e->dev)) || !geometry(e, l, &g)) return 0;
    return !g.trans_a && g.k % kc == 0 && g.batch == 1;
}
static int wgmma_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_engine_tf32(e) && !l->fp16 && wgmma_shape(e, l, 4);
}

/* Bt's row length: K rounded up to 32, the deepest tile. */
static int64_t wgmma_ldt(const gemm_geom *g) { return (g->k + 31) / 32 * 32; }

/* The k that position p of Bt holds, kc elements a 16-byte chunk (4 TF32, 8 f16):
 * kernels/gemm_wgmma.cl's WG_KPOS (which says why), written again here for the constant B the
 * host derives. */
static int64_t wgmma_kpos(int64_t p, int64_t kc)
{
    int64_t r = kc / 4, span = 4 * kc;
    return p / span * span + kc * (p % kc / r) + 2 * r * (p % span / (2 * kc)) + r * (p % (2 * kc) / kc) + p % r;
}

/* f rounded to TF32 (to nearest, ties away from zero: kernels/mma_core.cl's tf32_round), the
 * dropped bits cleared. */
static float tf32_rounded(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    u = (u + 0x1000u) & 0xffffe000u;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Bt of l's constant B (K x N, or N x K under transB) as a derived weight: TF32-rounded floats,
 * or the layer's halves (fp16). */
static xc_status wgmma_bt_weight(xc_engine *e, const xc_layer *l, const gemm_geom *g, int fp16, int *index)
{
    char key[300];
    snprintf(key, sizeof key, "wgmma_bt%s:%d:%s", fp16 ? "16" : "", (int)(l - e->layers), l->name);
    xc_engine_find_derived(e, key, index);
    if (*index >= 0) return XC_OK;
    const float *b = xc_et_const_f32(&e->tensors[l->in[1]]);
    size_t n = (size_t)g->n, ldt = (size_t)wgmma_ldt(g), ld = (size_t)g->ldb, size = fp16 ? sizeof(uint16_t) : sizeof(float);
    unsigned char *bt = b ? calloc(n * ldt, size) : NULL;
    if (!bt) return xc_fail(XC_ERR_NOMEM, "layer '%s': out of memory deriving its B for gemm's wgmma tactics", l->name);
    for (size_t j = 0; j < n; j++)
        for (size_t p = 0; p < ldt; p++) {
            size_t k = (size_t)wgmma_kpos((int64_t)p, fp16 ? 8 : 4);
            if (k >= (size_t)g->k) continue; /* zeros */
            float v = g->trans_b ? b[j * ld + k] : b[k * ld + j];
            if (fp16) {
                uint16_t h = xc_engine_half_bits(e, v);
                memcpy(bt + (j * ldt + p) * size, &h, size);
            } else {
                v = tf32_rounded(v);
                memcpy(bt + (j * ldt + p) * size, &v, size);
            }
        }
    xc_status s = xc_engine_add_derived(e, l, key, bt, n * ldt * size, index);
    free(bt);
    return s;
}

static xc_status wgmma_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    int bm = define_value(defines, "BM"), bn = define_value(defines, "BN");
    if (!bm || !bn) return xc_fail(XC_ERR_INTERNAL, "gemm variant '%s' lacks BM/BN", defines);
    int fp16 = strstr(defines, "-DMMA_FP16") != NULL;
    char *core = xc_kernel_sources_join("mma_core.cl", "gemm_mma.cl"), *text = xc_wgmma_asm_source(bn, fp16);
    const char *own = xc_kernel_source("gemm_wgmma.cl");
    size_t len = core && text && own ? strlen(core) + strlen(text) + strlen(own) + 3 : 0;
    char *src = len ? malloc(len) : NULL;
    if (src) snprintf(src, len, "%s\n%s\n%s", core, text, own);
    free(core);
    free(text);
    if (!src) return xc_fail(XC_ERR_NOMEM, "layer '%s': kernels/gemm_wgmma.cl and its asm", l->name);
    gemm_geom g;
    cl_program p;
    char opts[256];
    snprintf(opts, sizeof opts, "%s%s", defines, xc_mma_defines());
    xc_status s = gemm_program(e, l, opts, src, xc_mma_emulated() ? NULL : &xc_ptx_sm90a, &g, &p);
    free(src);
    XC_TRY(s);
    int b, slices = define_value(defines, "SPLITK");
    xc_launch *k;
    if (slices && !e->tensors[l->in[1]].value)
        return xc_fail(XC_ERR_INTERNAL, "layer '%s': split-K wgmma needs a constant B", l->name);
    if (e->tensors[l->in[1]].value) {
        XC_TRY(wgmma_bt_weight(e, l, &g, fp16, &b));
    } else {
        b = B_WORKSPACE;
        l->workspace = (size_t)g.n * (size_t)wgmma_ldt(&g) * sizeof(float);
        XC_TRY(add_bound_launch(e, l, p, "gemm_wgmma_bt", &g, B_INPUT, &k));
        xc_launch_workspace(k);
        xc_launch_int(k, wgmma_ldt(&g));
        size_t global[2] = {(size_t)(g.n + 31) / 32 * 32, (size_t)(wgmma_ldt(&g) + 31) / 32 * 8}, local[2] = {32, 8};
        xc_launch_range(k, 2, global, local);
    }
    gemm_geom gt = g; /* the product reads Bt: N x K16, rows of k */
    gt.trans_b = 1;
    gt.ldb = wgmma_ldt(&g);
    XC_TRY(add_bound_launch(e, l, p, "gemm_wgmma", &gt, b, &k));
    /* a warp per 16 rows: one warpgroup a 64-row tile, two a 128-row one */
    size_t warps = (size_t)bm / 16,
           global[3] = {(size_t)((g.n + bn - 1) / bn) * 32, (size_t)((g.m + bm - 1) / bm) * warps, (size_t)(slices ? slices : 1)},
           local[3] = {32, warps, 1};
    xc_launch_range(k, 3, global, local);
    return slices ? add_splitk_reduce(e, l, p, &g, slices, k) : XC_OK;
}

/* WG2: two warpgroups a work-group (128 rows); WG1: one (64 rows: half the registers a work-group,
 * so up to four work-groups share an SM and their stages add up) */
#define WG2 "-DBM=128 -DWARPS_M=8 "
#define WG1 "-DBM=64 -DWARPS_M=4 "
#define WGMMA_TF32 "-DGEMM_TF32 -DMMA_PIPE -DWGMMA -DBK=16 -DWARPS_N=1 "
/* SGEMM 4096^3 on an H200 (TFLOP/s): 128x128x16.s5 108, 128x64x32.s6 90, 128x64x16.s8 74 (mma.sync's
 * gemm.tf32.256x128 131); 128x256x16.s3 (67) and 128x128x32.s3 (58: one work-group an SM at 210
 * registers) were slower everywhere and left out. */
/* .la: A through the local stages too (WG_A_STAGED). On BERT-base's products on an H100 the .la
 * forms of these tiles were never faster (bench/RESULTS.md, 2026-12-07), so only split-K and
 * fp16 (below) use it. */
#define WGMMA_LA WGMMA_TF32 "-DWG_A_STAGED -DWG_BK=16 "
/* The 64-row (WG1) variants here and in the tables below are not yet timed on a GPU (none was lent
 * the session that wrote them). Why they are offered: by bench/kernel_occupancy.py (ptxas on
 * clang's PTX of each program, an estimate), a 128-row work-group is 256 work-items of 105-120
 * registers, so an SM holds two, with 80-96 KiB of stages between them: 2-3 tiles of 256 cycles
 * of tensor work each in flight, short of a loaded L2's latency. A 64-row one is 128 work-items
 * of 110-128 registers, and four fit an SM by registers and by local memory: 160-192 KiB of
 * stages. 64x128x32.s3 (218 registers) and 64x256x16.s3 (252) fit only two an SM, as their
 * 128-row forms, which were slower everywhere, and are not offered. Keep the ones that win on
 * bench/device_run.sh's step 2 and drop the rest (each variant costs tuning time). */
static const xc_variant wgmma_variants[] = {
    {"128x128x16.s5", WGMMA_TF32 WG2 "-DBN=128 -DWG_BK=16 -DWG_STAGES=5"},
    {"128x64x32.s6", WGMMA_TF32 WG2 "-DBN=64 -DWG_BK=32 -DWG_STAGES=6"},
    {"128x64x16.s8", WGMMA_TF32 WG2 "-DBN=64 -DWG_BK=16 -DWG_STAGES=8"},
    {"64x128x16.s5", WGMMA_TF32 WG1 "-DBN=128 -DWG_BK=16 -DWG_STAGES=5"},
    {NULL, NULL},
};
static const xc_tactic tf32_wgmma = {"gemm.tf32_wgmma", wgmma_applicable, wgmma_variants, wgmma_prepare, NULL};

/* gemm.tf32_wgmma_splitk: the same over K slices (SPLITK, gemm_splitk_reduce adding the planes)
 * for a constant B and an output of few tiles (few_tiles), as BERT-base's 1024 x 768 products. */
static int wgmma_splitk_applicable(const xc_engine *e, const xc_layer *l)
{
    return wgmma_applicable(e, l) && few_tiles(e, l) && e->tensors[l->in[1]].value != NULL;
}
/* 1024 x 768 x 3072 (BERT's FFN output) on an H100, us: .la.k2 83, .k3 (A from global) 91, .la.k3 98
 * (128x64 tiles 103-108 were dropped) */
static const xc_variant wgmma_splitk_variants[] = {
    {"128x128x16.s3.la.k2", WGMMA_LA WG2 "-DBN=128 -DWG_STAGES=3 -DSPLITK=2"},
    {"128x128x16.s3.la.k3", WGMMA_LA WG2 "-DBN=128 -DWG_STAGES=3 -DSPLITK=3"},
    {"128x128x16.s5.k3", WGMMA_TF32 WG2 "-DBN=128 -DWG_BK=16 -DWG_STAGES=5 -DSPLITK=3"},
    {"64x128x16.s4.la.k2", WGMMA_LA WG1 "-DBN=128 -DWG_STAGES=4 -DSPLITK=2"},
    {"64x128x16.s5.k2", WGMMA_TF32 WG1 "-DBN=128 -DWG_BK=16 -DWG_STAGES=5 -DSPLITK=2"},
    {NULL, NULL},
};
static const xc_tactic tf32_wgmma_splitk = {"gemm.tf32_wgmma_splitk", wgmma_splitk_applicable, wgmma_splitk_variants,
                                            wgmma_prepare, NULL};

/* gemm.mma_fp16_wgmma(_splitk): --fp16 layers (half storage) on wgmma m64nNk16 with fp32
 * accumulation, A through the stages, B a constant (its Bt of halves derived on the host), K a
 * multiple of 8 (16-byte chunks of halves); the same devices as gemm.tf32_wgmma, and like
 * gemm.mma_fp16 not withdrawn by --no-tf32. */
static int wgmma_fp16_applicable(const xc_engine *e, const xc_layer *l)
{
    return xc_layer_mma_fp16(e, l) && wgmma_shape(e, l, 8) && e->tensors[l->in[1]].value != NULL;
}
static int wgmma_fp16_splitk_applicable(const xc_engine *e, const xc_layer *l)
{
    return wgmma_fp16_applicable(e, l) && few_tiles(e, l);
}
#define WGMMA_F16 "-DMMA_FP16 -DMMA_PIPE -DWGMMA -DWG_A_STAGED -DBK=32 -DWARPS_N=1 -DWG_BK=32 "
/* On an H100, us: 1024 x 768 x 768 128x64 20.6 (the fastest fp16 tactic there), 128x128 30.8;
 * 4096^3 128x128 865 (mma_fp16_async 652); one group left in flight was slower everywhere. */
static const xc_variant wgmma_fp16_variants[] = {
    {"128x128x32.s3.la", WGMMA_F16 WG2 "-DBN=128 -DWG_STAGES=3"},
    {"128x64x32.s4.la", WGMMA_F16 WG2 "-DBN=64 -DWG_STAGES=4"},
    {"64x128x32.s4.la", WGMMA_F16 WG1 "-DBN=128 -DWG_STAGES=4"},
    {NULL, NULL},
};
static const xc_tactic mma_fp16_wgmma = {"gemm.mma_fp16_wgmma", wgmma_fp16_applicable, wgmma_fp16_variants, wgmma_prepare, NULL};
static const xc_variant wgmma_fp16_splitk_variants[] = {
    {"128x128x32.s3.la.k2", WGMMA_F16 WG2 "-DBN=128 -DWG_STAGES=3 -DSPLITK=2"},
    {"128x128x32.s3.la.k3", WGMMA_F16 WG2 "-DBN=128 -DWG_STAGES=3 -DSPLITK=3"},
    {"64x128x32.s4.la.k2", WGMMA_F16 WG1 "-DBN=128 -DWG_STAGES=4 -DSPLITK=2"},
    {NULL, NULL},
};
static const xc_tactic mma_fp16_wgmma_splitk = {"gemm.mma_fp16_wgmma_splitk", wgmma_fp16_splitk_applicable,
                                                wgmma_fp16_splitk_variants, wgmma_prepare, NULL};

static const xc_tactic *const gemm_tactics[] = {&naive,
                                                &tiled,
                                                &reg_blocked,
                                                &vec4,
                                                &tf32,
                                                &mma_fp16,
                                                &tf32_async,
                                                &tf32_splitk,
                                                &mma_fp16_async,
                                                &mma_fp16_splitk,
                                                &tf32_wgmma,
                                                &tf32_wgmma_splitk,
                                                &mma_fp16_wgmma,
                                                &mma_fp16_wgmma_splitk,
                                                NULL};
const xc_layer_kind xc_kind_gemm = {"gemm", gemm_accepts, gemm_tactics, 1};

/* quant_gemm.c — the qgemm layer kind: an int8 MatMul or Gemm the qdq_fusion pass formed from
 * DequantizeLinear(x) -> MatMul/Gemm <- DequantizeLinear(w) [-> QuantizeLinear]: x [..., K]
 * int8/uint8 (leading dims folded into M), constant 2-D weights (per-tensor or per-column
 * scales) packed on the host as [N][K], int32 accumulation, the epilogue (scales, alpha, beta *
 * C, bias, activation, requantize) fused (kernels/quant_epilogue.cl). Tactics
 * (kernels/quant_gemm.cl): qgemm.naive (one output per work-item) and qgemm.tiled.<T> (T x T
 * tiles in local memory). Layer inputs: quant_util.h (XQ_*). */
#include "axis_util.h"
#include "ocl/program.h"
#include "quant_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int accepts(const xc_engine *e, const xc_layer *l)
{
    (void)e;
    (void)l;
    return 0;
}

typedef struct qgemm_geom {
    int64_t m, n, k;
    int trans; /* W is [K][N] */
    float alpha, beta;
} qgemm_geom;

static void geometry(const xc_engine *e, const xc_layer *l, qgemm_geom *g)
{
    const xc_etensor *x = &e->tensors[l->in[XQ_X]], *w = &e->tensors[l->in[XQ_W]];
    int gemm = !strcmp(l->node->op_type, "Gemm");
    g->trans = !gemm || !xc_attr_int(l->node, "transB", 0);
    g->k = x->dims[x->rank - 1];
    g->n = w->dims[g->trans ? 1 : 0];
    g->m = (int64_t)(xc_et_numel(x) / (size_t)g->k);
    g->alpha = gemm ? xc_attr_float(l->node, "alpha", 1.0f) : 1.0f;
    g->beta = gemm ? xc_attr_float(l->node, "beta", 1.0f) : 1.0f;
}

static xc_status prepare(xc_engine *e, xc_layer *l, const char *defines, const char *kernel, int tile)
{
    qgemm_geom g;
    geometry(e, l, &g);
    xq_packed pk;
    XC_TRY(xq_pack(e, l, (int)g.n, g.trans, g.alpha, g.beta, &pk));
    char opts[512];
    snprintf(opts, sizeof opts, "%s", defines ? defines : "");
    xq_layer_defines(e, l, pk.wide, opts, sizeof opts);
    const char *body = xc_kernel_source("quant_gemm.cl");
    if (!body) return xc_fail(XC_ERR_INTERNAL, "kernel source kernels/quant_gemm.cl is not embedded");
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "quant_epilogue.cl", body, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, kernel);
    XC_TRY(xq_bind_common(e, l, k, &pk));
    xc_launch_int(k, g.m);
    xc_launch_int(k, g.n);
    xc_launch_int(k, g.k);
    size_t t = tile ? (size_t)tile : 8, global[2] = {xc_round_up((size_t)g.n, t), xc_round_up((size_t)g.m, t)}, local[2] = {t, t};
    xc_launch_range(k, 2, global, tile ? local : NULL);
    return XC_OK;
}

static xc_status naive_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return prepare(e, l, defines, "qgemm_naive", 0);
}

static xc_status tiled_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return prepare(e, l, defines, "qgemm_tiled", xc_define_int(defines, "TILE", 0));
}

static const xc_variant tiles[] = {{"8", "-DTILE=8"}, {"16", "-DTILE=16"}, {NULL, NULL}};
static const xc_variant cpu_tiles[] = {{"16", "-DTILE=16"}, {NULL, NULL}};
static const xc_tactic naive = {"qgemm.naive", NULL, NULL, naive_prepare, NULL};
static const xc_tactic tiled = {"qgemm.tiled", NULL, tiles, tiled_prepare, cpu_tiles};
static const xc_tactic *const tactics[] = {&naive, &tiled, NULL};
const xc_layer_kind xc_kind_qgemm = {"qgemm", accepts, tactics, 0};

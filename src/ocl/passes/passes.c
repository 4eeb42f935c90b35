/* passes.c — the builder's passes after lowering, in the order they run. Each is one file in
 * src/ocl/passes/ and can be switched off by name (--disable-fusion NAME; fusions also by
 * --no-fusion). Constant folding (shape subgraphs included) and dead-layer removal happen while
 * the builder lowers the graph (builder.c). */
#include "ocl/engine.h"
#include "ocl/ocl.h"
#include <string.h>

extern const xc_pass xc_pass_fold_batchnorm, xc_pass_conv_residual, xc_pass_conv_bias_act, xc_pass_gemm_bias_act,
    xc_pass_layernorm_subgraph, xc_pass_pointwise_chain, xc_pass_concat_elimination;
extern const xc_pass xc_pass_attention;
extern const xc_pass xc_pass_qdq_fusion, xc_pass_int8_implicit, xc_pass_gemm_residual, xc_pass_gemm_horizontal;

const xc_pass *const xc_passes[] = {
    &xc_pass_fold_batchnorm,     /* BatchNormalization folded into the Conv/Gemm before it */
    &xc_pass_conv_residual,      /* Conv + Add of another tensor (+ activation) */
    &xc_pass_conv_bias_act,      /* Conv + activation */
    &xc_pass_attention,          /* MatMul -> scale -> mask Add -> Softmax -> MatMul into one flash-attention layer */
    &xc_pass_gemm_bias_act,      /* Gemm/MatMul + bias + activation (GELU/SiLU patterns too) */
    &xc_pass_qdq_fusion,         /* DQ(x) -> Conv/Gemm/MatMul <- DQ(w) [-> Q] into int8 layers */
    &xc_pass_int8_implicit,      /* --int8: float conv/gemm as int8 with calibrated ranges */
    &xc_pass_gemm_residual,      /* MatMul (+ bias) + Add of another tensor, as Gemm's C */
    &xc_pass_gemm_horizontal,    /* MatMuls of one A (Q, K, V projections) as one product */
    &xc_pass_layernorm_subgraph, /* ReduceMean/Sub/Pow/... LayerNorm subgraphs into one kernel */
    &xc_pass_pointwise_chain,    /* elementwise chains into one generated kernel */
    &xc_pass_concat_elimination, /* producers write straight into Concat's output */
    NULL,
};

unsigned xc_pass_bit(const char *name)
{
    for (int p = 0; name && xc_passes[p]; p++)
        if (!strcmp(xc_passes[p]->name, name)) return 1u << p;
    return 0;
}

static int layer_excluded(const xc_engine *e, const xc_layer *l)
{
    for (int k = 0; k < l->n_nodes; k++) {
        const xc_node *n = &e->model->graph->nodes[l->nodes[k]];
        if (xc_name_list_has(&e->opt.no_fuse_nodes, n->name[0] ? n->name : n->outputs[0])) return 1;
    }
    return 0;
}

int xc_fusion_allowed(const xc_engine *e, int a, int b)
{
    if (!e->opt.no_fuse_nodes.n) return 1;
    return !layer_excluded(e, &e->layers[a]) && !layer_excluded(e, &e->layers[b]);
}

const char *xc_ocl_pass_name(int i)
{
    for (int k = 0; xc_passes[k]; k++)
        if (k == i) return xc_passes[k]->name;
    return NULL;
}

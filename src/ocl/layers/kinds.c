/* kinds.c — the layer kinds lowering tries, in order (the first that accepts a node wins).
 * A new kind is one file in src/ocl/layers/ plus one line here. */
#include "ocl/engine.h"

extern const xc_layer_kind xc_kind_view, xc_kind_conv, xc_kind_gemm, xc_kind_pool, xc_kind_softmax, xc_kind_norm, xc_kind_reduce,
    xc_kind_movement, xc_kind_resize, xc_kind_lrn, xc_kind_pointwise;
extern const xc_layer_kind xc_kind_deconv, xc_kind_arg_extreme, xc_kind_cumsum, xc_kind_trilu, xc_kind_topk, xc_kind_onehot,
    xc_kind_gather_scatter, xc_kind_mod, xc_kind_maxpool_indices, xc_kind_layernorm_stats, xc_kind_hardmax, xc_kind_einsum;
extern const xc_layer_kind xc_kind_attention;
extern const xc_layer_kind xc_kind_quant;
extern const xc_layer_kind xc_kind_rnn, xc_kind_gru, xc_kind_lstm;

extern const xc_layer_kind xc_kind_plugin;
const xc_layer_kind *const xc_layer_kinds[] = {
    &xc_kind_plugin, /* custom-domain ops only: a plugin's OpenCL kernel */
    &xc_kind_view,
    &xc_kind_conv,
    &xc_kind_gemm,
    &xc_kind_pool,
    &xc_kind_softmax,
    &xc_kind_norm,
    &xc_kind_reduce,
    &xc_kind_movement,
    &xc_kind_resize,
    &xc_kind_lrn,
    &xc_kind_pointwise,
    &xc_kind_deconv,
    &xc_kind_arg_extreme,
    &xc_kind_cumsum,
    &xc_kind_trilu,
    &xc_kind_topk,
    &xc_kind_onehot,
    &xc_kind_gather_scatter,
    &xc_kind_mod,
    &xc_kind_maxpool_indices,
    &xc_kind_layernorm_stats,
    &xc_kind_hardmax,
    &xc_kind_einsum,
    &xc_kind_attention,
    &xc_kind_rnn,
    &xc_kind_gru,
    &xc_kind_lstm,
    &xc_kind_quant, /* qconv and qgemm: formed by the qdq_fusion pass, never by lowering */
    NULL,
};

/* contrib.h — the com.microsoft contrib-op plugin: the ops ONNX Runtime's graph optimizers emit
 * most, so models saved after its optimizer can be checked (semantics from ONNX Runtime's
 * ContribOperators.md; float32 only). Each file registers its ops from contrib.c's init. */
#ifndef XC_CONTRIB_H
#define XC_CONTRIB_H
#include "crosscheck/plugin.h"

#define CONTRIB_DOMAIN "com.microsoft"

xc_status contrib_register_gelu(xc_plugin_registry *r);            /* Gelu, FastGelu, BiasGelu, QuickGelu */
xc_status contrib_register_skip_layer_norm(xc_plugin_registry *r); /* and SkipSimplifiedLayerNormalization */
xc_status contrib_register_fused_matmul(xc_plugin_registry *r);

/* Fails unless every present input is float32 (when known). */
xc_status contrib_require_float(const xc_plugin_node *n, int n_in, const xc_plugin_shape *in);
/* Output o's shape is input i's, dtype float32. */
void contrib_same_shape(xc_plugin_shape *out, const xc_plugin_shape *in);
/* A zero-filled float32 output shaped like t when out is NULL (inference did not know it). */
xc_status contrib_alloc_like(xc_tensor **out, const xc_tensor *t);

#endif

/* lrn.c — the lrn layer kind: ONNX LRN (local response normalization across channels, as in
 * AlexNet and GoogLeNet) on float tensors of rank 2 or more. Tactic lrn.direct
 * (kernels/lrn.cl): one work-item per element, the channel window summed in a loop. */
#include "ocl/engine.h"
#include <limits.h>
#include <string.h>

static int accepts(const xc_engine *e, const xc_layer *l)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "LRN") || n->domain[0] || l->n_in != 1 || l->n_out != 1 || l->in[0] < 0) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    return x->dtype == XC_FLOAT && y->dtype == XC_FLOAT && !x->value && x->rank >= 2 && xc_et_numel(x) > 0
           && xc_et_numel(x) < (size_t)INT_MAX && xc_attr_int(n, "size", 0) >= 1;
}

static xc_status direct_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_node *n = l->node;
    const xc_etensor *x = &e->tensors[l->in[0]];
    int64_t size = xc_attr_int(n, "size", 1), numel = (int64_t)xc_et_numel(x), channels = x->dims[1];
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "lrn.cl", NULL, defines, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "lrn");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, numel);
    xc_launch_int(k, channels);
    xc_launch_int(k, numel / x->dims[0] / channels);
    xc_launch_int(k, (size - 1) / 2);
    xc_launch_int(k, size / 2);
    xc_launch_float(k, (float)(xc_attr_float(n, "alpha", 1e-4f) / (double)size));
    xc_launch_float(k, xc_attr_float(n, "beta", 0.75f));
    xc_launch_float(k, xc_attr_float(n, "bias", 1.0f));
    size_t global = xc_round_up((size_t)numel, XC_WG_DEFAULT), local = XC_WG_DEFAULT;
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static const xc_tactic direct = {"lrn.direct", NULL, NULL, direct_prepare, NULL};
static const xc_tactic *const tactics[] = {&direct, NULL};
const xc_layer_kind xc_kind_lrn = {"lrn", accepts, tactics, 0};

/* topk.c — the topk layer kind: ONNX TopK (largest or smallest, any axis, constant K) on float32
 * and signed integer tensors: values and int64 indices. Tactic topk.select (kernels/topk.cl):
 * one work-item per slice picking the k best in rank order. */
#include "axis_util.h"
#include <stdio.h>
#include <string.h>

static int axis_of(const xc_engine *e, const xc_layer *l, int64_t *k)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "TopK") || n->domain[0] || l->n_in != 2 || l->n_out != 2 || l->in[0] < 0) return -1;
    if (l->out[0] < 0 || l->out[1] < 0 || !mv_int_indexable(e, l)) return -1;
    const xc_etensor *x = &e->tensors[l->in[0]], *idx = &e->tensors[l->out[1]];
    xc_dtype t = x->dtype;
    if ((t != XC_FLOAT && t != XC_INT32 && t != XC_INT64) || x->value || idx->dtype != XC_INT64) return -1;
    int axis = ax_normalize(xc_attr_int(n, "axis", -1), x->rank);
    if (axis < 0 || !ax_const_int(e, l->in[1], k) || *k < 1 || *k > x->dims[axis] || !xc_et_numel(x)) return -1;
    return axis;
}

static int accepts(const xc_engine *e, const xc_layer *l)
{
    int64_t k;
    return axis_of(e, l, &k) >= 0;
}

static xc_status select_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    int64_t kk;
    const xc_etensor *x = &e->tensors[l->in[0]];
    ax_split s = ax_split_at(x, axis_of(e, l, &kk));
    char opts[256];
    snprintf(opts, sizeof opts, "-DLARGEST=%d %s", xc_attr_int(l->node, "largest", 1) != 0, defines ? defines : "");
    ax_type_define(opts, sizeof opts, "X", x->dtype);
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "topk.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "topk");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    xc_launch_tensor(k, l->out[1]);
    ax_launch_axis(k, s.outer * s.inner, s);
    xc_launch_int(k, kk);
    xc_launch_1d(k, (size_t)(s.outer * s.inner));
    return XC_OK;
}

static const xc_tactic select_tactic = {"topk.select", NULL, NULL, select_prepare, NULL};
static const xc_tactic *const tactics[] = {&select_tactic, NULL};
const xc_layer_kind xc_kind_topk = {"topk", accepts, tactics, 0};

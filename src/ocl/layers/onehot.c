/* onehot.c — the onehot layer kind: ONNX OneHot with int32/int64 indices, a constant depth and
 * values of any dtype. Tactic onehot.expand (kernels/onehot.cl): one work-item per output
 * element choosing on or off. */
#include "axis_util.h"
#include <stdio.h>
#include <string.h>

static int axis_of(const xc_engine *e, const xc_layer *l)
{
    const xc_node *n = l->node;
    int64_t depth;
    if (strcmp(n->op_type, "OneHot") || n->domain[0] || l->n_in != 3 || l->n_out != 1) return -1;
    if (l->in[0] < 0 || l->in[2] < 0 || !mv_int_indexable(e, l)) return -1;
    const xc_etensor *ind = &e->tensors[l->in[0]], *vals = &e->tensors[l->in[2]], *y = &e->tensors[l->out[0]];
    if ((ind->dtype != XC_INT32 && ind->dtype != XC_INT64) || vals->dtype != y->dtype || xc_et_numel(vals) != 2) return -1;
    if (!mv_copy_type(mv_elem_size(l, y)) || !xc_et_numel(y) || !ax_const_int(e, l->in[1], &depth)) return -1;
    int axis = ax_normalize(xc_attr_int(n, "axis", -1), y->rank);
    return axis >= 0 && y->dims[axis] == depth ? axis : -1;
}

static int accepts(const xc_engine *e, const xc_layer *l) { return axis_of(e, l) >= 0; }

static xc_status expand_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *ind = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    ax_split s = ax_split_at(y, axis_of(e, l));
    char opts[256];
    snprintf(opts, sizeof opts, "-DELEM=%s -DIDX=%s %s", mv_copy_type(mv_elem_size(l, y)), ax_int_type(ind->dtype),
             defines ? defines : "");
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "onehot.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "onehot");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    XC_TRY(xc_launch_input(e, l, k, l->in[2]));
    xc_launch_tensor(k, l->out[0]);
    ax_launch_axis(k, (int64_t)xc_et_numel(y), s);
    xc_launch_1d(k, xc_et_numel(y));
    return XC_OK;
}

static const xc_tactic expand = {"onehot.expand", NULL, NULL, expand_prepare, NULL};
static const xc_tactic *const tactics[] = {&expand, NULL};
const xc_layer_kind xc_kind_onehot = {"onehot", accepts, tactics, 0};

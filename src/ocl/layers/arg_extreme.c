/* arg_extreme.c — the arg_extreme layer kind: ONNX ArgMax and ArgMin (keepdims either way,
 * select_last_index) on float32 and integer tensors, int64 indices out. Tactic
 * arg_extreme.axis (kernels/arg_extreme.cl): one work-item per output element scanning its
 * column along the axis. keepdims changes only the output's shape, not its elements' order. */
#include "axis_util.h"
#include <stdio.h>
#include <string.h>

static int axis_of(const xc_engine *e, const xc_layer *l)
{
    const xc_node *n = l->node;
    if ((strcmp(n->op_type, "ArgMax") && strcmp(n->op_type, "ArgMin")) || n->domain[0]) return -1;
    if (l->n_in != 1 || l->n_out != 1 || l->in[0] < 0 || !mv_int_indexable(e, l)) return -1;
    const xc_etensor *x = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    if (!ax_numeric(x->dtype) || y->dtype != XC_INT64 || x->rank < 1 || !xc_et_numel(y)) return -1;
    int axis = ax_normalize(xc_attr_int(n, "axis", 0), x->rank);
    return axis >= 0 && x->dims[axis] > 0 ? axis : -1;
}

static int accepts(const xc_engine *e, const xc_layer *l) { return axis_of(e, l) >= 0; }

static xc_status axis_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    ax_split s = ax_split_at(x, axis_of(e, l));
    char opts[256];
    snprintf(opts, sizeof opts, "-DSIGN=%d -DLAST=%d %s", strcmp(l->node->op_type, "ArgMax") ? -1 : 1,
             xc_attr_int(l->node, "select_last_index", 0) != 0, defines ? defines : "");
    ax_type_define(opts, sizeof opts, "X", x->dtype);
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "arg_extreme.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "arg_extreme");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    ax_launch_axis(k, (int64_t)xc_et_numel(y), s);
    xc_launch_1d(k, xc_et_numel(y));
    return XC_OK;
}

static const xc_tactic axis_tactic = {"arg_extreme.axis", NULL, NULL, axis_prepare, NULL};
static const xc_tactic *const tactics[] = {&axis_tactic, NULL};
const xc_layer_kind xc_kind_arg_extreme = {"arg_extreme", accepts, tactics, 0};

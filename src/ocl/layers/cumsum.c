/* cumsum.c — the cumsum layer kind: ONNX CumSum (exclusive, reverse) on float32 and signed
 * integer tensors. Tactic cumsum.column (kernels/cumsum.cl): one work-item per column along
 * the axis, a serial scan in the reference's order; an axis computed at run time is read by
 * the kernel (kernel cumsum_any_axis: one work-item per element, column heads scanning). A GPT's
 * position ids (CumSum of an int64 attention mask) take this path too. */
#include "axis_util.h"
#include <stdio.h>
#include <string.h>

static int axis_of(const xc_engine *e, const xc_layer *l)
{
    const xc_node *n = l->node;
    int64_t a;
    if (strcmp(n->op_type, "CumSum") || n->domain[0] || l->n_in != 2 || l->n_out != 1 || l->in[0] < 0) return -1;
    const xc_etensor *x = &e->tensors[l->in[0]];
    xc_dtype t = x->dtype;
    if ((t != XC_FLOAT && t != XC_INT32 && t != XC_INT64) || x->value || !mv_int_indexable(e, l) || !xc_et_numel(x)) return -1;
    if (l->in[1] < 0) return -1;
    if (ax_const_int(e, l->in[1], &a)) return ax_normalize(a, x->rank);
    xc_dtype at = e->tensors[l->in[1]].dtype;
    return (at == XC_INT32 || at == XC_INT64) && !e->tensors[l->in[1]].value ? x->rank : -1; /* read at run time */
}

static int accepts(const xc_engine *e, const xc_layer *l) { return axis_of(e, l) >= 0; }

/* CumSum whose axis is a tensor computed at run time. */
static xc_status any_axis_prepare(xc_engine *e, xc_layer *l, cl_program p)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    int dims[XC_MAX_RANK + 1] = {0};
    for (int d = 0; d < x->rank; d++) dims[d] = (int)x->dims[d];
    xc_launch *k = xc_layer_add_launch(l, p, "cumsum_any_axis");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    XC_TRY(xc_launch_input(e, l, k, l->in[1]));
    xc_launch_tensor(k, l->out[0]);
    XC_TRY(mv_launch_ints(e, k, dims, (size_t)x->rank + 1));
    xc_launch_int(k, x->rank);
    xc_launch_int(k, (int64_t)xc_et_numel(x));
    xc_launch_int(k, xc_attr_int(l->node, "exclusive", 0) != 0);
    xc_launch_int(k, xc_attr_int(l->node, "reverse", 0) != 0);
    xc_launch_status(e, l, k);
    xc_launch_1d(k, xc_et_numel(x));
    return XC_OK;
}

static xc_status column_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    int axis = axis_of(e, l), run_time = axis == x->rank;
    char opts[256];
    snprintf(opts, sizeof opts, "%s%s %s", run_time ? "-DAXIS_T=" : "", run_time ? ax_int_type(e->tensors[l->in[1]].dtype) : "",
             defines ? defines : "");
    ax_type_define(opts, sizeof opts, "X", x->dtype);
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "cumsum.cl", NULL, opts, &p));
    if (run_time) return any_axis_prepare(e, l, p);
    ax_split s = ax_split_at(x, axis);
    xc_launch *k = xc_layer_add_launch(l, p, "cumsum");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    ax_launch_axis(k, s.outer * s.inner, s);
    xc_launch_int(k, xc_attr_int(l->node, "exclusive", 0) != 0);
    xc_launch_int(k, xc_attr_int(l->node, "reverse", 0) != 0);
    xc_launch_1d(k, (size_t)(s.outer * s.inner));
    return XC_OK;
}

static const xc_tactic column = {"cumsum.column", NULL, NULL, column_prepare, NULL};
static const xc_tactic *const tactics[] = {&column, NULL};
const xc_layer_kind xc_kind_cumsum = {"cumsum", accepts, tactics, 0};

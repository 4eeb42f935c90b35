/* cumsum.c — the cumsum layer kind: ONNX CumSum (exclusive, reverse) on float32 and signed
 * integer tensors with a constant axis. Tactic cumsum.column (kernels/cumsum.cl): one
 * work-item per column along the axis, a serial scan in the reference's order. A GPT's
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
    return ax_const_int(e, l->in[1], &a) ? ax_normalize(a, x->rank) : -1;
}

static int accepts(const xc_engine *e, const xc_layer *l) { return axis_of(e, l) >= 0; }

static xc_status column_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    ax_split s = ax_split_at(x, axis_of(e, l));
    char opts[256];
    snprintf(opts, sizeof opts, "%s", defines ? defines : "");
    ax_type_define(opts, sizeof opts, "X", x->dtype);
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "cumsum.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "cumsum");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, s.outer * s.inner);
    xc_launch_int(k, s.n);
    xc_launch_int(k, s.inner);
    xc_launch_int(k, xc_attr_int(l->node, "exclusive", 0) != 0);
    xc_launch_int(k, xc_attr_int(l->node, "reverse", 0) != 0);
    mv_launch_1d(k, (size_t)(s.outer * s.inner));
    return XC_OK;
}

static const xc_tactic column = {"cumsum.column", NULL, NULL, column_prepare, NULL};
static const xc_tactic *const tactics[] = {&column, NULL};
const xc_layer_kind xc_kind_cumsum = {"cumsum", accepts, tactics};

/* layernorm_stats.c — the layernorm_stats layer kind: ONNX LayerNormalization whose Mean or
 * InvStdDev output is used (training graphs and some exporters keep them); the norm kind takes
 * the ones that compute Y alone. Float32, any axis, scale and bias broadcast over trailing dims.
 * Tactic layernorm_stats.row_serial (kernels/layernorm_stats.cl): one work-item per row. */
#include "axis_util.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Elements of param tensor t if it broadcasts over x's trailing dims from axis on (leading 1s
 * allowed), else 0. */
static int64_t param_elems(const xc_engine *e, int t, const xc_etensor *x, int axis)
{
    const xc_etensor *p = &e->tensors[t];
    if (p->dtype != XC_FLOAT) return 0;
    int lead = 0;
    while (lead < p->rank && p->dims[lead] == 1) lead++;
    int64_t n = 1;
    for (int k = lead; k < p->rank; k++) {
        int xd = x->rank - (p->rank - k);
        if (xd < axis || p->dims[k] != x->dims[xd]) return 0;
        n *= p->dims[k];
    }
    return n;
}

static int axis_of(const xc_engine *e, const xc_layer *l)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "LayerNormalization") || n->domain[0] || l->n_in < 2 || l->n_in > 3 || l->n_out < 2) return -1;
    if (l->in[0] < 0 || l->in[1] < 0 || l->out[0] < 0 || !mv_int_indexable(e, l)) return -1;
    int used = 0;
    for (int o = 1; o < l->n_out; o++) used |= l->out[o] >= 0;
    const xc_etensor *x = &e->tensors[l->in[0]];
    if (!used || x->dtype != XC_FLOAT || x->value || !xc_et_numel(x) || xc_attr_int(n, "stash_type", 1) != 1) return -1;
    for (int o = 0; o < l->n_out; o++)
        if (l->out[o] >= 0 && e->tensors[l->out[o]].dtype != XC_FLOAT) return -1;
    int axis = ax_normalize(xc_attr_int(n, "axis", -1), x->rank);
    if (axis < 0 || !param_elems(e, l->in[1], x, axis)) return -1;
    return l->n_in == 3 && l->in[2] >= 0 && !param_elems(e, l->in[2], x, axis) ? -1 : axis;
}

static int accepts(const xc_engine *e, const xc_layer *l) { return axis_of(e, l) >= 0; }

static xc_status row_serial_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    int axis = axis_of(e, l), bias = l->n_in == 3 && l->in[2] >= 0;
    int mean = l->out[1] >= 0, inv = l->n_out > 2 && l->out[2] >= 0;
    int64_t rows = 1, len = 1;
    for (int d = 0; d < x->rank; d++) *(d < axis ? &rows : &len) *= x->dims[d];
    char opts[256];
    snprintf(opts, sizeof opts, "%s%s%s%s", bias ? "-DHAS_BIAS " : "", mean ? "-DHAS_MEAN " : "", inv ? "-DHAS_INV_STD " : "",
             defines ? defines : "");
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "layernorm_stats.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "layernorm_stats");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    XC_TRY(xc_launch_input(e, l, k, l->in[1]));
    if (bias) XC_TRY(xc_launch_input(e, l, k, l->in[2]));
    xc_launch_tensor(k, l->out[0]);
    if (mean) xc_launch_tensor(k, l->out[1]);
    if (inv) xc_launch_tensor(k, l->out[2]);
    xc_launch_int(k, rows);
    xc_launch_int(k, len);
    xc_launch_int(k, param_elems(e, l->in[1], x, axis));
    xc_launch_int(k, bias ? param_elems(e, l->in[2], x, axis) : 1);
    xc_launch_float(k, xc_attr_float(l->node, "epsilon", 1e-5f));
    xc_launch_1d(k, (size_t)rows);
    return XC_OK;
}

static const xc_tactic row_serial = {"layernorm_stats.row_serial", NULL, NULL, row_serial_prepare, NULL};
static const xc_tactic *const tactics[] = {&row_serial, NULL};
const xc_layer_kind xc_kind_layernorm_stats = {"layernorm_stats", accepts, tactics, 0};

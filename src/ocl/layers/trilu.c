/* trilu.c — the trilu layer kind: ONNX Trilu (upper or lower; k constant, computed at run time
 * or absent) on tensors of any dtype. Tactic trilu.mask (kernels/trilu.cl): elements copied as bits where kept. */
#include "axis_util.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* The k tensor when it is not a constant (read by the kernel), else -1. */
static int k_tensor(const xc_engine *e, const xc_layer *l)
{
    int64_t k;
    return l->n_in == 2 && l->in[1] >= 0 && !ax_const_int(e, l->in[1], &k) ? l->in[1] : -1;
}

static int k_of(const xc_engine *e, const xc_layer *l, int64_t *k)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "Trilu") || n->domain[0] || l->n_in < 1 || l->n_in > 2 || l->n_out != 1 || l->in[0] < 0) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]];
    if (x->rank < 2 || x->value || !xc_et_numel(x) || !mv_int_indexable(e, l) || !mv_copy_type(mv_elem_size(l, x))) return 0;
    *k = 0;
    int kt = k_tensor(e, l);
    if (kt >= 0) return e->tensors[kt].dtype == XC_INT64 || e->tensors[kt].dtype == XC_INT32;
    if (l->n_in == 2 && l->in[1] >= 0) ax_const_int(e, l->in[1], k);
    return 1;
}

static int accepts(const xc_engine *e, const xc_layer *l)
{
    int64_t k;
    return k_of(e, l, &k);
}

static xc_status mask_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    int64_t k, rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
    k_of(e, l, &k);
    k = k < -rows ? -rows : k > cols ? cols : k; /* the same mask, and it fits an int */
    int kt = k_tensor(e, l);
    char opts[256];
    snprintf(opts, sizeof opts, "-DELEM=%s%s%s %s", mv_copy_type(mv_elem_size(l, x)), kt >= 0 ? " -DK_T=" : "",
             kt >= 0 ? ax_int_type(e->tensors[kt].dtype) : "", defines ? defines : "");
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "trilu.cl", NULL, opts, &p));
    xc_launch *kl = xc_layer_add_launch(l, p, "trilu");
    XC_TRY(xc_launch_input(e, l, kl, l->in[0]));
    if (kt >= 0) XC_TRY(xc_launch_input(e, l, kl, kt));
    xc_launch_tensor(kl, l->out[0]);
    xc_launch_int(kl, (int64_t)xc_et_numel(x));
    xc_launch_int(kl, rows);
    xc_launch_int(kl, cols);
    xc_launch_int(kl, k);
    xc_launch_int(kl, xc_attr_int(l->node, "upper", 1) != 0);
    xc_launch_1d(kl, xc_et_numel(x));
    return XC_OK;
}

static const xc_tactic mask = {"trilu.mask", NULL, NULL, mask_prepare, NULL};
static const xc_tactic *const tactics[] = {&mask, NULL};
const xc_layer_kind xc_kind_trilu = {"trilu", accepts, tactics, 0};

/* mod.c — the mod layer kind: ONNX Mod (fmod 0 or 1, broadcasting) on float32 and integer
 * tensors. Tactic mod.broadcast (kernels/mod.cl). The pointwise kind's float-only
 * expression table cannot hold it: integer Mod (index arithmetic in exported models) is the
 * common case. */
#include "axis_util.h"
#include <stdio.h>
#include <string.h>

static int accepts(const xc_engine *e, const xc_layer *l)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "Mod") || n->domain[0] || l->n_in != 2 || l->n_out != 1 || l->in[0] < 0 || l->in[1] < 0) return 0;
    const xc_etensor *a = &e->tensors[l->in[0]], *b = &e->tensors[l->in[1]], *y = &e->tensors[l->out[0]];
    xc_dtype t = y->dtype;
    return ax_numeric(t) && a->dtype == t && b->dtype == t && y->rank >= a->rank && y->rank >= b->rank && xc_et_numel(y)
           && mv_int_indexable(e, l);
}

static xc_status broadcast_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *y = &e->tensors[l->out[0]];
    int r = y->rank, view[3 * XC_MAX_RANK + 1] = {0};
    for (int d = 0; d < r; d++) view[d] = (int)y->dims[d];
    for (int i = 0; i < 2; i++) {
        const xc_etensor *t = &e->tensors[l->in[i]];
        for (int d = t->rank - 1, stride = 1; d >= 0; stride *= (int)t->dims[d], d--)
            view[(i + 1) * r + d + (r - t->rank)] = t->dims[d] == 1 ? 0 : stride;
    }
    char opts[256];
    snprintf(opts, sizeof opts, "-DFMOD=%d %s", xc_attr_int(l->node, "fmod", 0) != 0, defines ? defines : "");
    ax_type_define(opts, sizeof opts, "X", y->dtype);
    if (y->dtype == XC_UINT8 || y->dtype == XC_UINT16 || y->dtype == XC_UINT32 || y->dtype == XC_UINT64)
        snprintf(opts + strlen(opts), sizeof opts - strlen(opts), " -DX_UNSIGNED");
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "mod.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "mod");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    XC_TRY(xc_launch_input(e, l, k, l->in[1]));
    xc_launch_tensor(k, l->out[0]);
    XC_TRY(mv_launch_ints(e, k, view, 3 * (size_t)r + 1));
    xc_launch_int(k, r);
    xc_launch_int(k, (int64_t)xc_et_numel(y));
    xc_launch_1d(k, xc_et_numel(y));
    return XC_OK;
}

static const xc_tactic broadcast = {"mod.broadcast", NULL, NULL, broadcast_prepare, NULL};
static const xc_tactic *const tactics[] = {&broadcast, NULL};
const xc_layer_kind xc_kind_mod = {"mod", accepts, tactics, 0};

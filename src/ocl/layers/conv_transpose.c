/* conv_transpose.c — the deconv layer kind: ONNX ConvTranspose on float tensors with 1 to 3
 * spatial axes, every pads / output_padding / output_shape / auto_pad / groups / dilations
 * combination (the geometry is the one src/ops/conv_geom.c gives the reference and the schema).
 * Tactic deconv.gather (kernels/conv_transpose.cl): one work-item per output element, gathering
 * its inputs, so the result needs no atomics and is the same run after run. The geometry goes
 * in as arguments, not -D defines: every ConvTranspose of a model shares one program. */
#include "ocl/engine.h"
#include "ops/conv_geom.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>

static int geometry(const xc_engine *e, const xc_layer *l, xc_window *w)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "ConvTranspose") || n->domain[0] || l->n_out != 1 || l->n_in < 2 || l->n_in > 3) return 0;
    if (l->in[0] < 0 || l->in[1] < 0) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]], *wt = &e->tensors[l->in[1]], *y = &e->tensors[l->out[0]];
    if (x->dtype != XC_FLOAT || wt->dtype != XC_FLOAT || y->dtype != XC_FLOAT) return 0;
    if (l->n_in == 3 && l->in[2] >= 0 && e->tensors[l->in[2]].dtype != XC_FLOAT) return 0;
    int nsp = x->rank - 2;
    if (nsp < 1 || nsp > 3 || wt->rank != x->rank || y->rank != x->rank || !xc_et_numel(y)) return 0;
    if (xc_et_numel(x) >= (size_t)INT_MAX || xc_et_numel(y) >= (size_t)INT_MAX || xc_et_numel(wt) >= (size_t)INT_MAX) return 0;
    if (xc_window_transpose(n, nsp, x->dims + 2, wt->dims + 2, w) != XC_OK) {
        xc_error_clear(); /* the schema refused it at inference already; the CPU path reports it */
        return 0;
    }
    xc_window_lift(w, 3);
    const int64_t *rows[] = {w->in, w->out, w->kernel, w->stride, w->dilation, w->pad_begin};
    for (int r = 0; r < 6; r++) /* the kernel takes them as ints; strides and dilations divide */
        for (int a = 0; a < 3; a++)
            if (rows[r][a] > INT_MAX / 2 || rows[r][a] < -(INT_MAX / 2) || (r >= 3 && r <= 4 && rows[r][a] < 1)) return 0;
    int64_t group = xc_attr_int(n, "group", 1);
    return group >= 1 && x->dims[1] % group == 0 && wt->dims[0] == x->dims[1] && wt->dims[1] * group == y->dims[1];
}

static int accepts(const xc_engine *e, const xc_layer *l)
{
    xc_window w;
    return geometry(e, l, &w);
}

static xc_status gather_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    xc_window w;
    if (!geometry(e, l, &w)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': ConvTranspose geometry", l->name);
    const xc_etensor *x = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    int bias = l->n_in == 3 && l->in[2] >= 0;
    char opts[256];
    snprintf(opts, sizeof opts, "%s%s", bias ? "-DHAS_BIAS " : "", defines ? defines : "");
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "conv_transpose.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "conv_transpose");
    for (int i = 0; i < (bias ? 3 : 2); i++) XC_TRY(xc_launch_input(e, l, k, l->in[i]));
    xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, (int64_t)xc_et_numel(y));
    xc_launch_int(k, x->dims[1]);
    xc_launch_int(k, y->dims[1]);
    xc_launch_int(k, xc_attr_int(l->node, "group", 1));
    const int64_t *rows[] = {w.in, w.out, w.kernel, w.stride, w.dilation, w.pad_begin};
    for (int r = 0; r < 6; r++)
        for (int a = 0; a < 3; a++) xc_launch_int(k, rows[r][a]);
    size_t global = xc_round_up(xc_et_numel(y), XC_WG_DEFAULT), local = XC_WG_DEFAULT;
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static const xc_tactic gather = {"deconv.gather", NULL, NULL, gather_prepare, NULL};
static const xc_tactic *const tactics[] = {&gather, NULL};
const xc_layer_kind xc_kind_deconv = {"deconv", accepts, tactics, 1};

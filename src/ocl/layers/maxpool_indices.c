/* maxpool_indices.c — the maxpool_indices layer kind: ONNX MaxPool whose Indices output is used
 * (SegNet-style decoders feed it to MaxUnpool), float32 with one to three spatial axes, every
 * pads / strides / dilations / ceil_mode / auto_pad / storage_order. The pool kind takes MaxPool
 * without Indices. Tactic maxpool_indices.direct (kernels/maxpool_indices.cl): geometry as
 * arguments, so every such MaxPool of a model shares one program. */
#include "axis_util.h"
#include "ops/conv_geom.h"
#include <limits.h>
#include <string.h>

static int geometry(const xc_engine *e, const xc_layer *l, xc_window *w)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "MaxPool") || n->domain[0] || l->n_in != 1 || l->n_out != 2) return 0;
    if (l->in[0] < 0 || l->out[0] < 0 || l->out[1] < 0 || !mv_int_indexable(e, l)) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]];
    if (x->dtype != XC_FLOAT || e->tensors[l->out[1]].dtype != XC_INT64 || x->value || !xc_et_numel(x)) return 0;
    if (x->rank < 3 || x->rank > 5 || !xc_et_numel(&e->tensors[l->out[0]])) return 0;
    if (xc_window_forward(n, x->rank - 2, x->dims + 2, NULL, w) != XC_OK) {
        xc_error_clear();
        return 0;
    }
    xc_window_lift(w, 3);
    const int64_t *rows[] = {w->kernel, w->stride, w->dilation, w->pad_begin};
    for (int r = 0; r < 4; r++) /* the kernel takes them as ints */
        for (int a = 0; a < 3; a++)
            if (rows[r][a] > INT_MAX / 2 || rows[r][a] < -(INT_MAX / 2)) return 0;
    return 1;
}

static int accepts(const xc_engine *e, const xc_layer *l)
{
    xc_window w;
    return geometry(e, l, &w);
}

static xc_status direct_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    xc_window w;
    if (!geometry(e, l, &w)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': MaxPool geometry", l->name);
    size_t total = xc_et_numel(&e->tensors[l->out[0]]);
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "maxpool_indices.cl", NULL, defines, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "maxpool_indices");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    xc_launch_tensor(k, l->out[1]);
    xc_launch_int(k, (int64_t)total);
    const int64_t *rows[] = {w.in, w.out, w.kernel, w.stride, w.dilation, w.pad_begin};
    for (int r = 0; r < 6; r++)
        for (int a = 0; a < 3; a++) xc_launch_int(k, rows[r][a]);
    xc_launch_int(k, xc_attr_int(l->node, "storage_order", 0) != 0);
    xc_launch_status(e, l, k);
    xc_launch_1d(k, total);
    return XC_OK;
}

static const xc_tactic direct = {"maxpool_indices.direct", NULL, NULL, direct_prepare, NULL};
static const xc_tactic *const tactics[] = {&direct, NULL};
const xc_layer_kind xc_kind_maxpool_indices = {"maxpool_indices", accepts, tactics, 0};

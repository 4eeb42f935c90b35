/* hardmax.c — the hardmax layer kind: ONNX Hardmax on float32. Opset 13 works along the one
 * axis `axis` (default -1); earlier opsets flatten the input to 2-D at `axis` (default 1), as
 * the softmax kind and the reference do. Tactic hardmax.lane (kernels/hardmax.cl). */
#include "axis_util.h"
#include <string.h>

/* x as [outer, n, inner] around the node's axis; 0 if the layer is not one this kind runs. */
static int lanes_of(const xc_engine *e, const xc_layer *l, ax_split *s)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "Hardmax") || n->domain[0] || l->n_in != 1 || l->n_out != 1 || l->in[0] < 0) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]];
    if (x->dtype != XC_FLOAT || x->value || x->rank < 1 || !xc_et_numel(x) || !mv_int_indexable(e, l)) return 0;
    int per_axis = n->opset >= 13, axis = ax_normalize(xc_attr_int(n, "axis", per_axis ? -1 : 1), x->rank);
    if (axis < 0) return 0;
    *s = (ax_split){1, 1, 1};
    for (int k = 0; k < x->rank; k++) *(k < axis ? &s->outer : k == axis || !per_axis ? &s->n : &s->inner) *= x->dims[k];
    return 1;
}

static int accepts(const xc_engine *e, const xc_layer *l)
{
    ax_split s;
    return lanes_of(e, l, &s);
}

static xc_status lane_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    ax_split s;
    lanes_of(e, l, &s);
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "hardmax.cl", NULL, defines, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "hardmax");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    ax_launch_axis(k, s.outer * s.inner, s);
    xc_launch_1d(k, (size_t)(s.outer * s.inner));
    return XC_OK;
}

static const xc_tactic lane = {"hardmax.lane", NULL, NULL, lane_prepare, NULL};
static const xc_tactic *const tactics[] = {&lane, NULL};
const xc_layer_kind xc_kind_hardmax = {"hardmax", accepts, tactics, 0};

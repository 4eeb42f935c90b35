/* concat_elimination.c — Concats that copy nothing. A Concat's output is its inputs laid side by
 * side; when every slice is one contiguous block of the output (all dims before the axis are 1),
 * each input's producer can write straight into its slice: the input becomes a slice alias of
 * the output (alias + alias_offset; the runtime binds a sub-buffer), the memory plan places the
 * output at the first write to any slice, and the Concat layer is left with nothing to do
 * (kind "inplace"). A Concat with exactly one non-empty input becomes a view of it instead.
 *
 * A channel Concat at batch > 1 (squeezenet's and inception's at batch 32, which copied 11 % of
 * squeezenet's time on an H100) has strided slices: each image of an input is one block of the
 * output's image. Those are written in place where every producer is a conv (the conv kernels
 * take the output's offset and image stride: conv_out in kernels/conv2d_common.cl) without a
 * residual (whose read shares the output's index), and only the Concat reads each input, which is
 * never contiguous anywhere (alias_image; the runtime binds such a slice as the output's whole
 * buffer and reads it back an image at a time).
 *
 * Where it does not apply, the Concat copies as before: an input that is a constant, a graph
 * input or output, another view or slice, produced on the CPU or read twice by this Concat; a
 * slice whose byte offset misses the device's sub-buffer alignment; where the engine makes no
 * slices at all (xc_engine_slice_fits). */
#include "ocl/engine.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

extern const xc_layer_kind xc_kind_view, xc_kind_conv;

/* Whether an input of in-place Concat p is a strided slice (its output then cannot be a slice in
 * turn: the conv kernels place only one level of stride). */
static int has_strided_slices(const xc_engine *e, const xc_layer *p)
{
    for (int i = 0; i < p->n_in; i++)
        if (p->in[i] >= 0 && e->tensors[p->in[i]].alias_image) return 1;
    return 0;
}

/* The one input of Concat layer l with elements, or -1 (none, several, or it is a constant). */
static int sole_nonempty_input(const xc_engine *e, const xc_layer *l)
{
    int found = -1;
    for (int i = 0; i < l->n_in; i++) {
        if (l->in[i] < 0 || !xc_et_numel(&e->tensors[l->in[i]])) continue;
        if (found >= 0) return -1;
        found = i;
    }
    return found >= 0 && !e->tensors[l->in[found]].value ? found : -1;
}

/* Can input i of Concat layer l be written in place at element offset `offset`? */
static int slice_ok(const xc_engine *e, const xc_layer *l, int i, size_t offset)
{
    int t = l->in[i];
    if (t < 0) return 0;
    const xc_etensor *x = &e->tensors[t], *y = &e->tensors[l->out[0]];
    if (x->value || x->graph_input >= 0 || x->graph_output >= 0 || x->alias >= 0 || x->dtype != y->dtype || !xc_et_numel(x))
        return 0;
    for (int j = 0; j < i; j++)
        if (l->in[j] == t) return 0;
    if (x->producer < 0) return 0;
    const xc_layer *p = &e->layers[x->producer];
    /* a view's output is its input's storage; an in-place Concat's output (nested Concats, as in
     * DenseNet) may become a slice itself: slice offsets add up along the alias chain */
    if (p->dead || p->cpu || p->kind == &xc_kind_view || (p->kind == &xc_kind_inplace && has_strided_slices(e, p))) return 0;
    return xc_engine_slice_fits(e, x, offset);
}

/* Can input i of Concat layer k (along axis 1, batch > 1) be a strided slice? Its producer is a
 * conv without a residual, and the Concat is its only reader. */
static int strided_ok(const xc_engine *e, int k, int i)
{
    int t = e->layers[k].in[i];
    const xc_layer *p = &e->layers[e->tensors[t].producer];
    return p->kind == &xc_kind_conv && p->residual < 0 && p->n_out == 1 && xc_sole_consumer(e, t) == k;
}

/* Concat layer k in place, if every input can be; returns 1 when done. */
static int write_in_place(xc_engine *e, int k)
{
    xc_layer *l = &e->layers[k];
    const xc_etensor *y = &e->tensors[l->out[0]];
    int64_t axis = xc_attr_int(l->node, "axis", 0);
    if (axis < 0) axis += y->rank;
    if (axis < 0 || axis >= y->rank || y->value || y->graph_input >= 0) return 0;
    int strided = 0; /* slices strided, not blocks: only the conv case above */
    for (int d = 0; d < axis; d++) strided |= y->dims[d] != 1;
    if (strided && (axis != 1 || y->rank < 3 || y->rank > 4 || xc_et_numel(y) >= (size_t)INT_MAX)) return 0;
    size_t images = strided ? (size_t)y->dims[0] : 1, offset = 0; /* offset: within one image */
    for (int i = 0; i < l->n_in; i++) {
        if (!slice_ok(e, l, i, strided ? 0 : offset) || (strided && !strided_ok(e, k, i))) return 0;
        offset += xc_et_numel(&e->tensors[l->in[i]]) / images;
    }
    if (offset * images != xc_et_numel(y)) return 0;
    offset = 0;
    for (int i = 0; i < l->n_in; i++) {
        xc_etensor *x = &e->tensors[l->in[i]];
        x->alias = l->out[0];
        x->alias_offset = offset;
        x->alias_image = strided ? xc_et_numel(y) / images : 0;
        offset += xc_et_numel(x) / images;
    }
    l->kind = &xc_kind_inplace;
    return 1;
}

static xc_status run(xc_engine *e)
{
    for (int k = 0; k < e->n_layers; k++) {
        xc_layer *l = &e->layers[k];
        if (l->dead || l->cpu || l->node->domain[0] || strcmp(l->node->op_type, "Concat") || l->n_out != 1) continue;
        if (!xc_fusion_allowed(e, k, k)) continue;
        int i = sole_nonempty_input(e, l);
        if (i >= 0) {
            l->in[0] = l->in[i];
            l->n_in = 1;
            l->kind = &xc_kind_view; /* its tactic aliases the output to in[0] */
        } else if (!write_in_place(e, k)) {
            continue;
        }
        l->fusion = "concat_elimination";
        l->fusions |= xc_pass_bit(l->fusion);
    }
    return XC_OK;
}

const xc_pass xc_pass_concat_elimination = {"concat_elimination", 1, run};

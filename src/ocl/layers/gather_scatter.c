/* gather_scatter.c — the gather_scatter layer kind: ONNX GatherElements, ScatterElements,
 * GatherND (batch_dims) and ScatterND on data of any dtype with int32/int64 indices, which may
 * be computed at run time (kernels/gather_scatter.cl). Scatters with a reduction other than
 * "none" are left to the reference (--fallback-cpu): their result depends on the order updates
 * land in, which a parallel kernel does not keep. */
#include "axis_util.h"
#include <stdio.h>
#include <string.h>

typedef enum { GS_NONE, GS_GATHER_ELEMENTS, GS_SCATTER_ELEMENTS, GS_GATHER_ND, GS_SCATTER_ND } gs_op;

static const xc_etensor *in_t(const xc_engine *e, const xc_layer *l, int i) { return &e->tensors[l->in[i]]; }

static gs_op op_of(const xc_engine *e, const xc_layer *l)
{
    static const char *const names[] = {"", "GatherElements", "ScatterElements", "GatherND", "ScatterND"};
    const xc_node *n = l->node;
    gs_op op = GS_NONE;
    for (int k = 1; k < 5 && !n->domain[0]; k++)
        if (!strcmp(n->op_type, names[k])) op = (gs_op)k;
    int scatter = op == GS_SCATTER_ELEMENTS || op == GS_SCATTER_ND;
    if (op == GS_NONE || l->n_in != (scatter ? 3 : 2) || l->n_out != 1 || !mv_int_indexable(e, l)) return GS_NONE;
    for (int i = 0; i < l->n_in; i++)
        if (l->in[i] < 0) return GS_NONE;
    if (scatter && strcmp(xc_attr_string(n, "reduction", "none"), "none")) return GS_NONE;
    const xc_etensor *data = in_t(e, l, 0), *ind = in_t(e, l, 1), *y = &e->tensors[l->out[0]];
    if ((ind->dtype != XC_INT32 && ind->dtype != XC_INT64) || !mv_copy_type(mv_elem_size(l, y)) || !xc_et_numel(y)) return GS_NONE;
    if (scatter && in_t(e, l, 2)->dtype != data->dtype) return GS_NONE;
    if (op == GS_GATHER_ELEMENTS || op == GS_SCATTER_ELEMENTS)
        return ind->rank == data->rank && ax_normalize(xc_attr_int(n, "axis", 0), data->rank) >= 0 ? op : GS_NONE;
    int64_t b = op == GS_GATHER_ND ? xc_attr_int(n, "batch_dims", 0) : 0;
    if (ind->rank < 1) return GS_NONE;
    int64_t K = ind->dims[ind->rank - 1];
    return K >= 1 && b >= 0 && b < ind->rank && b + K <= data->rank ? op : GS_NONE;
}

static int accepts(const xc_engine *e, const xc_layer *l) { return op_of(e, l) != GS_NONE; }

static xc_status program_of(xc_engine *e, xc_layer *l, const char *defines, cl_program *p)
{
    char opts[256];
    snprintf(opts, sizeof opts, "-DELEM=%s -DIDX=%s %s", mv_copy_type(mv_elem_size(l, &e->tensors[l->out[0]])),
             ax_int_type(in_t(e, l, 1)->dtype), defines ? defines : "");
    return xc_layer_program(e, l, "gather_scatter.cl", NULL, opts, p);
}

/* A scatter's first launch: the output starts as a copy of the data. */
static xc_status add_copy(xc_engine *e, xc_layer *l, cl_program p)
{
    size_t n = xc_et_numel(&e->tensors[l->out[0]]);
    xc_launch *k = xc_layer_add_launch(l, p, "copy_elems");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, (int64_t)n);
    mv_launch_1d(k, n);
    return XC_OK;
}

static xc_status elements_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    gs_op op = op_of(e, l);
    const xc_etensor *data = in_t(e, l, 0), *ind = in_t(e, l, 1);
    int rank = data->rank, axis = ax_normalize(xc_attr_int(l->node, "axis", 0), rank), info[2 * XC_MAX_RANK];
    for (int d = rank - 1, stride = 1; d >= 0; stride *= (int)data->dims[d], d--) {
        info[d] = (int)ind->dims[d];
        info[rank + d] = stride;
    }
    cl_program p;
    XC_TRY(program_of(e, l, defines, &p));
    if (op == GS_SCATTER_ELEMENTS) XC_TRY(add_copy(e, l, p));
    xc_launch *k = xc_layer_add_launch(l, p, op == GS_GATHER_ELEMENTS ? "gather_elements" : "scatter_elements");
    if (op == GS_GATHER_ELEMENTS) XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    XC_TRY(xc_launch_input(e, l, k, l->in[1]));
    if (op == GS_SCATTER_ELEMENTS) XC_TRY(xc_launch_input(e, l, k, l->in[2]));
    xc_launch_tensor(k, l->out[0]);
    XC_TRY(mv_launch_ints(e, k, info, 2 * (size_t)rank));
    xc_launch_int(k, rank);
    xc_launch_int(k, axis);
    xc_launch_int(k, data->dims[axis]);
    xc_launch_int(k, (int64_t)xc_et_numel(ind));
    xc_launch_status(e, l, k);
    mv_launch_1d(k, xc_et_numel(ind));
    return XC_OK;
}

static xc_status nd_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    gs_op op = op_of(e, l);
    const xc_etensor *data = in_t(e, l, 0), *ind = in_t(e, l, 1);
    int b = op == GS_GATHER_ND ? (int)xc_attr_int(l->node, "batch_dims", 0) : 0, K = (int)ind->dims[ind->rank - 1];
    int info[2 * XC_MAX_RANK];
    int64_t slice = 1, tuples = 1, batch_stride = 1;
    for (int d = b + K; d < data->rank; d++) slice *= data->dims[d];
    for (int d = b; d < data->rank; d++) batch_stride *= data->dims[d];
    for (int d = b; d < ind->rank - 1; d++) tuples *= ind->dims[d];
    for (int j = K - 1, stride = (int)slice; j >= 0; stride *= (int)data->dims[b + j], j--) {
        info[j] = (int)data->dims[b + j];
        info[K + j] = stride;
    }
    size_t n = op == GS_GATHER_ND ? xc_et_numel(&e->tensors[l->out[0]]) : xc_et_numel(in_t(e, l, 2));
    cl_program p;
    XC_TRY(program_of(e, l, defines, &p));
    if (op == GS_SCATTER_ND) XC_TRY(add_copy(e, l, p));
    xc_launch *k = xc_layer_add_launch(l, p, op == GS_GATHER_ND ? "gather_nd" : "scatter_nd");
    if (op == GS_GATHER_ND) XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    XC_TRY(xc_launch_input(e, l, k, l->in[1]));
    if (op == GS_SCATTER_ND) XC_TRY(xc_launch_input(e, l, k, l->in[2]));
    xc_launch_tensor(k, l->out[0]);
    XC_TRY(mv_launch_ints(e, k, info, 2 * (size_t)K));
    xc_launch_int(k, K);
    xc_launch_int(k, slice);
    if (op == GS_GATHER_ND) {
        xc_launch_int(k, tuples);
        xc_launch_int(k, batch_stride);
    }
    xc_launch_int(k, (int64_t)n);
    xc_launch_status(e, l, k);
    mv_launch_1d(k, n);
    return XC_OK;
}

static xc_status index_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    gs_op op = op_of(e, l);
    return op == GS_GATHER_ELEMENTS || op == GS_SCATTER_ELEMENTS ? elements_prepare(e, l, defines) : nd_prepare(e, l, defines);
}

static const xc_tactic index_tactic = {"gather_scatter.index", NULL, NULL, index_prepare, NULL};
static const xc_tactic *const tactics[] = {&index_tactic, NULL};
const xc_layer_kind xc_kind_gather_scatter = {"gather_scatter", accepts, tactics};

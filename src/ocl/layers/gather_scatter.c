/* gather_scatter.c — the gather_scatter layer kind: ONNX GatherElements, ScatterElements,
 * GatherND (batch_dims) and ScatterND (every reduction) on data of any dtype with int32/int64
 * indices, which may be computed at run time (kernels/gather_scatter.cl). A scatter is a copy of
 * the data, then its updates: one work-item per update when the indices are constants that
 * name distinct elements (checked here, at build), else the ordered kernels, where one
 * work-item applies every update that may meet one element, in the reference's order, so
 * duplicate indices and reductions give the reference's result exactly. */
#include "axis_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reductions[] = {"none", "add", "mul", "max", "min", NULL};

static int reduction_of(const xc_node *n)
{
    const char *r = xc_attr_string(n, "reduction", "none");
    for (int k = 0; reductions[k]; k++)
        if (!strcmp(r, reductions[k])) return k;
    return -1;
}

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
    const xc_etensor *data = in_t(e, l, 0), *ind = in_t(e, l, 1), *y = &e->tensors[l->out[0]];
    if ((ind->dtype != XC_INT32 && ind->dtype != XC_INT64) || !mv_copy_type(mv_elem_size(l, y)) || !xc_et_numel(y))
        return GS_NONE;
    if (scatter && (in_t(e, l, 2)->dtype != data->dtype || reduction_of(n) < 0)) return GS_NONE;
    if (scatter && data->dtype != XC_FLOAT && !ax_int_type(data->dtype)) return GS_NONE; /* the ordered kernels type values */
    if (scatter && data->dtype == XC_BOOL && reduction_of(n) != 0) return GS_NONE;
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
    xc_launch_1d(k, n);
    return XC_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Whether scatter l may run one work-item per update: reduction none, and constant indices,
 * all in range, naming distinct targets (offsets[] of each update or tuple, computed here). */
static int parallel_safe(const xc_engine *e, const xc_layer *l, gs_op op)
{
    const xc_etensor *data = in_t(e, l, 0), *ind = in_t(e, l, 1);
    const xc_tensor *v = ind->value;
    if (reduction_of(l->node) != 0 || !v) return 0;
    int rank = data->rank, axis = op == GS_SCATTER_ELEMENTS ? ax_normalize(xc_attr_int(l->node, "axis", 0), rank) : 0;
    size_t numel = xc_tensor_numel(v), K = op == GS_SCATTER_ND ? (size_t)ind->dims[ind->rank - 1] : 1, n = numel / K;
    int64_t *off = malloc((n + 1) * sizeof *off), stride[XC_MAX_RANK];
    if (!off) return 0;
    for (int d = rank - 1, acc = 1; d >= 0; acc *= (int)data->dims[d], d--) stride[d] = acc;
    int ok = 1;
    for (size_t t = 0; t < n && ok; t++) {
        int64_t o = 0;
        if (op == GS_SCATTER_ELEMENTS) {
            for (int d = rank - 1, rem = (int)t; d >= 0; rem /= (int)ind->dims[d], d--) {
                int64_t c = rem % ind->dims[d];
                if (d == axis) c = ax_normalize(xc_load_i64(v->dtype, v->data, t), (int)data->dims[d]);
                ok &= c >= 0;
                o += c * stride[d];
            }
        } else {
            for (size_t j = 0; j < K; j++) {
                int64_t c = ax_normalize(xc_load_i64(v->dtype, v->data, t * K + j), (int)data->dims[j]);
                ok &= c >= 0;
                o += c * stride[j];
            }
        }
        off[t] = o;
    }
    qsort(off, n, sizeof *off, cmp_i64);
    for (size_t t = 1; t < n && ok; t++) ok = off[t] != off[t - 1];
    free(off);
    return ok;
}

/* The ordered program of scatter l: -DRED and the values' type on top of program_of's. */
static xc_status ordered_program(xc_engine *e, xc_layer *l, const char *defines, cl_program *p)
{
    char opts[512];
    snprintf(opts, sizeof opts, "-DRED=%d %s", reduction_of(l->node), defines ? defines : "");
    ax_type_define(opts, sizeof opts, "X", in_t(e, l, 0)->dtype);
    return program_of(e, l, opts, p);
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
    int ordered = op == GS_SCATTER_ELEMENTS && !parallel_safe(e, l, op);
    XC_TRY(ordered ? ordered_program(e, l, defines, &p) : program_of(e, l, defines, &p));
    if (op == GS_SCATTER_ELEMENTS) XC_TRY(add_copy(e, l, p));
    if (ordered) {
        xc_launch *k = xc_layer_add_launch(l, p, "scatter_elements_ordered");
        size_t lines = xc_et_numel(ind) / (size_t)ind->dims[axis];
        XC_TRY(xc_launch_input(e, l, k, l->in[1]));
        XC_TRY(xc_launch_input(e, l, k, l->in[2]));
        xc_launch_tensor(k, l->out[0]);
        XC_TRY(mv_launch_ints(e, k, info, 2 * (size_t)rank));
        xc_launch_int(k, rank);
        xc_launch_int(k, axis);
        xc_launch_int(k, data->dims[axis]);
        xc_launch_int(k, (int64_t)lines);
        xc_launch_status(e, l, k);
        xc_launch_1d(k, lines);
        return XC_OK;
    }
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
    xc_launch_1d(k, xc_et_numel(ind));
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
    int ordered = op == GS_SCATTER_ND && !parallel_safe(e, l, op);
    XC_TRY(ordered ? ordered_program(e, l, defines, &p) : program_of(e, l, defines, &p));
    if (op == GS_SCATTER_ND) XC_TRY(add_copy(e, l, p));
    if (ordered) {
        xc_launch *k = xc_layer_add_launch(l, p, "scatter_nd_ordered");
        XC_TRY(xc_launch_input(e, l, k, l->in[1]));
        XC_TRY(xc_launch_input(e, l, k, l->in[2]));
        xc_launch_tensor(k, l->out[0]);
        XC_TRY(mv_launch_ints(e, k, info, 2 * (size_t)K));
        xc_launch_int(k, K);
        xc_launch_int(k, slice);
        xc_launch_int(k, tuples);
        xc_launch_status(e, l, k);
        xc_launch_1d(k, (size_t)slice);
        return XC_OK;
    }
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
    xc_launch_1d(k, n);
    return XC_OK;
}

static xc_status index_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    gs_op op = op_of(e, l);
    return op == GS_GATHER_ELEMENTS || op == GS_SCATTER_ELEMENTS ? elements_prepare(e, l, defines) : nd_prepare(e, l, defines);
}

static const xc_tactic index_tactic = {"gather_scatter.index", NULL, NULL, index_prepare, NULL};
static const xc_tactic *const tactics[] = {&index_tactic, NULL};
const xc_layer_kind xc_kind_gather_scatter = {"gather_scatter", accepts, tactics, 0};

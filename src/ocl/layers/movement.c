/* movement.c — the movement layer kind: data movement and index ops on any dtype, copying
 * elements by size (kernels/movement.cl), plus the elementwise ops the float-only pointwise
 * kind cannot do (movement_elementwise.c). Tactics:
 *  - movement.gather: the baseline for every view op (movement_view.c): one output element per
 *    work-item, its source offset summed from per-axis tables;
 *  - movement.rows.vN: view ops whose innermost axis copies a contiguous run of the input
 *    (Slice of outer axes, Tile, Expand of rows, Pad of outer axes, nearest Resize of outer axes
 *    ...): each work-item moves N elements of a row with vector loads and stores;
 *  - transpose.tiled_local.TxR: Transposes that move the last axis, through a local-memory tile so
 *    reads and writes are both coalesced;
 *  - gather.index: Gather with constant or run-time int32/int64 indices, any axis;
 *  - concat.bands / split.bands: up to four inputs (outputs) per launch, each a band of columns,
 *    over a 2-D range (columns, rows: no division);
 *  - concat.bands_vec.v4 / split.bands_vec.v4: the same, a vector of 4 elements per work-item,
 *    where the row and every band are whole vectors;
 *  - elementwise.broadcast: Cast, Where, comparisons and logic ops with broadcasting. */
#include "movement_internal.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers shared with movement_elementwise.c ---- */

size_t mv_elem_size(const xc_layer *l, const xc_etensor *t)
{
    return t->dtype == XC_FLOAT && l->fp16 ? 2 : xc_dtype_size(t->dtype);
}

const char *mv_copy_type(size_t bytes)
{
    switch (bytes) {
    case 1: return "uchar";
    case 2: return "ushort";
    case 4: return "uint";
    case 8: return "ulong";
    default: return NULL;
    }
}

int mv_int_indexable(const xc_engine *e, const xc_layer *l)
{
    for (int i = 0; i < l->n_in + l->n_out; i++) {
        int t = i < l->n_in ? l->in[i] : l->out[i - l->n_in];
        if (t >= 0 && xc_et_numel(&e->tensors[t]) >= (size_t)INT_MAX) return 0;
    }
    return 1;
}

xc_status mv_launch_ints(xc_engine *e, xc_launch *k, const int *vals, size_t n)
{
    int w;
    XC_TRY(xc_engine_add_weight(e, vals, n * sizeof *vals, &w));
    xc_launch_weight(k, w);
    return XC_OK;
}

static const xc_etensor *in_t(const xc_engine *e, const xc_layer *l, int i) { return &e->tensors[l->in[i]]; }
static const xc_etensor *out_t(const xc_engine *e, const xc_layer *l, int o) { return &e->tensors[l->out[o]]; }

/* The program of movement.cl for l with its element type and the variant's defines. */
static xc_status copy_program(xc_engine *e, xc_layer *l, size_t elem, const char *defines, cl_program *p)
{
    char opts[512];
    snprintf(opts, sizeof opts, "-DELEM=%s %s", mv_copy_type(elem), defines ? defines : "");
    return xc_layer_program(e, l, "movement.cl", NULL, opts, p);
}

static int is_op(const xc_layer *l, const char *op) { return !l->node->domain[0] && !strcmp(l->node->op_type, op); }

/* ---- view ops: movement.gather and movement.rows ---- */

/* The view as the kernels read it: dims, each axis' table start, the tables (int32). */
static xc_status upload_view(xc_engine *e, xc_launch *k, const mv_view *v)
{
    size_t n = 2 * (size_t)v->rank;
    for (int a = 0; a < v->rank; a++) n += (size_t)v->dims[a];
    int *desc = malloc((n ? n : 1) * sizeof *desc);
    if (!desc) return xc_fail(XC_ERR_NOMEM, "out of memory");
    size_t at = 2 * (size_t)v->rank;
    for (int a = 0; a < v->rank; a++) {
        desc[a] = (int)v->dims[a];
        desc[v->rank + a] = (int)at;
        for (int64_t i = 0; i < v->dims[a]; i++) desc[at++] = (int)v->off[a][i];
    }
    xc_status s = mv_launch_ints(e, k, desc, n);
    free(desc);
    return s;
}

static int probe_view(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    if (mv_view_build(e, l, v) == XC_OK) return 1;
    xc_error_clear(); /* not a view this kind can run: another kind or the CPU takes it */
    return 0;
}

static int view_applicable(const xc_engine *e, const xc_layer *l)
{
    mv_view v;
    if (!mv_is_view_op(l->node) || !probe_view(e, l, &v)) return 0;
    mv_view_free(&v);
    return 1;
}

static uint64_t view_fill(const xc_engine *e, const xc_layer *l) { return is_op(l, "Pad") ? mv_pad_fill(e, l) : 0; }

static xc_status gather_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *y = out_t(e, l, 0);
    cl_program p;
    XC_TRY(copy_program(e, l, mv_elem_size(l, y), defines, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "gather_view");
    mv_view v;
    XC_TRY(mv_view_build(e, l, &v));
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    xc_status s = upload_view(e, k, &v);
    xc_launch_int(k, v.rank);
    xc_launch_int(k, (int64_t)xc_et_numel(y));
    xc_launch_long(k, (int64_t)view_fill(e, l));
    xc_launch_1d(k, xc_et_numel(y));
    mv_view_free(&v);
    return s;
}

/* 1 if the view's innermost axis reads a contiguous run of the input, with no padding. */
static int rows_contiguous(const mv_view *v)
{
    if (v->rank < 1) return 0;
    const int64_t *t = v->off[v->rank - 1];
    for (int64_t i = 0; i < v->dims[v->rank - 1]; i++)
        if (t[i] != t[0] + i || t[i] < 0) return 0;
    return v->dims[v->rank - 1] > 1;
}

static int rows_applicable(const xc_engine *e, const xc_layer *l)
{
    mv_view v;
    if (!mv_is_view_op(l->node) || !probe_view(e, l, &v)) return 0;
    int ok = rows_contiguous(&v);
    mv_view_free(&v);
    return ok;
}

static xc_status rows_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *y = out_t(e, l, 0);
    cl_program p;
    XC_TRY(copy_program(e, l, mv_elem_size(l, y), defines, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "gather_rows");
    mv_view v;
    XC_TRY(mv_view_build(e, l, &v));
    int vec = xc_define_int(defines, "VEC", 4);
    size_t row = (size_t)v.dims[v.rank - 1], rows = row ? xc_et_numel(y) / row : 0;
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    xc_status s = upload_view(e, k, &v);
    xc_launch_int(k, v.rank);
    xc_launch_int(k, (int64_t)row);
    xc_launch_int(k, (int64_t)rows);
    xc_launch_long(k, (int64_t)view_fill(e, l));
    xc_launch_1d(k, rows * ((row + vec - 1) / vec));
    mv_view_free(&v);
    return s;
}

/* ---- transpose.tiled_local ---- */

typedef struct tiled_plan {
    int n_batch, batch[3 * XC_MAX_RANK]; /* per batch axis: dim, input stride, output stride */
    int64_t n_batch_items, na, nb, a_stride, b_stride;
} tiled_plan;

/* On the merged transpose: a is the input axis that becomes the output's last, b the input's
 * last; 0 when the last axis stays (a plain row copy) or nothing is left to tile. */
static int tiled_plan_of(const xc_engine *e, const xc_layer *l, tiled_plan *t)
{
    int64_t dims[XC_MAX_RANK], xs[XC_MAX_RANK], ys[XC_MAX_RANK];
    int perm[XC_MAX_RANK], where[XC_MAX_RANK];
    int r = mv_transpose_coalesce(e, l, dims, perm);
    if (r < 2 || perm[r - 1] == r - 1) return 0;
    for (int k = r - 1, sx = 1, sy = 1; k >= 0; k--) {
        xs[k] = sx;
        sx *= (int)dims[k];
        ys[k] = sy; /* output axis k */
        sy *= (int)dims[perm[k]];
        where[perm[k]] = k;
    }
    int a = perm[r - 1], b = r - 1;
    t->na = dims[a];
    t->nb = dims[b];
    t->a_stride = xs[a];
    t->b_stride = ys[where[b]];
    t->n_batch = 0;
    t->n_batch_items = 1;
    for (int k = 0; k < r; k++) {
        if (k == a || k == b) continue;
        t->batch[3 * t->n_batch] = (int)dims[k];
        t->batch[3 * t->n_batch + 1] = (int)xs[k];
        t->batch[3 * t->n_batch + 2] = (int)ys[where[k]];
        t->n_batch++;
        t->n_batch_items *= dims[k];
    }
    return 1;
}

static int tiled_applicable(const xc_engine *e, const xc_layer *l)
{
    tiled_plan t;
    if (!is_op(l, "Transpose") || !mv_int_indexable(e, l) || !tiled_plan_of(e, l, &t)) return 0;
    return t.n_batch_items <= 65535 && t.na / 16 < 65535; /* grid limits of the 2nd/3rd NDRange dims on GPUs */
}

static xc_status tiled_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    tiled_plan t;
    tiled_plan_of(e, l, &t);
    int tile = xc_define_int(defines, "TILE", 32), rows = xc_define_int(defines, "ROWS", 8);
    cl_program p;
    XC_TRY(copy_program(e, l, mv_elem_size(l, out_t(e, l, 0)), defines, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "transpose_tiled");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    XC_TRY(mv_launch_ints(e, k, t.batch, 3 * (size_t)t.n_batch));
    xc_launch_int(k, t.n_batch);
    xc_launch_int(k, t.na);
    xc_launch_int(k, t.nb);
    xc_launch_int(k, t.a_stride);
    xc_launch_int(k, t.b_stride);
    size_t local[3] = {(size_t)tile, (size_t)rows, 1};
    size_t global[3] = {xc_round_up((size_t)t.nb, tile), xc_round_up((size_t)t.na, tile) / tile * rows, (size_t)t.n_batch_items};
    xc_launch_range(k, 3, global, local);
    return XC_OK;
}

/* ---- gather.index ---- */

static int gather_index_applicable(const xc_engine *e, const xc_layer *l)
{
    if (!is_op(l, "Gather") || l->n_in != 2 || l->in[0] < 0 || l->in[1] < 0 || l->n_out != 1) return 0;
    xc_dtype it = in_t(e, l, 1)->dtype;
    return (it == XC_INT32 || it == XC_INT64) && mv_copy_type(xc_dtype_size(in_t(e, l, 0)->dtype));
}

static xc_status gather_index_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = in_t(e, l, 0), *ind = in_t(e, l, 1), *y = out_t(e, l, 0);
    int64_t axis = xc_attr_int(l->node, "axis", 0);
    if (axis < 0) axis += x->rank;
    int64_t inner = 1;
    for (int k = (int)axis + 1; k < x->rank; k++) inner *= x->dims[k];
    char opts[256];
    snprintf(opts, sizeof opts, "-DIDX=%s %s", ind->dtype == XC_INT64 ? "long" : "int", defines);
    cl_program p;
    XC_TRY(copy_program(e, l, mv_elem_size(l, y), opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "gather_index");
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    XC_TRY(xc_launch_input(e, l, k, l->in[1]));
    xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, (int64_t)xc_et_numel(y));
    xc_launch_int(k, (int64_t)xc_et_numel(ind));
    xc_launch_int(k, inner ? inner : 1);
    xc_launch_int(k, x->dims[axis]);
    xc_launch_status(e, l, k);
    xc_launch_1d(k, xc_et_numel(y));
    return XC_OK;
}

/* ---- concat.bands and split.bands ---- */

/* Tensor t (a Concat input or Split output) seen as [rows, columns] around `axis`. */
static int64_t band_columns(const xc_etensor *t, int axis)
{
    int64_t c = 1;
    for (int k = axis; k < t->rank; k++) c *= t->dims[k];
    return c;
}

/* The node's axis against the big tensor (Concat's output, Split's input). */
static int band_axis(const xc_layer *l, const xc_etensor *big)
{
    int64_t axis = xc_attr_int(l->node, "axis", is_op(l, "Concat") ? 1 : 0);
    return (int)(axis < 0 ? axis + big->rank : axis);
}

/* Concat (concat = 1) or Split of at most four tensors per launch, all present. */
static int bands_applicable(const xc_engine *e, const xc_layer *l, int concat)
{
    if (!is_op(l, concat ? "Concat" : "Split")) return 0;
    int n = concat ? l->n_in : l->n_out;
    const int *t = concat ? l->in : l->out;
    if (n < 1 || n > 4 * XC_LAYER_LAUNCHES || (concat ? l->n_out : l->n_in) < 1) return 0;
    for (int j = 0; j < n; j++)
        if (t[j] < 0) return 0;
    const xc_etensor *big = concat ? out_t(e, l, 0) : in_t(e, l, 0);
    return big->rank > 0 && mv_copy_type(xc_dtype_size(big->dtype)) != NULL;
}

/* Whether the row and every band are whole vectors of `vec` elements (concat.bands_vec). */
static int bands_whole_vectors(const xc_engine *e, const xc_layer *l, int concat, int vec)
{
    int n = concat ? l->n_in : l->n_out;
    const int *t = concat ? l->in : l->out;
    const xc_etensor *big = concat ? out_t(e, l, 0) : in_t(e, l, 0);
    int axis = band_axis(l, big);
    if (band_columns(big, axis) % vec) return 0;
    for (int j = 0; j < n; j++)
        if (band_columns(&e->tensors[t[j]], axis) % vec) return 0;
    return 1;
}

/* The 2-D range of the band kernels: `width` columns (vectors) by `rows`, work-groups of
 * XC_WG_DEFAULT items spread over narrow bands' rows. */
static void bands_range_2d(xc_launch *k, int64_t width, int64_t rows)
{
    size_t lx = 1;
    while (lx < XC_WG_DEFAULT && (int64_t)lx < width) lx *= 2;
    size_t local[2] = {lx, XC_WG_DEFAULT / lx};
    size_t global[2] = {xc_round_up(width ? (size_t)width : 1, local[0]), xc_round_up(rows ? (size_t)rows : 1, local[1])};
    xc_launch_range(k, 2, global, local);
}

/* One launch per four small tensors; the kernel's columns run [first, e3). With -DVEC=N
 * (concat.bands_vec / split.bands_vec) every count is in vectors of N elements. */
static xc_status bands_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    int concat = is_op(l, "Concat"), n = concat ? l->n_in : l->n_out, *small = concat ? l->in : l->out;
    int big = concat ? l->out[0] : l->in[0], vec = xc_define_int(defines, "VEC", 1);
    const xc_etensor *B = &e->tensors[big];
    int axis = band_axis(l, B);
    int64_t row = band_columns(B, axis), rows = row ? (int64_t)xc_et_numel(B) / row : 0, first = 0;
    cl_program p;
    XC_TRY(copy_program(e, l, mv_elem_size(l, B), defines, &p));
    for (int g = 0; g < n; g += 4) {
        xc_launch *k = xc_layer_add_launch(l, p, concat ? "concat4" : "split4");
        if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
        if (concat)
            xc_launch_tensor(k, big);
        else
            XC_TRY(xc_launch_input(e, l, k, big));
        xc_launch_int(k, rows);
        xc_launch_int(k, row / vec);
        xc_launch_int(k, first / vec);
        int64_t end = first;
        for (int s = 0; s < 4; s++) {
            int j = g + s < n ? g + s : n - 1; /* unused slots repeat the last tensor, never reached */
            if (g + s < n) end += band_columns(&e->tensors[small[j]], axis);
            if (concat)
                XC_TRY(xc_launch_input(e, l, k, small[j]));
            else
                xc_launch_tensor(k, small[j]);
            xc_launch_int(k, end / vec);
        }
        bands_range_2d(k, (end - first) / vec, rows);
        first = end;
    }
    return XC_OK;
}

/* ---- the kind ---- */

static const xc_variant rows_variants[] = {{"v4", "-DVEC=4"}, {"v8", "-DVEC=8"}, {NULL, NULL}};
static const xc_variant tiled_variants[] = {{"32x8", "-DTILE=32 -DROWS=8"}, {"16x16", "-DTILE=16 -DROWS=16"}, {NULL, NULL}};

static const xc_tactic gather_view_tactic = {"movement.gather", view_applicable, NULL, gather_prepare, NULL};
static const xc_tactic rows_tactic = {"movement.rows", rows_applicable, rows_variants, rows_prepare, NULL};
static const xc_tactic tiled_tactic = {"transpose.tiled_local", tiled_applicable, tiled_variants, tiled_prepare, NULL};
static const xc_tactic gather_index_tactic = {"gather.index", gather_index_applicable, NULL, gather_index_prepare, NULL};
static int concat_applicable(const xc_engine *e, const xc_layer *l) { return bands_applicable(e, l, 1); }
static int split_applicable(const xc_engine *e, const xc_layer *l) { return bands_applicable(e, l, 0); }
static const xc_tactic concat_tactic = {"concat.bands", concat_applicable, NULL, bands_prepare, NULL};
static const xc_tactic split_tactic = {"split.bands", split_applicable, NULL, bands_prepare, NULL};
/* A float4 (of the element type) per work-item where the row and every band hold whole vectors. */
static const xc_variant bands_vec_variants[] = {{"v4", "-DVEC=4"}, {NULL, NULL}};
static int concat_vec_applicable(const xc_engine *e, const xc_layer *l)
{
    return concat_applicable(e, l) && bands_whole_vectors(e, l, 1, 4);
}
static int split_vec_applicable(const xc_engine *e, const xc_layer *l)
{
    return split_applicable(e, l) && bands_whole_vectors(e, l, 0, 4);
}
static const xc_tactic concat_vec_tactic = {"concat.bands_vec", concat_vec_applicable, bands_vec_variants, bands_prepare, NULL};
static const xc_tactic split_vec_tactic = {"split.bands_vec", split_vec_applicable, bands_vec_variants, bands_prepare, NULL};

static const xc_tactic *const tactics[] = {&gather_view_tactic,    &rows_tactic,  &tiled_tactic,      &gather_index_tactic,
                                           &concat_tactic,         &split_tactic, &concat_vec_tactic, &split_vec_tactic,
                                           &mv_elementwise_tactic, NULL};

static int accepts(const xc_engine *e, const xc_layer *l)
{
    if (l->node->domain[0] || l->n_out < 1 || !mv_int_indexable(e, l)) return 0;
    if (mv_is_elementwise_op(l->node)) return mv_elementwise_accepts(e, l);
    if (l->n_in < 1 || l->in[0] < 0) return 0;
    if (mv_is_view_op(l->node))
        return l->n_out == 1 && mv_copy_type(xc_dtype_size(in_t(e, l, 0)->dtype)) && view_applicable(e, l);
    return gather_index_applicable(e, l) || concat_applicable(e, l) || split_applicable(e, l);
}

const xc_layer_kind xc_kind_movement = {"movement", accepts, tactics, 0};

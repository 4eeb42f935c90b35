/* movement.c — reference kernels of the data-movement operators. They copy whole elements as
 * bytes, so one implementation serves every dtype.
 *
 * Transpose, Slice, Expand, Tile, Pad, DepthToSpace and SpaceToDepth are all one gather: the
 * output, seen as a view of up to 2 * XC_MAX_RANK axes, reads at index (i_0, ..., i_{r-1}) the
 * input element at offset off_0[i_0] + ... + off_{r-1}[i_{r-1}], from one offset table per axis.
 * Views with more axes than the output let Tile and DepthToSpace split an axis in two; a negative
 * table entry marks padding, where the output keeps the value it was filled with. Concat and
 * Split copy contiguous row blocks. */
#include "ref.h"
#include <stdlib.h>
#include <string.h>

#include "ops/plans.h"

#define VIEW_RANK (2 * XC_MAX_RANK)

typedef struct gather {
    int rank;
    int64_t dims[VIEW_RANK];
    int64_t *off[VIEW_RANK]; /* off[k][i]: input element offset for index i along view axis k; < 0: padding */
    int64_t *buf;            /* holds every table */
} gather;

/* Allocates the offset tables of a (rank, dims) view of the output. */
static xc_status gather_init(const xc_ref_args *a, gather *g, int rank, const int64_t *dims)
{
    size_t total = 1, bytes;
    for (int k = 0; k < rank; k++)
        if (dims[k] < 0 || __builtin_add_overflow(total, (size_t)dims[k], &total))
            return xc_ref_fail(a, XC_ERR_NOMEM, "offset tables of %d axes overflow", rank);
    if (__builtin_mul_overflow(total, sizeof *g->buf, &bytes))
        return xc_ref_fail(a, XC_ERR_NOMEM, "offset tables of %zu entries overflow", total);
    g->rank = rank;
    g->buf = malloc(bytes);
    if (!g->buf) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory for %zu offsets", total);
    int64_t *table = g->buf;
    for (int k = 0; k < rank; table += dims[k], k++) {
        g->dims[k] = dims[k];
        g->off[k] = table;
    }
    return XC_OK;
}

/* Builds a gather over a view from (dim, stride) pairs: view axis k has dims[k] indices, index i
 * reading offset first[k] + i * strides[k] (first NULL: 0). */
static xc_status gather_strided(const xc_ref_args *a, gather *g, int rank, const int64_t *dims, const int64_t *first,
                                const int64_t *strides)
{
    XC_TRY(gather_init(a, g, rank, dims));
    for (int k = 0; k < rank; k++)
        for (int64_t i = 0; i < dims[k]; i++) g->off[k][i] = (first ? first[k] : 0) + i * strides[k];
    return XC_OK;
}

static void copy_strided(char *dst, const char *src, const int64_t *off, int64_t n, size_t esz)
{
    for (int64_t i = 0; i < n; i++)
        if (off[i] >= 0) memcpy(dst + i * esz, src + off[i] * esz, esz);
}

/* Copies one output row of n elements whose offsets (relative to src) are off. */
static void copy_row(char *dst, const char *src, const int64_t *off, int64_t n, size_t esz, int contiguous)
{
    if (contiguous) {
        memcpy(dst, src + off[0] * esz, (size_t)n * esz);
        return;
    }
    /* constant sizes let the compiler turn each element's memcpy into one load and one store */
    switch (esz) {
    case 1: copy_strided(dst, src, off, n, 1); break;
    case 2: copy_strided(dst, src, off, n, 2); break;
    case 4: copy_strided(dst, src, off, n, 4); break;
    case 8: copy_strided(dst, src, off, n, 8); break;
    default: copy_strided(dst, src, off, n, esz); break;
    }
}

/* Runs the gather from x into y (row by row over the view's last axis) and frees the tables. */
static xc_status gather_run(gather *g, const xc_tensor *x, xc_tensor *y)
{
    static const int64_t scalar = 0;
    int r = g->rank, outer = r > 0 ? r - 1 : 0, contiguous = 1;
    int64_t n = r > 0 ? g->dims[r - 1] : 1, rows = 1, idx[VIEW_RANK] = {0};
    const int64_t *inner = r > 0 ? g->off[r - 1] : &scalar;
    size_t esz = xc_dtype_size(y->dtype);
    for (int k = 0; k < outer; k++) rows *= g->dims[k];
    for (int64_t i = 0; i < n; i++) contiguous &= inner[i] == inner[0] + i && inner[0] >= 0;
    char *dst = y->data;
    for (int64_t row = 0; n > 0 && row < rows; row++, dst += n * esz) {
        int64_t base = 0;
        int pad = 0;
        for (int k = 0; k < outer; k++) {
            pad |= g->off[k][idx[k]] < 0;
            base += g->off[k][idx[k]];
        }
        /* an empty input has no buffer: every output element is then padding, never read from x */
        if (!pad && x->data) copy_row(dst, (const char *)x->data + base * (int64_t)esz, inner, n, esz, contiguous);
        for (int k = outer - 1; k >= 0 && ++idx[k] == g->dims[k]; k--) idx[k] = 0;
    }
    free(g->buf);
    return XC_OK;
}

/* Output axis k walks input axis perm[k] (default: the axes reversed). */
static xc_status ref_transpose(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    const int64_t *perm;
    size_t n;
    int has_perm = xc_attr_ints(a->node, "perm", &perm, &n);
    int64_t xs[XC_MAX_RANK], strides[XC_MAX_RANK];
    xc_ref_strides(x->rank, x->dims, xs);
    for (int k = 0; k < y->rank; k++) strides[k] = xs[has_perm ? perm[k] : y->rank - 1 - k];
    gather g;
    XC_TRY(gather_strided(a, &g, y->rank, y->dims, NULL, strides));
    return gather_run(&g, x, y);
}

static xc_status ref_slice(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    int64_t start[XC_MAX_RANK], step[XC_MAX_RANK], count[XC_MAX_RANK], xs[XC_MAX_RANK];
    XC_TRY(xc_slice_plan(a->node, a->n_in, a->in, x->rank, x->dims, start, step, count));
    xc_ref_strides(x->rank, x->dims, xs);
    for (int k = 0; k < x->rank; k++) {
        start[k] *= xs[k];
        step[k] = count[k] > 1 ? step[k] * xs[k] : 0; /* a lone index never steps: huge steps cannot overflow */
    }
    gather g;
    XC_TRY(gather_strided(a, &g, y->rank, y->dims, start, step));
    return gather_run(&g, x, y);
}

/* Broadcast axes read with stride 0. */
static xc_status ref_expand(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    int64_t strides[XC_MAX_RANK];
    xc_ref_bcast_strides(a->in[0], y->rank, y->dims, strides);
    gather g;
    XC_TRY(gather_strided(a, &g, y->rank, y->dims, NULL, strides));
    return gather_run(&g, a->in[0], y);
}

/* Output axis k of size reps * d is viewed as (reps, d): the repeat index reads nothing. */
static xc_status ref_tile(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    int64_t xs[XC_MAX_RANK], dims[VIEW_RANK], strides[VIEW_RANK];
    xc_ref_strides(x->rank, x->dims, xs);
    for (int k = 0; k < x->rank; k++) {
        dims[2 * k] = x->dims[k] ? y->dims[k] / x->dims[k] : 0;
        dims[2 * k + 1] = x->dims[k];
        strides[2 * k] = 0;
        strides[2 * k + 1] = xs[k];
    }
    gather g;
    XC_TRY(gather_strided(a, &g, 2 * x->rank, dims, NULL, strides));
    return gather_run(&g, x, y);
}

/* ---- Pad ---- */

/* Fills y with Pad's constant: the `value` attribute (opsets 1-10) or the constant_value input. */
static void pad_fill(const xc_ref_args *a, xc_tensor *y)
{
    size_t esz = xc_dtype_size(y->dtype), n = xc_tensor_numel(y);
    unsigned char value[16] = {0};
    const xc_tensor *v = a->n_in > 2 ? a->in[2] : NULL;
    if (a->opset < 11)
        xc_store_f64(y->dtype, value, 0, xc_attr_float(a->node, "value", 0.0f));
    else if (v && xc_tensor_numel(v))
        memcpy(value, v->data, esz);
    for (size_t i = 0; i < n; i++) memcpy((char *)y->data + i * esz, value, esz);
}

static xc_status ref_pad(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    xc_pad_mode mode = xc_pad_mode_of(a->node);
    int64_t begin[XC_MAX_RANK], end[XC_MAX_RANK], xs[XC_MAX_RANK];
    XC_TRY(xc_pad_plan(a->node, a->n_in, a->in, x->rank, begin, end));
    xc_ref_strides(x->rank, x->dims, xs);
    if (mode == XC_PAD_CONSTANT) pad_fill(a, y);
    gather g;
    XC_TRY(gather_init(a, &g, y->rank, y->dims));
    for (int k = 0; k < y->rank; k++)
        for (int64_t i = 0; i < y->dims[k]; i++) {
            int64_t j = xc_pad_source(mode, i - begin[k], x->dims[k]);
            g.off[k][i] = j < 0 ? -1 : j * xs[k];
        }
    return gather_run(&g, x, y);
}

/* ---- DepthToSpace and SpaceToDepth ---- */

/* DCR: channel (i * bs + j) * C' + c goes to y[n, c, h * bs + i, w * bs + j]; CRD: channel
 * (c * bs + i) * bs + j. y is viewed as [N, C', H, bs, W, bs]. */
static xc_status ref_depth_to_space(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    int64_t bs = xc_attr_int(a->node, "blocksize", 1), c = y->dims[1], xs[4];
    int crd = !strcmp(xc_attr_string(a->node, "mode", "DCR"), "CRD");
    xc_ref_strides(4, x->dims, xs);
    int64_t dims[6] = {x->dims[0], c, x->dims[2], bs, x->dims[3], bs};
    int64_t strides[6] = {xs[0], crd ? bs * bs * xs[1] : xs[1], xs[2], crd ? bs * xs[1] : bs * c * xs[1],
                          xs[3], crd ? xs[1] : c * xs[1]};
    gather g;
    XC_TRY(gather_strided(a, &g, 6, dims, NULL, strides));
    return gather_run(&g, x, y);
}

/* The inverse: x[n, c, h * bs + i, w * bs + j] goes to channel (i * bs + j) * C + c (DCR) or
 * (c * bs + i) * bs + j (CRD). y is viewed as [N, bs, bs, C, H', W'] or [N, C, bs, bs, H', W']. */
static xc_status ref_space_to_depth(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    int64_t bs = xc_attr_int(a->node, "blocksize", 1), xs[4];
    int crd = !strcmp(xc_attr_string(a->node, "mode", "DCR"), "CRD");
    xc_ref_strides(4, x->dims, xs);
    int64_t dcr_dims[6] = {x->dims[0], bs, bs, x->dims[1], y->dims[2], y->dims[3]};
    int64_t dcr_strides[6] = {xs[0], xs[2], xs[3], xs[1], bs * xs[2], bs * xs[3]};
    int64_t crd_dims[6] = {x->dims[0], x->dims[1], bs, bs, y->dims[2], y->dims[3]};
    int64_t crd_strides[6] = {xs[0], xs[1], xs[2], xs[3], bs * xs[2], bs * xs[3]};
    gather g;
    XC_TRY(gather_strided(a, &g, 6, crd ? crd_dims : dcr_dims, NULL, crd ? crd_strides : dcr_strides));
    return gather_run(&g, x, y);
}

/* ---- Concat and Split ---- */

/* Copies `rows` blocks of `bytes` from src to dst, stepping each by its own row pitch. */
static void copy_blocks(char *dst, size_t dst_pitch, const char *src, size_t src_pitch, size_t bytes, size_t rows)
{
    for (size_t r = 0; r < rows; r++) memcpy(dst + r * dst_pitch, src + r * src_pitch, bytes);
}

/* Bytes of one element times the dims after axis, and the count of rows before it. */
static void axis_blocks(const xc_tensor *t, int axis, size_t *inner, size_t *rows)
{
    *inner = xc_dtype_size(t->dtype);
    *rows = 1;
    for (int k = 0; k < t->rank; k++) {
        if (k < axis) *rows *= (size_t)t->dims[k];
        if (k > axis) *inner *= (size_t)t->dims[k];
    }
}

static int node_axis(const xc_ref_args *a, int64_t def, int rank)
{
    int64_t axis = xc_attr_int(a->node, "axis", def);
    return (int)(axis < 0 ? axis + rank : axis);
}

/* Each input fills its band of every output row. */
static xc_status ref_concat(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    int axis = node_axis(a, 1, y->rank);
    size_t inner, rows, at = 0;
    if (!y->nbytes) return XC_OK;
    axis_blocks(y, axis, &inner, &rows);
    size_t y_row = inner * (size_t)y->dims[axis];
    for (int i = 0; i < a->n_in; i++) {
        size_t x_row = inner * (size_t)a->in[i]->dims[axis];
        if (x_row) copy_blocks((char *)y->data + at, y_row, a->in[i]->data, x_row, x_row, rows);
        at += x_row;
    }
    return XC_OK;
}

/* Each output takes its band of every input row. */
static xc_status ref_split(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    int axis = node_axis(a, 0, x->rank);
    size_t inner, rows, at = 0;
    if (!x->nbytes) return XC_OK;
    axis_blocks(x, axis, &inner, &rows);
    size_t x_row = inner * (size_t)x->dims[axis];
    for (int o = 0; o < a->n_out; o++) {
        size_t y_row = inner * (size_t)a->out[o]->dims[axis];
        if (y_row) copy_blocks(a->out[o]->data, y_row, (const char *)x->data + at, x_row, y_row, rows);
        at += y_row;
    }
    return XC_OK;
}

const xc_ref_kernel xc_ref_movement[] = {
    {"Transpose", ref_transpose},
    {"Slice", ref_slice},
    {"Expand", ref_expand},
    {"Tile", ref_tile},
    {"Pad", ref_pad},
    {"DepthToSpace", ref_depth_to_space},
    {"SpaceToDepth", ref_space_to_depth},
    {"Concat", ref_concat},
    {"Split", ref_split},
    {0},
};

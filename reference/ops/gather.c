/* gather.c — reference kernels of Gather, GatherElements, GatherND, ScatterElements (Scatter)
 * and ScatterND. Every index read from a tensor is range-checked (negative values count from
 * the end) before it is used; an out-of-range index fails naming the node. Gathers copy whole
 * elements (or rows) by byte size, so they work for every dtype. */
#include "ref.h"
#include <stdlib.h>
#include <string.h>

typedef enum { RED_NONE, RED_ADD, RED_MUL, RED_MAX, RED_MIN } reduction;

/* Product of dims[from..to). */
static size_t span(const int64_t *dims, int from, int to)
{
    size_t n = 1;
    for (int k = from; k < to; k++) n *= (size_t)dims[k];
    return n;
}

static int attr_axis(const xc_ref_args *a, int rank)
{
    int64_t axis = xc_attr_int(a->node, "axis", 0); /* range checked by the schema */
    return (int)(axis < 0 ? axis + rank : axis);
}

/* Reads element i of an index tensor and maps it into [0, limit). */
static xc_status index_at(const xc_ref_args *a, const xc_tensor *ind, size_t i, int64_t limit, int64_t *out)
{
    int64_t v = xc_load_i64(ind->dtype, ind->data, i);
    if (v < -limit || v >= limit)
        return xc_ref_fail(a, XC_ERR_MODEL, "index %lld is out of range for a dimension of size %lld", (long long)v,
                           (long long)limit);
    *out = v < 0 ? v + limit : v;
    return XC_OK;
}

/* All of an index tensor's values, checked and normalized against one dimension size. */
static xc_status read_indices(const xc_ref_args *a, const xc_tensor *ind, int64_t limit, int64_t **out)
{
    size_t n = xc_tensor_numel(ind);
    int64_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        xc_status s = index_at(a, ind, i, limit, &idx[i]);
        if (s != XC_OK) {
            free(idx);
            return s;
        }
    }
    *out = idx;
    return XC_OK;
}

/* Element offset addressed by index tuple t (k values) of a GatherND/ScatterND index tensor,
 * against the k dims/strides it indexes. */
static xc_status tuple_offset(const xc_ref_args *a, const xc_tensor *ind, size_t t, int k, const int64_t *dims,
                              const int64_t *strides, size_t *off)
{
    size_t o = 0;
    for (int j = 0; j < k; j++) {
        int64_t v;
        XC_TRY(index_at(a, ind, t * (size_t)k + (size_t)j, dims[j], &v));
        o += (size_t)v * (size_t)strides[j];
    }
    *off = o;
    return XC_OK;
}

static reduction parse_reduction(const xc_node *n)
{
    static const char *const names[] = {"none", "add", "mul", "max", "min"};
    const char *r = xc_attr_string(n, "reduction", "none");
    for (int k = 0; k < 5; k++)
        if (!strcmp(r, names[k])) return (reduction)k;
    return RED_NONE; /* the schema rejected anything else */
}

/* x (reduction r) y, in whatever arithmetic type x and y have. */
#define COMBINE(r, x, y)                                                                                                         \
    ((r) == RED_ADD ? (x) + (y) : (r) == RED_MUL ? (x) * (y) : (r) == RED_MAX ? ((y) > (x) ? (y) : (x)) : ((y) < (x) ? (y) : (x)))

/* dst[di] = dst[di] (reduction) src[si]. Floats combine in double, which rounds back to the
 * same result as the op in float32/half; integers wrap like the fixed-width op. */
static void combine(reduction r, xc_dtype t, void *dst, size_t di, const void *src, size_t si)
{
    size_t esz = xc_dtype_size(t);
    if (r == RED_NONE) {
        memcpy((char *)dst + di * esz, (const char *)src + si * esz, esz);
    } else if (xc_dtype_is_float(t)) {
        double x = xc_load_f64(t, dst, di), y = xc_load_f64(t, src, si);
        xc_store_f64(t, dst, di, COMBINE(r, x, y));
    } else if (r == RED_MAX || r == RED_MIN) {
        int64_t x = xc_load_i64(t, dst, di), y = xc_load_i64(t, src, si);
        xc_store_i64(t, dst, di, COMBINE(r, x, y));
    } else {
        uint64_t x = (uint64_t)xc_load_i64(t, dst, di), y = (uint64_t)xc_load_i64(t, src, si);
        xc_store_i64(t, dst, di, (int64_t)COMBINE(r, x, y));
    }
}

/* y = x.shape[:axis] + indices.shape + x.shape[axis+1:]: one contiguous row copy per index. */
static xc_status ref_gather(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *ind = a->in[1];
    xc_tensor *y = a->out[0];
    int axis = attr_axis(a, x->rank);
    int64_t *idx;
    XC_TRY(read_indices(a, ind, x->dims[axis], &idx));
    size_t n_idx = xc_tensor_numel(ind), outer = span(x->dims, 0, axis);
    size_t row = span(x->dims, axis + 1, x->rank) * xc_dtype_size(x->dtype);
    char *dst = y->data;
    const char *src = x->data;
    if (y->nbytes) /* an empty x or y may have NULL data */
        for (size_t o = 0; o < outer; o++)
            for (size_t j = 0; j < n_idx; j++, dst += row)
                memcpy(dst, src + (o * (size_t)x->dims[axis] + (size_t)idx[j]) * row, row);
    free(idx);
    return XC_OK;
}

/* For every position i of indices (the shape of the updates and of GatherElements' output), the
 * element offset in a tensor of x's shape that it addresses: its own coordinates, with
 * indices[i] along axis. */
static xc_status element_offsets(const xc_ref_args *a, int64_t **out)
{
    const xc_tensor *x = a->in[0], *ind = a->in[1];
    int axis = attr_axis(a, x->rank);
    int64_t xs[XC_MAX_RANK], others[XC_MAX_RANK];
    XC_TRY(read_indices(a, ind, x->dims[axis], out));
    xc_ref_strides(x->rank, x->dims, xs);
    memcpy(others, xs, sizeof others);
    others[axis] = 0;
    size_t n = xc_tensor_numel(ind);
    for (size_t i = 0; i < n; i++) (*out)[i] = xc_ref_offset((int64_t)i, ind->rank, ind->dims, others) + (*out)[i] * xs[axis];
    return XC_OK;
}

static xc_status ref_gather_elements(xc_ref_args *a)
{
    int64_t *off;
    XC_TRY(element_offsets(a, &off));
    size_t n = xc_tensor_numel(a->in[1]);
    for (size_t i = 0; i < n; i++) combine(RED_NONE, a->in[0]->dtype, a->out[0]->data, i, a->in[0]->data, (size_t)off[i]);
    free(off);
    return XC_OK;
}

/* Updates are applied in index order, so with duplicate indices and no reduction the last wins. */
static xc_status ref_scatter_elements(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    if (y->nbytes) memcpy(y->data, a->in[0]->data, y->nbytes);
    int64_t *off;
    XC_TRY(element_offsets(a, &off));
    reduction r = parse_reduction(a->node);
    size_t n = xc_tensor_numel(a->in[1]);
    for (size_t i = 0; i < n; i++) combine(r, y->dtype, y->data, (size_t)off[i], a->in[2]->data, i);
    free(off);
    return XC_OK;
}

/* y[b..., m...] = x[b..., indices[b..., m...], ...]: one slice copy per index tuple. */
static xc_status ref_gather_nd(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *ind = a->in[1];
    xc_tensor *y = a->out[0];
    int b = (int)xc_attr_int(a->node, "batch_dims", 0), k = (int)ind->dims[ind->rank - 1];
    int64_t xs[XC_MAX_RANK];
    xc_ref_strides(x->rank, x->dims, xs);
    size_t esz = xc_dtype_size(x->dtype), slice = span(x->dims, b + k, x->rank) * esz;
    size_t per_batch = span(ind->dims, b, ind->rank - 1), batch_size = span(x->dims, b, x->rank);
    size_t n_tuples = span(ind->dims, 0, ind->rank - 1);
    for (size_t t = 0; t < n_tuples; t++) {
        size_t off;
        XC_TRY(tuple_offset(a, ind, t, k, x->dims + b, xs + b, &off));
        off += t / per_batch * batch_size;
        if (slice) memcpy((char *)y->data + t * slice, (const char *)x->data + off * esz, slice);
    }
    return XC_OK;
}

/* y = x; y[indices[m...]] (reduction)= updates[m...], tuple by tuple in index order. */
static xc_status ref_scatter_nd(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *ind = a->in[1], *upd = a->in[2];
    xc_tensor *y = a->out[0];
    if (y->nbytes) memcpy(y->data, x->data, y->nbytes);
    int k = (int)ind->dims[ind->rank - 1];
    reduction r = parse_reduction(a->node);
    int64_t xs[XC_MAX_RANK];
    xc_ref_strides(x->rank, x->dims, xs);
    size_t slice = span(x->dims, k, x->rank), n_tuples = span(ind->dims, 0, ind->rank - 1);
    for (size_t t = 0; t < n_tuples; t++) {
        size_t off;
        XC_TRY(tuple_offset(a, ind, t, k, x->dims, xs, &off));
        for (size_t s = 0; s < slice; s++) combine(r, x->dtype, y->data, off + s, upd->data, t * slice + s);
    }
    return XC_OK;
}

const xc_ref_kernel xc_ref_gather[] = {
    {"Gather", ref_gather},
    {"GatherElements", ref_gather_elements},
    {"GatherND", ref_gather_nd},
    {"Scatter", ref_scatter_elements},
    {"ScatterElements", ref_scatter_elements},
    {"ScatterND", ref_scatter_nd},
    {0},
};

/* gather_scatter.cl — GatherElements, ScatterElements, GatherND and ScatterND (gather_scatter.*
 * tactics). Elements move as their bits (ELEM: an unsigned type of their size); indices are IDX
 * (int or long), negative ones counting from the end of their axis; one out of range sets the
 * layer's status flag (the run then fails naming the layer) and its element is left 0 or
 * unwritten. Scatters run as a copy of the data then one work-item per update, so duplicate
 * indices (which the spec leaves undefined for reduction none) keep one of their updates.
 *
 * `info` (int32) describes the shapes: for the *_elements kernels the index tensor's dims
 * (rank of them), then the data's element strides; for the *_nd kernels, per indexed axis j < K,
 * the data's dim, then per j its stride. */

inline int normalize_index(long v, const int dim, __global int *status, const int layer)
{
    if (v < 0) v += dim;
    if (v < 0 || v >= dim) {
        status[layer] = 1;
        return -1;
    }
    return (int)v;
}

__kernel void copy_elems(__global const ELEM *x, __global ELEM *y, const int n)
{
    const int i = get_global_id(0);
    if (i < n) y[i] = x[i];
}

/* Data offset of index-tensor element i, its axis coordinate replaced by the index it holds. */
inline int elements_offset(__global const IDX *ind, __global const int *info, const int rank, const int axis, const int axis_dim,
                           int i, __global int *status, const int layer)
{
    const int self = i;
    int off = 0;
    for (int d = rank - 1; d >= 0; d--) {
        int c = i % info[d];
        i /= info[d];
        if (d == axis && (c = normalize_index((long)ind[self], axis_dim, status, layer)) < 0) return -1;
        off += c * info[rank + d];
    }
    return off;
}

__kernel void gather_elements(__global const ELEM *x, __global const IDX *ind, __global ELEM *y, __global const int *info,
                              const int rank, const int axis, const int axis_dim, const int n, __global int *status,
                              const int layer)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int off = elements_offset(ind, info, rank, axis, axis_dim, i, status, layer);
    y[i] = off < 0 ? (ELEM)0 : x[off];
}

__kernel void scatter_elements(__global const IDX *ind, __global const ELEM *upd, __global ELEM *y, __global const int *info,
                               const int rank, const int axis, const int axis_dim, const int n, __global int *status,
                               const int layer)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int off = elements_offset(ind, info, rank, axis, axis_dim, i, status, layer);
    if (off >= 0) y[off] = upd[i];
}

/* Data offset (within one batch) of the slice that index tuple p (K entries) names. */
inline int nd_offset(__global const IDX *ind, __global const int *info, const int K, const int p, __global int *status,
                     const int layer)
{
    int off = 0;
    for (int j = 0; j < K; j++) {
        const int c = normalize_index((long)ind[p * K + j], info[j], status, layer);
        if (c < 0) return -1;
        off += c * info[K + j];
    }
    return off;
}

/* y: [batch, tuples per batch, slice]; data: [batch, batch_stride]. */
__kernel void gather_nd(__global const ELEM *x, __global const IDX *ind, __global ELEM *y, __global const int *info, const int K,
                        const int slice, const int tuples, const int batch_stride, const int n, __global int *status,
                        const int layer)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int p = i / slice, off = nd_offset(ind, info, K, p, status, layer);
    y[i] = off < 0 ? (ELEM)0 : x[p / tuples * batch_stride + off + i % slice];
}

__kernel void scatter_nd(__global const IDX *ind, __global const ELEM *upd, __global ELEM *y, __global const int *info, const int K,
                         const int slice, const int n, __global int *status, const int layer)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int off = nd_offset(ind, info, K, i / slice, status, layer);
    if (off >= 0) y[off + i % slice] = upd[i];
}

/* Ordered scatters: the updates that may land on one element are applied by one work-item, in
 * the reference's order, so duplicate indices give the reference's result (the last update for
 * reduction none) and every reduction is exact. RED: 0 none, 1 add, 2 mul, 3 max, 4 min; values
 * typed by X_FLOAT (float32 as store_t) or X_T=<type>. */
#ifdef RED
#ifdef X_FLOAT
#define X_T store_t
#define GET(p, i) LOAD(p, i)
#define PUT(p, i, v) STORE(p, i, v)
typedef float value_t;
#else
#define GET(p, i) (p)[i]
#define PUT(p, i, v) ((p)[i] = (v))
typedef X_T value_t;
#endif

inline value_t combine(const value_t x, const value_t u)
{
    return RED == 1 ? x + u : RED == 2 ? x * u : RED == 3 ? (u > x ? u : x) : RED == 4 ? (u < x ? u : x) : u;
}

/* One work-item per line of the updates along the axis (info as for scatter_elements). */
__kernel void scatter_elements_ordered(__global const IDX *ind, __global const X_T *upd, __global X_T *y, __global const int *info,
                                       const int rank, const int axis, const int axis_dim, const int lines,
                                       __global int *status, const int layer)
{
    const int c = get_global_id(0);
    if (c >= lines) return;
    int inner = 1;
    for (int d = axis + 1; d < rank; d++) inner *= info[d];
    const int n = info[axis], base = c / inner * n * inner + c % inner;
    for (int t = 0; t < n; t++) {
        const int i = base + t * inner, off = elements_offset(ind, info, rank, axis, axis_dim, i, status, layer);
        if (off >= 0) PUT(y, off, combine(GET(y, off), GET(upd, i)));
    }
}

/* One work-item per element of a slice, walking the index tuples in order. */
__kernel void scatter_nd_ordered(__global const IDX *ind, __global const X_T *upd, __global X_T *y, __global const int *info,
                                 const int K, const int slice, const int tuples, __global int *status, const int layer)
{
    const int s = get_global_id(0);
    if (s >= slice) return;
    for (int p = 0; p < tuples; p++) {
        const int off = nd_offset(ind, info, K, p, status, layer);
        if (off >= 0) PUT(y, off + s, combine(GET(y, off + s), GET(upd, p * slice + s)));
    }
}
#endif

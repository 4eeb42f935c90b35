/* movement.cl — data movement by element size (any dtype: ELEM is uchar/ushort/uint/ulong, so a
 * float tensor stored as half moves as ushort). Defines: ELEM, and VEC for gather_rows, TILE
 * and ROWS for transpose_tiled, IDX for gather_index.
 *
 * Most movement ops (Transpose, Slice, Expand, Tile, Pad, DepthToSpace, SpaceToDepth, nearest
 * Resize) are one gather over a view of the output: the output, seen as `rank` axes, reads at
 * index (i_0, ..., i_{rank-1}) the input element at view[t_0 + i_0] + ... + view[t_{r-1} + i_{r-1}],
 * from one offset table per axis (the host builds them, as the reference does). A negative entry
 * marks padding: the element takes `fill`. Layout of `view`: dims[rank], then the start t_k of
 * each axis' table, then the tables. */

/* Input offset of output element (or row) i over the view's first `axes` axes, or -1 for padding. */
inline int view_offset(__global const int *view, const int rank, const int axes, int i)
{
    int src = 0;
    for (int k = axes - 1; k >= 0; k--) {
        const int d = view[k], c = i % d;
        i /= d;
        const int o = view[view[rank + k] + c];
        if (o < 0) return -1;
        src += o;
    }
    return src;
}

/* One output element per work-item. */
__kernel void gather_view(__global const ELEM *x, __global ELEM *y, __global const int *view, const int rank,
                          const int n, const ulong fill)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int src = view_offset(view, rank, rank, i);
    y[i] = src < 0 ? (ELEM)fill : x[src];
}

#ifdef VEC
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define VTYPE CAT(ELEM, VEC)
#define VLOAD CAT(vload, VEC)
#define VSTORE CAT(vstore, VEC)

/* The view's last axis reads a contiguous run of the input (table entries first, first+1, ...),
 * so each output row is one block copy: a work-item moves VEC elements of a row with vector
 * loads and stores (the row's tail element by element). */
__kernel void gather_rows(__global const ELEM *x, __global ELEM *y, __global const int *view, const int rank,
                          const int row_len, const int n_rows, const ulong fill)
{
    const int chunks = (row_len + VEC - 1) / VEC, gid = get_global_id(0);
    const int row = gid / chunks, c = gid % chunks * VEC;
    if (row >= n_rows) return;
    const int base = view_offset(view, rank, rank - 1, row);
    const int src = base + view[view[2 * rank - 1]] + c;
    __global ELEM *dst = y + (long)row * row_len + c;
    if (c + VEC <= row_len) {
        VSTORE(base < 0 ? (VTYPE)((ELEM)fill) : VLOAD(0, x + src), 0, dst);
        return;
    }
    for (int j = 0; c + j < row_len; j++) dst[j] = base < 0 ? (ELEM)fill : x[src + j];
}
#endif

#ifdef TILE
/* Transpose whose output's last axis (a) is not the input's last axis (b): a TILE x TILE tile
 * is read along b (contiguous in x) into local memory and written along a (contiguous in y),
 * so both sides are coalesced. The other axes form the batch, get_global_id(2); batch[] holds
 * their dims with input and output strides, outermost first. Each work-item moves TILE / ROWS
 * elements of a column; the +1 column keeps the transposed reads off one bank. */
__kernel void transpose_tiled(__global const ELEM *x, __global ELEM *y, __global const int *batch, const int n_batch,
                              const int na, const int nb, const int a_stride, const int b_stride)
{
    __local ELEM tile[TILE][TILE + 1];
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int a0 = get_group_id(1) * TILE, b0 = get_group_id(0) * TILE;
    int rest = get_global_id(2), xo = 0, yo = 0;
    for (int k = n_batch - 1; k >= 0; k--) {
        const int d = batch[3 * k], c = rest % d;
        rest /= d;
        xo += c * batch[3 * k + 1];
        yo += c * batch[3 * k + 2];
    }
    for (int r = ly; r < TILE; r += ROWS) { /* x[a0 + r, b0 + lx] */
        const int a = a0 + r, b = b0 + lx;
        if (a < na && b < nb) tile[r][lx] = x[xo + a * a_stride + b];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int r = ly; r < TILE; r += ROWS) { /* y[b0 + r, a0 + lx] */
        const int b = b0 + r, a = a0 + lx;
        if (a < na && b < nb) y[yo + b * b_stride + a] = tile[lx][r];
    }
}
#endif

#ifdef IDX
/* Gather: x viewed as [outer, axis_dim, inner], y as [outer, n_idx, inner]; index values count
 * from the end when negative. One out of range sets the layer's error flag (the run then fails,
 * as the reference does) and its elements read as zero: nothing is read out of bounds. */
__kernel void gather_index(__global const ELEM *x, __global const IDX *ind, __global ELEM *y, const int n,
                           const int n_idx, const int inner, const int axis_dim, __global int *status, const int layer)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int in = i % inner, t = i / inner, j = t % n_idx, o = t / n_idx;
    long v = ind[j];
    v = v < 0 ? v + axis_dim : v;
    if (v < 0 || v >= axis_dim) {
        status[layer] = 1;
        y[i] = (ELEM)0;
        return;
    }
    y[i] = x[((long)o * axis_dim + v) * inner + in];
}
#endif

/* Concat: y viewed as [rows, row]; input j fills columns [e_{j-1}, e_j) of every row (e_{-1} =
 * first). One launch handles up to four inputs, columns [first, e3); unused slots repeat the last
 * input with e_j = e3, so they are never read. The range is 2-D (columns from `first`, rows), so
 * no division. concat.bands moves one ELEM per work-item; concat.bands_vec (-DVEC) one vector of
 * VEC, where the row and every band are whole vectors (the host checks; every bound buffer starts
 * at the device's base-address alignment, at least a long16, so each vector is aligned): then
 * row, first and the e_j count vectors. */
#ifdef VEC
#define BAND_T VTYPE
#else
#define BAND_T ELEM
#endif
__kernel void concat4(__global BAND_T *y, const int rows, const int row, const int first, __global const BAND_T *x0,
                      const int e0, __global const BAND_T *x1, const int e1, __global const BAND_T *x2, const int e2,
                      __global const BAND_T *x3, const int e3)
{
    const int c = first + get_global_id(0), r = get_global_id(1);
    if (c >= e3 || r >= rows) return;
    BAND_T v;
    if (c < e0) v = x0[r * (e0 - first) + c - first];
    else if (c < e1) v = x1[r * (e1 - e0) + c - e0];
    else if (c < e2) v = x2[r * (e2 - e1) + c - e1];
    else v = x3[r * (e3 - e2) + c - e2];
    y[r * row + c] = v;
}

/* Split, the inverse: output j takes columns [e_{j-1}, e_j) of every row of x. Unused slots
 * repeat the last output with e_j = e3. */
__kernel void split4(__global const BAND_T *x, const int rows, const int row, const int first, __global BAND_T *y0,
                     const int e0, __global BAND_T *y1, const int e1, __global BAND_T *y2, const int e2,
                     __global BAND_T *y3, const int e3)
{
    const int c = first + get_global_id(0), r = get_global_id(1);
    if (c >= e3 || r >= rows) return;
    const BAND_T v = x[r * row + c];
    if (c < e0) y0[r * (e0 - first) + c - first] = v;
    else if (c < e1) y1[r * (e1 - e0) + c - e0] = v;
    else if (c < e2) y2[r * (e2 - e1) + c - e1] = v;
    else y3[r * (e3 - e2) + c - e2] = v;
}

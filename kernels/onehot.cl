/* onehot.cl — OneHot (onehot.expand): one work-item per output element (o, j, in) of y seen as
 * [outer, depth, inner]; it takes values[1] (on) where the index at (o, in), negative ones
 * counting from the end, equals j, else values[0] (off). An index outside [-depth, depth)
 * leaves its row all off, as the spec says. Defines: ELEM (bits of one output element), IDX. */
__kernel void onehot(__global const IDX *ind, __global const ELEM *values, __global ELEM *y, const int total, const int depth,
                     const int inner)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int in = i % inner, j = i / inner % depth, o = i / (inner * depth);
    long v = (long)ind[o * inner + in];
    if (v < 0) v += depth;
    y[i] = values[v == j ? 1 : 0];
}

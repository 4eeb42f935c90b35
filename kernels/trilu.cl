/* trilu.cl — Trilu (trilu.mask): one work-item per element; element (r, c) of each matrix is
 * kept where c - r >= k (upper) or c - r <= k (lower), else zero (all-zero bits are zero in
 * every dtype). Elements move as their bits: ELEM is an unsigned type of their size. */
__kernel void trilu(__global const ELEM *x, __global ELEM *y, const int total, const int rows, const int cols, const int k,
                    const int upper)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int d = i % cols - i / cols % rows;
    y[i] = (upper ? d >= k : d <= k) ? x[i] : (ELEM)0;
}

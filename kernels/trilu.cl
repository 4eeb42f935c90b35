/* trilu.cl — Trilu (trilu.mask): one work-item per element; element (r, c) of each matrix is
 * kept where c - r >= k (upper) or c - r <= k (lower), else zero (all-zero bits are zero in
 * every dtype). Elements move as their bits: ELEM is an unsigned type of their size. K_T: k is
 * not a constant but a tensor of that type, read (and clamped into int range) here. */
__kernel void trilu(__global const ELEM *x,
#ifdef K_T
                    __global const K_T *kp,
#endif
                    __global ELEM *y, const int total, const int rows, const int cols, int k, const int upper)
{
    const int i = get_global_id(0);
    if (i >= total) return;
#ifdef K_T
    const long kl = (long)kp[0];
    k = kl < -rows ? -rows : kl > cols ? cols : (int)kl;
#endif
    const int d = i % cols - i / cols % rows;
    y[i] = (upper ? d >= k : d <= k) ? x[i] : (ELEM)0;
}

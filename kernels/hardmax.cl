/* hardmax.cl — Hardmax (hardmax.lane): one work-item per lane of x seen as [outer, n, inner];
 * the first largest element of the lane becomes 1, every other 0. A later element replaces the
 * best only when greater, so a NaN never wins unless it comes first, as in the reference. */
__kernel void hardmax(__global const store_t *x, __global store_t *y, const int lanes, const int n, const int inner)
{
    const int i = get_global_id(0);
    if (i >= lanes) return;
    const int base = i / inner * n * inner + i % inner;
    int best = 0;
    float bv = LOAD(x, base);
    for (int j = 1; j < n; j++) {
        const float v = LOAD(x, base + j * inner);
        if (v > bv) {
            best = j;
            bv = v;
        }
    }
    for (int j = 0; j < n; j++) STORE(y, base + j * inner, j == best ? 1.0f : 0.0f);
}

/* arg_extreme.cl — ArgMax / ArgMin (arg_extreme.axis): one work-item per output element, the
 * column (o, inner) of x seen as [outer, n, inner] scanned in order as the reference does: index
 * 0 first, replaced by a better value (or an equal one with LAST, select_last_index). NaN ranks
 * above every number, as numpy orders it. Defines: X_FLOAT (float32 as store_t) or X_T=<type>;
 * SIGN (1 max, -1 min); LAST. */
#ifdef X_FLOAT
#define X_T store_t
#define GET_X(i) LOAD(x, i)
typedef float value_t;
inline int order(float a, float b) { return isnan(a) || isnan(b) ? (isnan(a) != 0) - (isnan(b) != 0) : (a > b) - (a < b); }
#else
#define GET_X(i) x[i]
typedef X_T value_t;
inline int order(X_T a, X_T b) { return (a > b) - (a < b); }
#endif

__kernel void arg_extreme(__global const X_T *x, __global long *y, const int total, const int n, const int inner)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int base = i / inner * n * inner + i % inner;
    long best = 0;
    value_t bv = GET_X(base);
    for (int k = 1; k < n; k++) {
        const value_t v = GET_X(base + k * inner);
        const int c = SIGN * order(v, bv);
        if (c > 0 || (c == 0 && LAST)) {
            best = k;
            bv = v;
        }
    }
    y[i] = best;
}

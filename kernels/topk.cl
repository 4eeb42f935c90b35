/* topk.cl — TopK (topk.select): one work-item per slice of x seen as [outer, n, inner]; the j-th
 * pick is the best element ranking after pick j - 1, where ranking is the reference's: the
 * better value first (NaN above every number), equal values by lower index. O(k n) per slice:
 * meant for the small k of classifier heads and beam search, always sorted (as the reference).
 * Defines: X_FLOAT (float32 as store_t) or X_T=<type>; LARGEST (1 or 0). */
#ifdef X_FLOAT
#define X_T store_t
#define GET_X(i) LOAD(x, i)
#define PUT_V(i, v) STORE(values, i, v)
typedef float value_t;
inline int order(float a, float b) { return isnan(a) || isnan(b) ? (isnan(a) != 0) - (isnan(b) != 0) : (a > b) - (a < b); }
#else
#define GET_X(i) x[i]
#define PUT_V(i, v) (values[i] = (v))
typedef X_T value_t;
inline int order(X_T a, X_T b) { return (a > b) - (a < b); }
#endif

/* Whether (a at index ia) ranks before (b at index ib). */
inline int before(value_t a, int ia, value_t b, int ib)
{
    const int c = LARGEST ? -order(a, b) : order(a, b);
    return c < 0 || (c == 0 && ia < ib);
}

__kernel void topk(__global const X_T *x, __global X_T *values, __global long *indices, const int slices, const int n,
                   const int inner, const int k)
{
    const int i = get_global_id(0);
    if (i >= slices) return;
    const int o = i / inner, in = i % inner, base = o * n * inner + in;
    int prev = -1;
    value_t pv = 0;
    for (int j = 0; j < k; j++) {
        int best = -1;
        value_t bv = 0;
        for (int t = 0; t < n; t++) {
            const value_t v = GET_X(base + t * inner);
            if (prev >= 0 && !before(pv, prev, v, t)) continue;
            if (best < 0 || before(v, t, bv, best)) {
                best = t;
                bv = v;
            }
        }
        const int at = (o * k + j) * inner + in;
        PUT_V(at, bv);
        indices[at] = best;
        prev = best;
        pv = bv;
    }
}

/* cumsum.cl — CumSum (cumsum.column): one work-item per column of x seen as [outer, n, inner],
 * folding it along the axis in order (or reversed), writing the sum before the fold (exclusive)
 * or after it. Floats accumulate in float (the reference in double), integers in their own
 * type, wrapping. Defines: X_FLOAT (float32 as store_t) or X_T=<type>. */
#ifdef X_FLOAT
#define X_T store_t
typedef float acc_t;
#define GET_X(i) LOAD(x, i)
#define PUT_Y(i, v) STORE(y, i, v)
#else
typedef X_T acc_t;
#define GET_X(i) x[i]
#define PUT_Y(i, v) (y[i] = (v))
#endif

__kernel void cumsum(__global const X_T *x, __global X_T *y, const int columns, const int n, const int inner,
                     const int exclusive, const int reverse)
{
    const int i = get_global_id(0);
    if (i >= columns) return;
    const int base = i / inner * n * inner + i % inner;
    acc_t acc = 0;
    for (int step = 0; step < n; step++) {
        const int at = base + (reverse ? n - 1 - step : step) * inner;
        const acc_t next = acc + GET_X(at);
        PUT_Y(at, exclusive ? acc : next);
        acc = next;
    }
}

#ifdef AXIS_T
/* The axis computed at run time (AXIS_T: its type): one work-item per element of x, those at
 * position 0 along the axis scanning their column. `dims` holds x's dims; an axis outside
 * [-rank, rank) sets the layer's status flag. */
__kernel void cumsum_any_axis(__global const X_T *x, __global const AXIS_T *axis_p, __global X_T *y, __global const int *dims,
                              const int rank, const int total, const int exclusive, const int reverse, __global int *status,
                              const int layer)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    long a = (long)axis_p[0];
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) {
        status[layer] = 1;
        return;
    }
    int inner = 1;
    for (int d = (int)a + 1; d < rank; d++) inner *= dims[d];
    const int n = dims[a];
    if (i / inner % n) return;
    acc_t acc = 0;
    for (int step = 0; step < n; step++) {
        const int at = i + (reverse ? n - 1 - step : step) * inner;
        const acc_t next = acc + GET_X(at);
        PUT_Y(at, exclusive ? acc : next);
        acc = next;
    }
}
#endif

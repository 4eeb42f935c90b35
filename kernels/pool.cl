/* pool.cl — MaxPool, AveragePool and the global pools on NCHW-style tensors with up to three
 * spatial axes (fewer are lifted to three with size-1 axes). Geometry as -D options, per axis
 * a = 0, 1, 2: IN<a> input size, OUT<a> output size, K<a> kernel, S<a> stride, D<a> dilation,
 * P<a> pad before, E<a> pad after (without ceil_mode's extension); PLANES = N * C.
 * POOL_MAX or POOL_AVG (+ COUNT_INCLUDE_PAD) selects the reduction. */
#define IN_PLANE (IN0 * IN1 * IN2)
#define OUT_PLANE (OUT0 * OUT1 * OUT2)

/* FOLD(acc, c, v): max, or a compensated sum (xc_sum_add: rounded to half after each add under
 * --fp16-accumulate; c is zero for max) whose total is acc + c. */
#ifdef POOL_MAX
#define START (-INFINITY)
#define FOLD(acc, c, v) ((acc) = xc_max_nan(acc, v))
#define TOTAL(acc, c) (acc)
#else
#define START 0.0f
#define FOLD(acc, c, v) xc_sum_add(&(acc), &(c), v)
#define TOTAL(acc, c) ((acc) + (c))
#endif

/* Taps [*lo, *hi) of one axis fall inside the image for a window starting at `start`; returns
 * the taps inside the padded input (count_include_pad's divisor along this axis). */
inline int axis_taps(int start, int in, int k, int d, int pad_end, int *lo, int *hi)
{
    *lo = start >= 0 ? 0 : (-start + d - 1) / d;
    *hi = start >= in ? 0 : min(k, (in - start + d - 1) / d);
    return min(k, (in + pad_end - start + d - 1) / d);
}

/* pool.direct: one work-item per output element walks its window. */
__kernel void pool_direct(__global const store_t *x, __global store_t *y)
{
    const long gid = get_global_id(0);
    if (gid >= (long)PLANES * OUT_PLANE) return;
    const long plane = gid / OUT_PLANE;
    const int j = gid % OUT_PLANE;
    const int o0 = j / (OUT1 * OUT2), o1 = j / OUT2 % OUT1, o2 = j % OUT2;
    const int s0 = o0 * S0 - P0, s1 = o1 * S1 - P1, s2 = o2 * S2 - P2;
    int lo0, hi0, lo1, hi1, lo2, hi2;
    const int padded = axis_taps(s0, IN0, K0, D0, E0, &lo0, &hi0) * axis_taps(s1, IN1, K1, D1, E1, &lo1, &hi1) *
                       axis_taps(s2, IN2, K2, D2, E2, &lo2, &hi2);
    __global const store_t *xp = x + plane * IN_PLANE;
    float acc = START, c = 0.0f;
    for (int k0 = lo0; k0 < hi0; k0++)
        for (int k1 = lo1; k1 < hi1; k1++)
            for (int k2 = lo2; k2 < hi2; k2++)
                FOLD(acc, c, LOAD(xp, ((s0 + k0 * D0) * IN1 + s1 + k1 * D1) * IN2 + s2 + k2 * D2));
    acc = TOTAL(acc, c);
#ifdef POOL_AVG
#ifdef COUNT_INCLUDE_PAD
    acc /= (float)padded;
#else
    acc /= (float)((hi0 - lo0) * (hi1 - lo1) * (hi2 - lo2));
#endif
#endif
    STORE(y, gid, acc);
}

#ifdef WG
/* pool.global_reduce: global pools, one work-group of WG work-items per plane; each folds
 * every WG-th element, then the partials meet in local memory. */
__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void pool_global(__global const store_t *x,
                                                                           __global store_t *y)
{
    __local float part[WG];
    const long plane = get_group_id(0);
    __global const store_t *xp = x + plane * IN_PLANE;
    float acc = START, c = 0.0f;
    for (int i = get_local_id(0); i < IN_PLANE; i += WG) FOLD(acc, c, LOAD(xp, i));
    acc = TOTAL(acc, c);
#ifdef POOL_MAX
    acc = group_max(part, acc);
#else
    acc = group_sum(part, acc) / (float)IN_PLANE;
#endif
    if (get_local_id(0) == 0) STORE(y, plane, acc);
}
#endif

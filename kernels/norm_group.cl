/* norm_group.cl — work-group reductions shared by the pool, softmax, norm and reduce kernels
 * (built in front of each of those files). Every work-item passes its partial; all get the
 * result. The work-group size must be a power of two; `part` holds one float per work-item. */
#define XC_DEFINE_GROUP_REDUCE(name, combine)                                                    \
    inline float name(__local float *part, float v)                                            \
    {                                                                                           \
        const int lid = get_local_id(0);                                                        \
        barrier(CLK_LOCAL_MEM_FENCE); /* the previous reduction may still be reading part[0] */ \
        part[lid] = v;                                                                          \
        barrier(CLK_LOCAL_MEM_FENCE);                                                           \
        for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {                                   \
            if (lid < s) part[lid] = combine(part[lid], part[lid + s]);                         \
            barrier(CLK_LOCAL_MEM_FENCE);                                                       \
        }                                                                                       \
        return part[0];                                                                         \
    }

/* Compensated summation (Neumaier): *s + *c is the sum of everything added, the low-order bits
 * a plain float sum drops (a long row, or a large offset) kept in *c. A work-item's serial
 * partial goes through it; the tree of group_sum over at most WG partials is shallow. */
inline void xc_kadd(float *s, float *c, float v)
{
    const float t = *s + v;
    *c += fabs(*s) >= fabs(v) ? (*s - t) + v : (v - t) + *s;
    *s = t;
}

/* One add of a reduction: compensated (xc_kadd) in fp32, also under fp16 math; with
 * --fp16-accumulate (XC_FP16_ACC) the running sum is a half, rounded after every add, as a
 * real fp16 accumulator is (which has no compensation term). */
inline void xc_sum_add(float *s, float *c, float v)
{
#ifdef XC_FP16_ACC
    *s = xc_h(*s + v);
#else
    xc_kadd(s, c, v);
#endif
}

inline float xc_add(float a, float b) { return a + b; }
XC_DEFINE_GROUP_REDUCE(group_sum, xc_add)
XC_DEFINE_GROUP_REDUCE(group_max, xc_max_nan)

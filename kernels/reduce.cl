/* reduce.cl — Reduce{Sum,Mean,Max,Min,SumSquare,L2} over any axes. The input is seen as up to
 * four kept axis groups KD0..KD3 (strides KS0..KS3, outermost first) and up to four reduced
 * groups RD0..RD3 (strides RS0..RS3): adjacent axes of the same kind are merged and unused
 * groups have size 1. OUTPUTS outputs of COUNT reduced elements each. OP selects the fold:
 * 0 sum, 1 mean, 2 max, 3 min, 4 sum of squares, 5 L2 norm. */
#if OP == 2
#define START (-INFINITY)
inline float fold(float acc, float x) { return x > acc || isnan(x) ? x : acc; } /* NaN wins */
#elif OP == 3
#define START INFINITY
inline float fold(float acc, float x) { return x < acc || isnan(x) ? x : acc; }
#elif OP == 4 || OP == 5
#define START 0.0f
#define SQUARE
inline float fold(float acc, float x) { return acc + x; }
#else
#define START 0.0f
inline float fold(float acc, float x) { return acc + x; }
#endif

/* A work-item's serial fold: ACCUMULATE(acc, c, v), result TOTAL(acc, c). The sums compensate
 * (xc_kadd), so long rows and large offsets keep their low-order bits; under --fp16-accumulate
 * they are half sums instead (xc_sum_add), and under fp16 math the squares are rounded to half. */
#if OP == 2 || OP == 3
#define ACCUMULATE(acc, c, v) ((acc) = fold(acc, v))
#define TOTAL(acc, c) (acc)
#else
#define ACCUMULATE(acc, c, v) xc_sum_add(&(acc), &(c), v)
#define TOTAL(acc, c) ((acc) + (c))
#endif

/* Max/Min combine partial results with fold itself; the sums add them. */
XC_DEFINE_GROUP_REDUCE(group_fold, fold)

inline float element(__global const store_t *x, long off)
{
    const float v = LOAD(x, off);
#ifdef SQUARE
    return XC_H(v * v);
#else
    return v;
#endif
}

inline float finish(float acc)
{
#if OP == 1
    return acc / (float)COUNT;
#elif OP == 5
    return sqrt(acc);
#else
    return acc;
#endif
}

/* Offset of the first input element folded into output o. */
inline long kept_offset(long o)
{
    long off = (o % KD3) * KS3;
    o /= KD3;
    off += (o % KD2) * KS2;
    o /= KD2;
    off += (o % KD1) * KS1;
    o /= KD1;
    return off + o * KS0;
}

/* Offset of the j-th reduced element relative to its output's first one. */
inline long reduced_offset(long j)
{
    long off = (j % RD3) * RS3;
    j /= RD3;
    off += (j % RD2) * RS2;
    j /= RD2;
    off += (j % RD1) * RS1;
    j /= RD1;
    return off + j * RS0;
}

/* reduce.direct: one work-item per output walks its reduced elements in nested loops. */
__kernel void reduce_direct(__global const store_t *x, __global store_t *y)
{
    const long o = get_global_id(0);
    if (o >= OUTPUTS) return;
    const long base = kept_offset(o);
    float acc = START, c = 0.0f;
    for (long r0 = 0; r0 < RD0; r0++)
        for (long r1 = 0; r1 < RD1; r1++)
            for (long r2 = 0; r2 < RD2; r2++)
                for (long r3 = 0; r3 < RD3; r3++)
                    ACCUMULATE(acc, c, element(x, base + r0 * RS0 + r1 * RS1 + r2 * RS2 + r3 * RS3));
    STORE(y, o, finish(TOTAL(acc, c)));
}

#ifdef WG
/* reduce.group: one work-group of WG work-items per output; each folds every WG-th reduced
 * element, then the partials are combined in local memory. */
__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void reduce_group(__global const store_t *x,
                                                                            __global store_t *y)
{
    __local float part[WG];
    const long o = get_group_id(0);
    const long base = kept_offset(o);
    float acc = START, c = 0.0f;
    for (long j = get_local_id(0); j < COUNT; j += WG) ACCUMULATE(acc, c, element(x, base + reduced_offset(j)));
    acc = group_fold(part, TOTAL(acc, c));
    if (get_local_id(0) == 0) STORE(y, o, finish(acc));
}
#endif

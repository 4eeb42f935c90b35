/* softmax.cl — Softmax and LogSoftmax (-DLOG) along rows: the input is [OUTER, N, INNER] and
 * each of the OUTER * INNER rows has N elements INNER apart (opset < 13 flattening gives
 * INNER 1). The max is subtracted before exp, so large inputs do not overflow. Under fp16 math
 * the difference, exp, the row sum and the quotient are rounded to half; the sum accumulates in
 * fp32 unless --fp16-accumulate. */
#ifdef LOG
#define OUTPUT(v, max, sum) XC_H(XC_H((v) - (max)) - XC_H(log(sum)))
#else
#define OUTPUT(v, max, sum) XC_H(EXP_TERM(v, max) / (sum))
#endif
/* exp(v - max), each step rounded to half under fp16 math (common.cl) */
#define EXP_TERM(v, max) XC_H(exp(XC_H((v) - (max))))

/* First element of row r. */
inline long row_base(long r) { return r / INNER * N * INNER + r % INNER; }

/* softmax.row_serial: one work-item per row, three passes (max, sum of exp, write).
 * Neighbouring work-items read neighbouring elements when INNER > 1. */
__kernel void softmax_serial(__global const store_t *x, __global store_t *y)
{
    const long r = get_global_id(0);
    if (r >= (long)OUTER * INNER) return;
    const long base = row_base(r);
    float max = -INFINITY, sum = 0.0f, c = 0.0f;
    for (int j = 0; j < N; j++) max = xc_max_nan(max, LOAD(x, base + (long)j * INNER));
    for (int j = 0; j < N; j++) xc_sum_add(&sum, &c, EXP_TERM(LOAD(x, base + (long)j * INNER), max));
    sum = XC_H(sum + c); /* compensated: N terms near 1 would otherwise round off their fractions */
    for (int j = 0; j < N; j++) STORE(y, base + (long)j * INNER, OUTPUT(LOAD(x, base + (long)j * INNER), max, sum));
}

#ifdef WG
/* softmax.row_local: one work-group of WG work-items per row. Each work-item keeps an online
 * (max, sum of exp) over its elements in one read; the group then takes the row max, rescales
 * the partial sums to it and adds them; a second read writes the outputs. */
__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void softmax_local(__global const store_t *x,
                                                                             __global store_t *y)
{
    __local float part[WG];
    const long base = row_base(get_group_id(0));
    float max = -INFINITY, sum = 0.0f, c = 0.0f;
    for (int j = get_local_id(0); j < N; j += WG) {
        const float v = LOAD(x, base + (long)j * INNER);
        if (v > max) {
            const float r = exp(max - v);
            sum *= r;
            c *= r;
            max = v;
        }
        xc_sum_add(&sum, &c, EXP_TERM(v, max));
    }
    sum += c; /* compensated, as in softmax_serial */
    const float row_max = group_max(part, max);
    const float row_sum = XC_H(group_sum(part, sum == 0.0f ? 0.0f : sum * exp(max - row_max)));
    for (int j = get_local_id(0); j < N; j += WG)
        STORE(y, base + (long)j * INNER, OUTPUT(LOAD(x, base + (long)j * INNER), row_max, row_sum));
}
#endif

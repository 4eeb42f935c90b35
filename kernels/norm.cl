/* norm.cl — normalizations.
 * Rows (LayerNormalization, InstanceNormalization, fused LayerNorm subgraphs): ROWS rows of LEN
 * contiguous elements, each normalized by its own mean and variance (two-pass: the mean first,
 * then the mean squared deviation), then y = (x - mean) / sqrt(var + EPS) * scale + bias.
 * Both passes work on x - x[0] (exact for values within a factor of two of x[0]), so a large
 * common offset costs no precision: a float mean of 1000 +- 0.001 is off by more than the
 * deviations are wide. Work-items sum with compensation (xc_kadd).
 * Scale and bias are optional (HAS_SCALE, HAS_BIAS) and have N_SCALE / N_BIAS elements, indexed
 * per element (i % N) or, with PER_ROW, per row (row % N: InstanceNormalization's channels).
 * BatchNormalization (inference): y = (x - mean[c]) / sqrt(var[c] + EPS) * scale[c] + bias[c]
 * with c = i / INNER % N_SCALE.
 * Under fp16 math (common.cl) every step is rounded to half; the sums accumulate in fp32 unless
 * --fp16-accumulate (xc_sum_add). */
#ifdef PER_ROW
#define PARAM(n, row, i) ((row) % (n))
#else
#define PARAM(n, row, i) ((i) % (n))
#endif

/* The normalized value v of element i of row `row`, with scale and bias applied. */
inline float affine(float v, long row, int i, __global const store_t *scale, __global const store_t *bias)
{
#ifdef HAS_SCALE
    v = XC_H(v * LOAD(scale, PARAM(N_SCALE, row, i)));
#endif
#ifdef HAS_BIAS
    v = XC_H(v + LOAD(bias, PARAM(N_BIAS, row, i)));
#endif
    return v;
}

/* x - shift - mean, and 1 / sqrt(var + EPS) from the sum of squared deviations over n elements:
 * under fp16 math every step rounded to half (common.cl), else plain fp32. */
inline float centered(float x, float shift, float mean) { return XC_H(XC_H(x - shift) - mean); }
inline float inv_std_of(float sq, int n) { return XC_H(1.0f / XC_H(sqrt(XC_H(XC_H(sq / n) + EPS)))); }

#ifdef LEN
/* layernorm.row_serial: one work-item per row, three reads of the row. */
__kernel void norm_serial(__global const store_t *x, __global const store_t *scale, __global const store_t *bias,
                          __global store_t *y)
{
    const long row = get_global_id(0);
    if (row >= ROWS) return;
    __global const store_t *xr = x + row * LEN;
    __global store_t *yr = y + row * LEN;
    const float shift = LOAD(xr, 0);
    float sum = 0.0f, c = 0.0f;
    for (int i = 0; i < LEN; i++) xc_sum_add(&sum, &c, XC_H(LOAD(xr, i) - shift));
    const float mean = XC_H((sum + c) / LEN); /* of x - shift */
    float sq = 0.0f, c2 = 0.0f;
    for (int i = 0; i < LEN; i++) {
        const float d = centered(LOAD(xr, i), shift, mean);
        xc_sum_add(&sq, &c2, XC_H(d * d));
    }
    const float inv_std = inv_std_of(sq + c2, LEN);
    for (int i = 0; i < LEN; i++) STORE(yr, i, affine(XC_H(centered(LOAD(xr, i), shift, mean) * inv_std), row, i, scale, bias));
}

#ifdef WG
/* layernorm.row_local: one work-group of WG work-items per row, reductions in local memory;
 * the row is read three times (served by the cache when it fits there). */
__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void norm_local(__global const store_t *x,
                                                                          __global const store_t *scale,
                                                                          __global const store_t *bias,
                                                                          __global store_t *y)
{
    __local float part[WG];
    const long row = get_group_id(0);
    const int lid = get_local_id(0);
    __global const store_t *xr = x + row * LEN;
    __global store_t *yr = y + row * LEN;
    const float shift = LOAD(xr, 0);
    float sum = 0.0f, c = 0.0f;
    for (int i = lid; i < LEN; i += WG) xc_sum_add(&sum, &c, XC_H(LOAD(xr, i) - shift));
    const float mean = XC_H(group_sum(part, sum + c) / LEN); /* of x - shift */
    float sq = 0.0f, c2 = 0.0f;
    for (int i = lid; i < LEN; i += WG) {
        const float d = centered(LOAD(xr, i), shift, mean);
        xc_sum_add(&sq, &c2, XC_H(d * d));
    }
    const float inv_std = inv_std_of(group_sum(part, sq + c2), LEN);
    for (int i = lid; i < LEN; i += WG) STORE(yr, i, affine(XC_H(centered(LOAD(xr, i), shift, mean) * inv_std), row, i, scale, bias));
}

#ifdef PER_ITEM
/* layernorm.row_registers: as row_local, but each work-item reads its PER_ITEM elements of the
 * row from global memory once, into registers, and both passes and the output use them. */
__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void norm_registers(__global const store_t *x,
                                                                              __global const store_t *scale,
                                                                              __global const store_t *bias,
                                                                              __global store_t *y)
{
    __local float part[WG];
    float v[PER_ITEM];
    const long row = get_group_id(0);
    const int lid = get_local_id(0);
    __global const store_t *xr = x + row * LEN;
    __global store_t *yr = y + row * LEN;
    const float shift = LOAD(xr, 0);
    float sum = 0.0f, c = 0.0f;
#pragma unroll
    for (int k = 0; k < PER_ITEM; k++) {
        const int i = lid + k * WG;
        v[k] = i < LEN ? XC_H(LOAD(xr, i) - shift) : 0.0f; /* held as x - shift */
        xc_sum_add(&sum, &c, v[k]);
    }
    const float mean = XC_H(group_sum(part, sum + c) / LEN);
    float sq = 0.0f, c2 = 0.0f;
#pragma unroll
    for (int k = 0; k < PER_ITEM; k++) {
        const float d = lid + k * WG < LEN ? XC_H(v[k] - mean) : 0.0f;
        xc_sum_add(&sq, &c2, XC_H(d * d));
    }
    const float inv_std = inv_std_of(group_sum(part, sq + c2), LEN);
#pragma unroll
    for (int k = 0; k < PER_ITEM; k++) {
        const int i = lid + k * WG;
        if (i < LEN) STORE(yr, i, affine(XC_H(XC_H(v[k] - mean) * inv_std), row, i, scale, bias));
    }
}
#endif
#endif
#endif

#ifdef INNER
/* batchnorm.affine: one work-item per element; per-channel statistics from the running mean
 * and variance. */
__kernel void batchnorm(__global const store_t *x, __global const store_t *scale, __global const store_t *bias,
                        __global const store_t *mean, __global const store_t *var, __global store_t *y)
{
    const long i = get_global_id(0);
    if (i >= TOTAL) return;
    const int c = i / INNER % N_SCALE;
    const float inv_std = XC_H(1.0f / XC_H(sqrt(XC_H(LOAD(var, c) + EPS))));
    STORE(y, i, XC_H(XC_H(XC_H(XC_H(LOAD(x, i) - LOAD(mean, c)) * inv_std) * LOAD(scale, c)) + LOAD(bias, c)));
}
#endif

/* layernorm_stats.cl — LayerNormalization with its Mean and InvStdDev outputs
 * (layernorm_stats.row_serial): one work-item per row of LEN elements. Mean and variance are
 * two compensated passes over x - x[0] (a large common offset costs no precision), then
 * y = (x - mean) * inv_std * scale + bias; the row's mean (of x itself) and 1 / sqrt(var + eps)
 * go to the statistics outputs. Scale and bias index element i % N (trailing-dims broadcast).
 * Defines: HAS_BIAS, HAS_MEAN, HAS_INV_STD. Under fp16 math (common.cl) every step is rounded to
 * half, the sums accumulating in fp32 unless --fp16-accumulate. */
inline void stats_add(float *s, float *c, const float v)
{
#ifdef XC_FP16_ACC /* --fp16-accumulate: a half running sum, rounded after every add */
    *s = xc_h(*s + v);
    return;
#endif
    const float t = *s + v;
    *c += fabs(*s) >= fabs(v) ? (*s - t) + v : (v - t) + *s;
    *s = t;
}

__kernel void layernorm_stats(__global const store_t *x, __global const store_t *scale,
#ifdef HAS_BIAS
                              __global const store_t *bias,
#endif
                              __global store_t *y,
#ifdef HAS_MEAN
                              __global store_t *mean_out,
#endif
#ifdef HAS_INV_STD
                              __global store_t *inv_std_out,
#endif
                              const int rows, const int len, const int n_scale, const int n_bias, const float eps)
{
    const int row = get_global_id(0);
    if (row >= rows) return;
    const int base = row * len;
    const float shift = LOAD(x, base);
    float sum = 0.0f, c = 0.0f;
    for (int i = 0; i < len; i++) stats_add(&sum, &c, XC_H(LOAD(x, base + i) - shift));
    const float mean = XC_H((sum + c) / len); /* of x - shift */
    float sq = 0.0f, c2 = 0.0f;
    for (int i = 0; i < len; i++) {
        const float d = XC_H(XC_H(LOAD(x, base + i) - shift) - mean);
        stats_add(&sq, &c2, XC_H(d * d));
    }
    const float inv_std = XC_H(1.0f / XC_H(sqrt(XC_H(XC_H((sq + c2) / len) + eps))));
    for (int i = 0; i < len; i++) {
        float v = XC_H(XC_H(XC_H(XC_H(LOAD(x, base + i) - shift) - mean) * inv_std) * LOAD(scale, i % n_scale));
#ifdef HAS_BIAS
        v = XC_H(v + LOAD(bias, i % n_bias));
#endif
        STORE(y, base + i, v);
    }
#ifdef HAS_MEAN
    STORE(mean_out, row, mean + shift);
#endif
#ifdef HAS_INV_STD
    STORE(inv_std_out, row, inv_std);
#endif
}

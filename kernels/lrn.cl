/* lrn.cl — LRN (lrn.direct): one work-item per element of x viewed as [batch, channels,
 * spatial]; y = x / (bias + alpha_n * sum of x^2 over channels c - before .. c + after, clipped
 * to the existing channels)^beta, with alpha_n = alpha / size, as the reference computes it. */
__kernel void lrn(__global const store_t *x, __global store_t *y, const int n, const int channels, const int spatial,
                  const int before, const int after, const float alpha_n, const float beta, const float bias)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int s = i % spatial, c = i / spatial % channels, b = i / (spatial * channels);
    const int lo = max(0, c - before), hi = min(channels - 1, c + after);
    float sum = 0.0f;
    for (int j = lo; j <= hi; j++) {
        const float v = LOAD(x, (b * channels + j) * spatial + s);
        sum = fma(v, v, sum);
    }
    STORE(y, i, LOAD(x, i) / pow(bias + alpha_n * sum, beta));
}

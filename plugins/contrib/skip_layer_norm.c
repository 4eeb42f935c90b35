/* skip_layer_norm.c — com.microsoft SkipLayerNormalization and SkipSimplifiedLayerNormalization
 * (what ONNX Runtime fuses a residual Add + LayerNormalization, or + RMS normalization, into):
 *   s      = input + skip [+ bias]            (rounded to float32, output 3 when requested)
 *   output = (s - mean(s)) / sqrt(var(s) + epsilon) * gamma [+ beta]    over the last axis H
 *   simplified: output = s / sqrt(mean(s^2) + epsilon) * gamma  (inputs: input, skip, gamma[, bias])
 * input is [..., H]; skip is input's shape or a suffix of it (broadcast over leading dims);
 * gamma, beta and bias are [H]. Outputs 1 and 2 (mean and 1/sqrt(var + epsilon)) are shaped
 * [..., 1] like LayerNormalization's (the simplified op's mean is 0). Statistics accumulate in
 * double. */
#include "contrib.h"
#include <math.h>
#include <stdlib.h>

#define DEFAULT_EPSILON 1e-12f /* ONNX Runtime's default for this op */

static int64_t last_dim(const xc_plugin_shape *t) { return t->rank > 0 ? t->dims[t->rank - 1] : -1; }

static xc_status infer(const xc_plugin_node *n, int n_in, const xc_plugin_shape *in, int n_out, xc_plugin_shape *out)
{
    xc_status s = contrib_require_float(n, n_in, in);
    if (s != XC_OK) return s;
    if (in[0].rank == 0) return xc_plugin_fail(n, XC_ERR_MODEL, "the input must have at least one dim");
    int64_t h = last_dim(&in[0]);
    if (in[1].rank > in[0].rank && in[0].rank >= 0)
        return xc_plugin_fail(n, XC_ERR_MODEL, "skip has rank %d, above the input's %d", in[1].rank, in[0].rank);
    for (int k = 0; in[0].rank >= 0 && k < in[1].rank; k++) {
        int64_t a = in[0].dims[in[0].rank - in[1].rank + k], b = in[1].dims[k];
        if (a >= 0 && b >= 0 && a != b && !(b == 1 && k < in[1].rank - 2))
            return xc_plugin_fail(n, XC_ERR_MODEL, "skip's shape does not match the input's trailing dims");
    }
    for (int i = 2; i < n_in; i++)
        if (in[i].present && in[i].rank >= 0 && (in[i].rank != 1 || (h >= 0 && in[i].dims[0] >= 0 && in[i].dims[0] != h)))
            return xc_plugin_fail(n, XC_ERR_MODEL, "input %d (gamma, beta or bias) must be 1-D of the hidden size %lld", i,
                                  (long long)h);
    contrib_same_shape(&out[0], &in[0]);
    for (int o = 1; o < n_out; o++) {
        contrib_same_shape(&out[o], &in[0]);
        if (o < 3 && out[o].rank > 0) out[o].dims[out[o].rank - 1] = 1;
    }
    return XC_OK;
}

static xc_status compute_op(const xc_plugin_node *n, int simplified, int n_in, const xc_tensor *const *in, int n_out,
                            xc_tensor **out)
{
    float eps = DEFAULT_EPSILON;
    xc_plugin_attr_float(n, "epsilon", &eps);
    const xc_tensor *x = in[0], *skip = in[1], *gamma = in[2];
    const xc_tensor *beta = !simplified && n_in > 3 ? in[3] : NULL;
    const xc_tensor *bias = simplified ? (n_in > 3 ? in[3] : NULL) : n_in > 4 ? in[4] : NULL;
    int rank = xc_tensor_rank(x);
    size_t h = (size_t)xc_tensor_dims(x)[rank - 1], rows = h ? xc_tensor_numel(x) / h : 0;
    size_t skip_n = xc_tensor_numel(skip);
    if (xc_tensor_numel(gamma) != h || (beta && xc_tensor_numel(beta) != h) || (bias && xc_tensor_numel(bias) != h) || !skip_n
        || xc_tensor_numel(x) % skip_n)
        return xc_plugin_fail(n, XC_ERR_MODEL, "the sizes of skip, gamma, beta or bias do not fit the input");
    xc_status s = XC_OK;
    for (int o = 0; o < n_out && s == XC_OK; o++)
        if (!out[o] && (o == 0 || o == 3)) s = contrib_alloc_like(&out[o], x); /* 1 and 2 are always inferred */
    if (s != XC_OK) return s;
    float *sum = malloc(sizeof *sum * (h ? h : 1));
    if (!sum) return xc_plugin_fail(n, XC_ERR_NOMEM, "out of memory");
    const float *px = xc_tensor_data(x), *ps = xc_tensor_data(skip), *pg = xc_tensor_data(gamma);
    const float *pb = beta ? xc_tensor_data(beta) : NULL, *pbias = bias ? xc_tensor_data(bias) : NULL;
    float *y = xc_tensor_data(out[0]);
    float *mean_out = n_out > 1 && out[1] ? xc_tensor_data(out[1]) : NULL;
    float *inv_out = n_out > 2 && out[2] ? xc_tensor_data(out[2]) : NULL;
    float *sum_out = n_out > 3 && out[3] ? xc_tensor_data(out[3]) : NULL;
    for (size_t r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (size_t j = 0; j < h; j++) {
            size_t i = r * h + j;
            float v = px[i] + ps[i % skip_n];
            if (pbias) v += pbias[j];
            sum[j] = v;
            mean += v;
        }
        mean = simplified ? 0.0 : mean / (double)h;
        for (size_t j = 0; j < h; j++) var += (sum[j] - mean) * (sum[j] - mean);
        var /= (double)h;
        double inv = 1.0 / sqrt(var + (double)eps);
        for (size_t j = 0; j < h; j++) {
            double v = (sum[j] - mean) * inv * pg[j] + (pb ? pb[j] : 0.0);
            y[r * h + j] = (float)v;
            if (sum_out) sum_out[r * h + j] = sum[j];
        }
        if (mean_out) mean_out[r] = (float)mean;
        if (inv_out) inv_out[r] = (float)inv;
    }
    free(sum);
    return XC_OK;
}

static xc_status compute(const xc_plugin_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out)
{
    return compute_op(n, 0, n_in, in, n_out, out);
}

static xc_status compute_simplified(const xc_plugin_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out)
{
    return compute_op(n, 1, n_in, in, n_out, out);
}

xc_status contrib_register_skip_layer_norm(xc_plugin_registry *r)
{
    static const xc_plugin_attr attrs[] = {{"epsilon", XC_PLUGIN_ATTR_FLOAT, 0}, {0}};
    static const xc_plugin_op ops[] = {
        {CONTRIB_DOMAIN, "SkipLayerNormalization", 1, 0, 3, 5, 1, 4, attrs, infer, compute, NULL, NULL},
        {CONTRIB_DOMAIN, "SkipSimplifiedLayerNormalization", 1, 0, 3, 4, 1, 4, attrs, infer, compute_simplified, NULL, NULL},
    };
    xc_status s = xc_plugin_register_op(r, &ops[0]);
    return s == XC_OK ? xc_plugin_register_op(r, &ops[1]) : s;
}

/* norm.c — reference kernels of the normalization operators: BatchNormalization (inference),
 * InstanceNormalization, GroupNormalization, LayerNormalization, RMSNormalization, LRN,
 * LpNormalization and MeanVarianceNormalization.
 *
 * Each kernel loads a contiguous block (a channel group, a row, a sample) into a double buffer,
 * so means, variances and sums accumulate in double whatever the dtype, and rounds once on
 * store (see norm_util.h). Variances are two-pass: mean first, then the mean squared deviation. */
#include "norm_util.h"
#include <math.h>
#include <stdlib.h>

static double mean_of(const double *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += x[i];
    return sum / (double)n;
}

/* Mean of (x - center)^2: the variance around the mean, or with center 0 the mean square. */
static double mean_square_of(const double *x, size_t n, double center)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (x[i] - center) * (x[i] - center);
    return sum / (double)n;
}

/* x = (x - mean) * inv_std * scale + bias. scale and bias advance by `step` per element (0: one
 * value for the whole row); bias may be NULL. */
static void affine(double *x, size_t len, double mean, double inv_std, const double *scale, const double *bias, size_t step)
{
    for (size_t i = 0; i < len; i++) {
        double y = (x[i] - mean) * inv_std * scale[i * step];
        x[i] = bias ? y + bias[i * step] : y;
    }
}

static double *alloc_doubles(xc_ref_args *a, size_t n)
{
    double *p = malloc(sizeof(double) * (n ? n : 1));
    if (!p) xc_ref_fail(a, XC_ERR_NOMEM, "out of memory for %zu doubles", n);
    return p;
}

/* Inference-mode batch normalization with the given running statistics. Parameters are per
 * channel, or (BatchNormalization-1..7 with spatial=0) per activation, i.e. one per element of
 * a sample; either way each parameter covers `inner` consecutive elements of a sample. */
static xc_status ref_batchnorm(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    size_t numel = xc_tensor_numel(x), n_params = xc_tensor_numel(a->in[1]);
    if (!numel) return XC_OK;
    size_t batch = (size_t)x->dims[0], sample = numel / batch, inner = sample / n_params;
    double eps = xc_attr_float(a->node, "epsilon", 1e-5f);
    double *buf = alloc_doubles(a, 4 * n_params + sample);
    if (!buf) return XC_ERR_NOMEM;
    double *scale = buf, *bias = buf + n_params, *mean = buf + 2 * n_params, *inv_std = buf + 3 * n_params;
    double *blk = buf + 4 * n_params;
    xc_norm_load(a->in[1], 0, n_params, scale);
    xc_norm_load(a->in[2], 0, n_params, bias);
    xc_norm_load(a->in[3], 0, n_params, mean);
    xc_norm_load(a->in[4], 0, n_params, inv_std); /* the variance, turned into 1 / std below */
    for (size_t p = 0; p < n_params; p++) inv_std[p] = 1 / sqrt(inv_std[p] + eps);
    for (size_t b = 0; b < batch; b++) {
        xc_norm_load(x, b * sample, sample, blk);
        for (size_t p = 0; p < n_params; p++) affine(blk + p * inner, inner, mean[p], inv_std[p], &scale[p], &bias[p], 0);
        xc_norm_store(a->out[0], b * sample, sample, blk);
    }
    free(buf);
    return XC_OK;
}

/* Normalizes each of the `groups` channel groups of each sample by its own mean and variance,
 * then applies scale and bias, given per channel or (per_channel 0) per group. */
static xc_status normalize_groups(xc_ref_args *a, size_t groups, int per_channel)
{
    const xc_tensor *x = a->in[0];
    size_t numel = xc_tensor_numel(x);
    if (!numel) return XC_OK;
    size_t channels = (size_t)x->dims[1], spatial = numel / ((size_t)x->dims[0] * channels);
    size_t group_channels = channels / groups, block = group_channels * spatial;
    size_t n_params = per_channel ? channels : groups;
    double eps = xc_attr_float(a->node, "epsilon", 1e-5f);
    double *buf = alloc_doubles(a, 2 * n_params + block);
    if (!buf) return XC_ERR_NOMEM;
    double *scale = buf, *bias = buf + n_params, *blk = buf + 2 * n_params;
    xc_norm_load(a->in[1], 0, n_params, scale);
    xc_norm_load(a->in[2], 0, n_params, bias);
    for (size_t g = 0; g < numel / block; g++) { /* g runs over (sample, group) pairs */
        xc_norm_load(x, g * block, block, blk);
        double mean = mean_of(blk, block), inv_std = 1 / sqrt(mean_square_of(blk, block, mean) + eps);
        for (size_t c = 0; c < group_channels; c++) {
            size_t p = per_channel ? g % groups * group_channels + c : g % groups;
            affine(blk + c * spatial, spatial, mean, inv_std, &scale[p], &bias[p], 0);
        }
        xc_norm_store(a->out[0], g * block, block, blk);
    }
    free(buf);
    return XC_OK;
}

static xc_status ref_instance_norm(xc_ref_args *a) { return normalize_groups(a, (size_t)a->in[0]->dims[1], 1); }

/* GroupNormalization-18 takes scale and bias per group, 21 per channel. */
static xc_status ref_group_norm(xc_ref_args *a)
{
    return normalize_groups(a, (size_t)xc_attr_int(a->node, "num_groups", 1), a->opset >= 21);
}

/* t broadcast from the right to the shape (rank, dims) of len elements, as doubles into dst. */
static void expand_param(const xc_tensor *t, int rank, const int64_t *dims, size_t len, double *dst)
{
    int64_t strides[XC_MAX_RANK];
    xc_ref_bcast_strides(t, rank, dims, strides);
    for (size_t i = 0; i < len; i++)
        dst[i] = xc_load_f64(t->dtype, t->data, (size_t)xc_ref_offset((int64_t)i, rank, dims, strides));
}

/* Normalizes each row of X viewed as [dims before axis, dims from axis on]: LayerNormalization
 * (center 1) subtracts the row mean and divides by the standard deviation, RMSNormalization
 * (center 0) divides by the root mean square. Then scale, and bias when given, apply per
 * element. LayerNormalization's optional outputs get each row's mean and 1 / std. */
static xc_status normalize_rows(xc_ref_args *a, int center)
{
    const xc_tensor *x = a->in[0], *bias_t = a->n_in > 2 ? a->in[2] : NULL;
    int64_t axis = xc_attr_int(a->node, "axis", -1);
    if (axis < 0) axis += x->rank;
    size_t rows = 1, len = 1;
    for (int k = 0; k < x->rank; k++) {
        if (k < axis)
            rows *= (size_t)x->dims[k];
        else
            len *= (size_t)x->dims[k];
    }
    if (!rows || !len) return XC_OK;
    double eps = xc_attr_float(a->node, "epsilon", 1e-5f);
    double *buf = alloc_doubles(a, 3 * len);
    if (!buf) return XC_ERR_NOMEM;
    double *scale = buf, *bias = bias_t ? buf + len : NULL, *row = buf + 2 * len;
    expand_param(a->in[1], x->rank - (int)axis, &x->dims[axis], len, scale);
    if (bias) expand_param(bias_t, x->rank - (int)axis, &x->dims[axis], len, bias);
    xc_tensor *mean_t = a->n_out > 1 ? a->out[1] : NULL, *inv_std_t = a->n_out > 2 ? a->out[2] : NULL;
    for (size_t r = 0; r < rows; r++) {
        xc_norm_load(x, r * len, len, row);
        double mean = center ? mean_of(row, len) : 0;
        double inv_std = 1 / sqrt(mean_square_of(row, len, mean) + eps);
        affine(row, len, mean, inv_std, scale, bias, 1);
        xc_norm_store(a->out[0], r * len, len, row);
        if (mean_t) xc_norm_store(mean_t, r, 1, &mean);
        if (inv_std_t) xc_norm_store(inv_std_t, r, 1, &inv_std);
    }
    free(buf);
    return XC_OK;
}

static xc_status ref_layer_norm(xc_ref_args *a) { return normalize_rows(a, 1); }
static xc_status ref_rms_norm(xc_ref_args *a) { return normalize_rows(a, 0); }

/* y = x / (bias + alpha / size * sum of x^2 over the channels c - (size-1)/2 .. c + size/2,
 * clipped to the existing channels)^beta, at each spatial position. */
static xc_status ref_lrn(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    size_t numel = xc_tensor_numel(x);
    if (!numel) return XC_OK;
    size_t size = (size_t)xc_attr_int(a->node, "size", 1), before = (size - 1) / 2, after = size / 2;
    double alpha = xc_attr_float(a->node, "alpha", 1e-4f) / (double)size;
    double beta = xc_attr_float(a->node, "beta", 0.75f), bias = xc_attr_float(a->node, "bias", 1.0f);
    size_t channels = (size_t)x->dims[1], sample = numel / (size_t)x->dims[0], spatial = sample / channels;
    double *buf = alloc_doubles(a, sample + 2 * spatial);
    if (!buf) return XC_ERR_NOMEM;
    double *blk = buf, *square_sum = buf + sample, *row = square_sum + spatial;
    for (size_t b = 0; b < numel / sample; b++) {
        xc_norm_load(x, b * sample, sample, blk);
        for (size_t c = 0; c < channels; c++) {
            size_t lo = c > before ? c - before : 0, hi = c + after < channels ? c + after : channels - 1;
            for (size_t s = 0; s < spatial; s++) square_sum[s] = 0;
            for (size_t i = lo; i <= hi; i++)
                for (size_t s = 0; s < spatial; s++) square_sum[s] += blk[i * spatial + s] * blk[i * spatial + s];
            for (size_t s = 0; s < spatial; s++) row[s] = blk[c * spatial + s] / pow(bias + alpha * square_sum[s], beta);
            xc_norm_store(a->out[0], b * sample + c * spatial, spatial, row);
        }
    }
    free(buf);
    return XC_OK;
}

/* Divides each lane by its L1 (p 1) or L2 norm. A zero lane stays zero (as in onnxruntime)
 * rather than becoming 0/0 = NaN. */
static void lp_lanes(double *blk, size_t n, size_t inner, double *norm, int p)
{
    for (size_t k = 0; k < inner; k++) norm[k] = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < inner; k++) norm[k] += p == 1 ? fabs(blk[j * inner + k]) : blk[j * inner + k] * blk[j * inner + k];
    for (size_t k = 0; k < inner; k++) norm[k] = p == 1 ? norm[k] : sqrt(norm[k]);
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < inner; k++) blk[j * inner + k] = norm[k] ? blk[j * inner + k] / norm[k] : 0;
}

static void l1_lanes(double *blk, size_t n, size_t inner, double *col) { lp_lanes(blk, n, inner, col, 1); }
static void l2_lanes(double *blk, size_t n, size_t inner, double *col) { lp_lanes(blk, n, inner, col, 2); }

static xc_status ref_lp_norm(xc_ref_args *a)
{
    int p = (int)xc_attr_int(a->node, "p", 2);
    return xc_norm_lanes(a, xc_attr_int(a->node, "axis", -1), 0, p == 1 ? l1_lanes : l2_lanes);
}

/* X as rows of its last dim, and where each element's statistic lies: element k of row r uses
 * statistic row_stat[r] + k * step (step 0 when the last dim is reduced). */
typedef struct stat_view {
    size_t rows, last, step, n_stats;
    size_t *row_stat;
} stat_view;

/* Plans the statistics of reducing x over `axes`: they form x's shape with the reduced dims set
 * to 1, addressed through its strides with 0 along the reduced dims. */
static xc_status plan_stats(xc_ref_args *a, const int64_t *axes, size_t n_axes, stat_view *v)
{
    const xc_tensor *x = a->in[0];
    int rank = x->rank;
    int64_t stat_dims[XC_MAX_RANK], strides[XC_MAX_RANK];
    for (int k = 0; k < rank; k++) stat_dims[k] = x->dims[k];
    for (size_t k = 0; k < n_axes; k++) stat_dims[axes[k] < 0 ? axes[k] + rank : axes[k]] = 1;
    xc_ref_strides(rank, stat_dims, strides);
    v->n_stats = 1;
    for (int k = 0; k < rank; k++) {
        v->n_stats *= (size_t)stat_dims[k];
        if (stat_dims[k] != x->dims[k]) strides[k] = 0;
    }
    v->last = rank ? (size_t)x->dims[rank - 1] : 1;
    v->step = rank ? (size_t)strides[rank - 1] : 0;
    v->rows = xc_tensor_numel(x) / v->last;
    v->row_stat = malloc(sizeof(size_t) * v->rows);
    if (!v->row_stat) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory for %zu row offsets", v->rows);
    for (size_t r = 0; r < v->rows; r++) v->row_stat[r] = (size_t)xc_ref_offset((int64_t)r, rank - 1, x->dims, strides);
    return XC_OK;
}

/* In place: x = (x - mean) / (std + 1e-9) with mean and std per statistic of v. scratch holds
 * 2 * n_stats doubles. */
static void mvn_normalize(double *x, const stat_view *v, double *scratch)
{
    double *mean = scratch, *sd = scratch + v->n_stats, count = (double)(v->rows * v->last / v->n_stats);
    for (size_t s = 0; s < 2 * v->n_stats; s++) scratch[s] = 0;
    for (size_t r = 0; r < v->rows; r++)
        for (size_t k = 0; k < v->last; k++) mean[v->row_stat[r] + k * v->step] += x[r * v->last + k];
    for (size_t s = 0; s < v->n_stats; s++) mean[s] /= count;
    for (size_t r = 0; r < v->rows; r++)
        for (size_t k = 0; k < v->last; k++) {
            size_t s = v->row_stat[r] + k * v->step;
            sd[s] += (x[r * v->last + k] - mean[s]) * (x[r * v->last + k] - mean[s]);
        }
    for (size_t s = 0; s < v->n_stats; s++) sd[s] = sqrt(sd[s] / count) + 1e-9;
    for (size_t r = 0; r < v->rows; r++)
        for (size_t k = 0; k < v->last; k++) {
            size_t s = v->row_stat[r] + k * v->step;
            x[r * v->last + k] = (x[r * v->last + k] - mean[s]) / sd[s];
        }
}

/* MeanVarianceNormalization: y = (x - mean) / (std + 1e-9) over `axes` (default [0, 2, 3]);
 * the epsilon is added to the standard deviation, as in the ONNX function body. The axes need
 * not be contiguous, so the whole tensor is normalized at once through a stat_view. */
static xc_status ref_mvn(xc_ref_args *a)
{
    size_t numel = xc_tensor_numel(a->in[0]);
    if (!numel) return XC_OK;
    static const int64_t default_axes[] = {0, 2, 3};
    const int64_t *axes = default_axes;
    size_t n_axes = 3;
    xc_attr_ints(a->node, "axes", &axes, &n_axes);
    stat_view v;
    XC_TRY(plan_stats(a, axes, n_axes, &v));
    double *buf = alloc_doubles(a, numel + 2 * v.n_stats);
    if (!buf) {
        free(v.row_stat);
        return XC_ERR_NOMEM;
    }
    xc_norm_load(a->in[0], 0, numel, buf);
    mvn_normalize(buf, &v, buf + numel);
    xc_norm_store(a->out[0], 0, numel, buf);
    free(buf);
    free(v.row_stat);
    return XC_OK;
}

const xc_ref_kernel xc_ref_norm[] = {
    {"BatchNormalization", ref_batchnorm},  {"InstanceNormalization", ref_instance_norm}, {"GroupNormalization", ref_group_norm},
    {"LayerNormalization", ref_layer_norm}, {"RMSNormalization", ref_rms_norm},           {"LRN", ref_lrn},
    {"LpNormalization", ref_lp_norm},       {"MeanVarianceNormalization", ref_mvn},       {0},
};

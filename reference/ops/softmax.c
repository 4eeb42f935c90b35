/* softmax.c — reference kernels of Softmax, LogSoftmax and Hardmax.
 *
 * Opsets 1 and 11 coerce the input to 2D at `axis` (default 1) and work on each row of the
 * flattened trailing block; opset 13 works along the one axis `axis` (default -1). Lanes are
 * processed a block at a time with the inner dimension innermost, so memory streams
 * contiguously; everything is computed in double (see norm_util.h). */
#include "norm_util.h"
#include <math.h>

/* max[k] = the largest element of lane k. */
static void lane_max(const double *blk, size_t n, size_t inner, double *max)
{
    for (size_t k = 0; k < inner; k++) max[k] = blk[k];
    for (size_t j = 1; j < n; j++)
        for (size_t k = 0; k < inner; k++)
            if (blk[j * inner + k] > max[k]) max[k] = blk[j * inner + k];
}

/* Replaces each element by exp(x - max of its lane) and sets sum[k] to lane k's total.
 * Subtracting the max keeps exp from overflowing on large inputs. */
static void lane_exp(double *blk, size_t n, size_t inner, double *max, double *sum)
{
    lane_max(blk, n, inner, max);
    for (size_t k = 0; k < inner; k++) sum[k] = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < inner; k++) {
            blk[j * inner + k] = exp(blk[j * inner + k] - max[k]);
            sum[k] += blk[j * inner + k];
        }
}

static void softmax_lanes(double *blk, size_t n, size_t inner, double *col)
{
    lane_exp(blk, n, inner, col, col + inner);
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < inner; k++) blk[j * inner + k] /= col[inner + k];
}

/* log(exp(x - max) / sum) = x - max - log(sum), computed without the lossy round trip. */
static void log_softmax_lanes(double *blk, size_t n, size_t inner, double *col)
{
    double *max = col, *log_sum = col + inner;
    lane_max(blk, n, inner, max);
    for (size_t k = 0; k < inner; k++) log_sum[k] = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < inner; k++) log_sum[k] += exp(blk[j * inner + k] - max[k]);
    for (size_t k = 0; k < inner; k++) log_sum[k] = log(log_sum[k]);
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < inner; k++) blk[j * inner + k] -= max[k] + log_sum[k];
}

/* 1 at the first occurrence of each lane's maximum, 0 elsewhere. */
static void hardmax_lanes(double *blk, size_t n, size_t inner, double *col)
{
    double *max = col, *first = col + inner; /* index of the first maximum (exact in double) */
    for (size_t k = 0; k < inner; k++) {
        max[k] = blk[k];
        first[k] = 0;
    }
    for (size_t j = 1; j < n; j++)
        for (size_t k = 0; k < inner; k++)
            if (blk[j * inner + k] > max[k]) {
                max[k] = blk[j * inner + k];
                first[k] = (double)j;
            }
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < inner; k++) blk[j * inner + k] = (double)j == first[k];
}

/* Runs fn on the lanes the node's opset and `axis` select. */
static xc_status run_softmax(xc_ref_args *a, xc_lane_fn fn)
{
    int per_axis = a->opset >= 13;
    return xc_norm_lanes(a, xc_attr_int(a->node, "axis", per_axis ? -1 : 1), !per_axis, fn);
}

static xc_status ref_softmax(xc_ref_args *a) { return run_softmax(a, softmax_lanes); }
static xc_status ref_log_softmax(xc_ref_args *a) { return run_softmax(a, log_softmax_lanes); }
static xc_status ref_hardmax(xc_ref_args *a) { return run_softmax(a, hardmax_lanes); }

const xc_ref_kernel xc_ref_softmax[] = {
    {"Softmax", ref_softmax},
    {"LogSoftmax", ref_log_softmax},
    {"Hardmax", ref_hardmax},
    {0},
};

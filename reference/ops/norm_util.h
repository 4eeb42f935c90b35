/* norm_util.h — helpers shared by the normalization and softmax reference kernels.
 *
 * These kernels compute in double: each contiguous block of the input is loaded into a double
 * buffer, normalized there, and rounded once on store, so reductions (means, variances, sums of
 * exponentials) accumulate in double whatever the tensor's dtype. */
#ifndef XC_REF_NORM_UTIL_H
#define XC_REF_NORM_UTIL_H
#include "ref.h"

/* Elements [off, off + n) of t, converted to double, into dst. */
void xc_norm_load(const xc_tensor *t, size_t off, size_t n, double *dst);
/* src[0..n) rounded to t's dtype into elements [off, off + n) of t. */
void xc_norm_store(xc_tensor *t, size_t off, size_t n, const double *src);

/* Normalizes one block of n lanes of `inner` elements each: lane k is the elements
 * blk[k], blk[inner + k], ..., blk[(n - 1) * inner + k]. col has room for 2 * inner doubles. */
typedef void (*xc_lane_fn)(double *blk, size_t n, size_t inner, double *col);

/* Views input 0 as [outer, n, inner] around `axis` (negative counts from the back): n is
 * dims[axis] and inner the product of the dims after it, or with `flatten` (the opset < 13
 * softmax family) n is the product of dims[axis:] and inner is 1. Then runs fn on each of the
 * outer blocks of input 0 and stores the result into output 0. */
xc_status xc_norm_lanes(xc_ref_args *a, int64_t axis, int flatten, xc_lane_fn fn);

#endif

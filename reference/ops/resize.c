/* resize.c — reference kernel of Resize and Upsample, following onnx/reference/ops/op_resize.py.
 * Interpolation is separable, so the input is converted to double and resized one axis at a
 * time: each output position along the axis is a weighted sum of a few input positions
 * ("taps", src/ops/resize_taps.c), computed once per axis. The result is rounded into the
 * output type at the end (integers round half to even and saturate). Upsample and Resize-10
 * use asymmetric coordinates, and their nearest mode floors when upsampling and takes the
 * ceiling when downsampling, as onnxruntime does for those versions. */
#include "ref.h"
#include "ops/plans.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* dst[outer, out, inner] = src[outer, in, inner] resized along the middle axis. The weighted
 * sums run over contiguous rows of `inner` elements. */
static void apply_taps(const double *src, double *dst, size_t outer, size_t in, size_t inner, int64_t out,
                       const xc_resize_taps *t, double extrapolation)
{
    for (size_t o = 0; o < outer; o++)
        for (int64_t y = 0; y < out; y++) {
            double *d = dst + (o * (size_t)out + (size_t)y) * inner;
            const int64_t *src_idx = t->src + y * t->n;
            const double *w = t->w + y * t->n;
            for (size_t i = 0; i < inner; i++) d[i] = t->outside[y] ? extrapolation : 0;
            for (int k = 0; k < t->n && !t->outside[y]; k++) {
                const double *s = src + (o * in + (size_t)src_idx[k]) * inner;
                for (size_t i = 0; i < inner; i++) d[i] += w[k] * s[i];
            }
        }
}

/* roi as (start, end) per axis, default (0, 1); given for every axis or for `axes`. */
static xc_status load_roi(const xc_ref_args *a, int rank, double *roi)
{
    for (int k = 0; k < rank; k++) {
        roi[2 * k] = 0;
        roi[2 * k + 1] = 1;
    }
    const xc_tensor *t = a->n_in > 1 && a->opset >= 11 && !strcmp(a->node->op_type, "Resize") ? a->in[1] : NULL;
    if (!t || !xc_tensor_numel(t)) return xc_ref_fail(a, XC_ERR_MODEL, "tf_crop_and_resize needs the roi input");
    const int64_t *axes = NULL;
    size_t n_axes = (size_t)rank;
    xc_attr_ints(a->node, "axes", &axes, &n_axes);
    if (xc_tensor_numel(t) != 2 * n_axes)
        return xc_ref_fail(a, XC_ERR_MODEL, "roi has %zu values, expected %zu", xc_tensor_numel(t), 2 * n_axes);
    for (size_t k = 0; k < n_axes; k++) {
        int64_t ax = !axes ? (int64_t)k : axes[k] < 0 ? axes[k] + rank : axes[k]; /* checked by the plan */
        roi[2 * ax] = xc_load_f64(t->dtype, t->data, k);
        roi[2 * ax + 1] = xc_load_f64(t->dtype, t->data, n_axes + k);
    }
    return XC_OK;
}

static xc_status to_double(const xc_ref_args *a, const xc_tensor *x, double **out)
{
    size_t n = xc_tensor_numel(x);
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    if (x->dtype == XC_FLOAT)
        for (size_t i = 0; i < n; i++) v[i] = ((const float *)x->data)[i];
    else
        for (size_t i = 0; i < n; i++) v[i] = xc_load_f64(x->dtype, x->data, i);
    *out = v;
    return XC_OK;
}

/* Resizes *cur (dims) along axis into a new buffer, replacing *cur and dims[axis]. */
static xc_status resize_axis(const xc_ref_args *a, const xc_resize_opts *o, double **cur, int rank, int64_t *dims, int axis,
                             double scale, int64_t out, const double *roi)
{
    xc_resize_taps t;
    xc_status s = xc_resize_taps_build(o, scale, dims[axis], out, roi, &t);
    if (s != XC_OK) return s; /* out of memory */
    if (xc_resize_taps_identity(&t, dims[axis], out)) {
        xc_resize_taps_free(&t);
        return XC_OK;
    }
    size_t outer, inner, n;
    xc_shape_numel(axis, dims, &outer); /* dims are a valid tensor's */
    xc_shape_numel(rank - axis - 1, dims + axis + 1, &inner);
    n = outer * (size_t)out * inner;
    double *next = malloc((n ? n : 1) * sizeof *next);
    if (!next) {
        xc_resize_taps_free(&t);
        return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    }
    apply_taps(*cur, next, outer, (size_t)dims[axis], inner, out, &t, o->extrapolation);
    xc_resize_taps_free(&t);
    free(*cur);
    *cur = next;
    dims[axis] = out;
    return XC_OK;
}

static xc_status ref_resize(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    if (!xc_tensor_numel(y)) return XC_OK;
    xc_resize_opts o = xc_resize_opts_of(a->node);
    double scale[XC_MAX_RANK], roi[2 * XC_MAX_RANK] = {0}, *cur = NULL;
    int64_t out_dims[XC_MAX_RANK], dims[XC_MAX_RANK];
    XC_TRY(xc_resize_plan(a->node, x->rank, x->dims, a->in, scale, out_dims));
    if (o.coord == XC_COORD_TF_CROP_AND_RESIZE) XC_TRY(load_roi(a, x->rank, roi));
    XC_TRY(to_double(a, x, &cur));
    memcpy(dims, x->dims, sizeof dims);
    for (int ax = 0; ax < x->rank; ax++) {
        xc_status s = resize_axis(a, &o, &cur, x->rank, dims, ax, scale[ax], out_dims[ax], roi + 2 * ax);
        if (s != XC_OK) {
            free(cur);
            return s;
        }
    }
    size_t n = xc_tensor_numel(y);
    if (y->dtype == XC_FLOAT)
        for (size_t i = 0; i < n; i++) ((float *)y->data)[i] = (float)cur[i];
    else
        for (size_t i = 0; i < n; i++) xc_ref_store_saturated(y->dtype, y->data, i, cur[i]);
    free(cur);
    return XC_OK;
}

const xc_ref_kernel xc_ref_resize[] = {
    {"Resize", ref_resize},
    {"Upsample", ref_resize},
    {0},
};

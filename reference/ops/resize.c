/* resize.c — reference kernel of Resize and Upsample, following onnx/reference/ops/op_resize.py.
 * Interpolation is separable, so the input is converted to double and resized one axis at a
 * time: each output position along the axis is a weighted sum of a few input positions
 * ("taps", clamped to the edge), computed once per axis. The result is rounded into the
 * output type at the end (integers round half to even and saturate). Upsample and Resize-10
 * use asymmetric coordinates, and their nearest mode floors when upsampling and takes the
 * ceiling when downsampling, as onnxruntime does for those versions. */
#include "ref.h"
#include "ops/plans.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double linear_weight(double d)
{
    double w = 1 - fabs(d);
    return w > 0 ? w : 0;
}

static double cubic_weight(double d, double a)
{
    double x = fabs(d);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
}

/* One axis: output position y reads taps src[y*n + t] (input indices) with weights
 * w[y*n + t]; positions flagged `outside` (tf_crop_and_resize outside the input) take the
 * extrapolation value instead. */
typedef struct axis_taps {
    int n;
    int64_t *src;
    double *w;
    unsigned char *outside;
} axis_taps;

static void free_taps(axis_taps *t)
{
    free(t->src);
    free(t->w);
    free(t->outside);
}

/* Taps of output position y around source coordinate x. Linear and cubic taps sit at
 * base + start + t, where base = ceil(x) - 1 so that ratio = x - base is in (0, 1]; with
 * antialias (downsampling) the kernel is stretched by 1/scale and so has more taps. */
static void interp_taps(const xc_resize_opts *o, double x, double kernel_scale, int start, int64_t in, int64_t *src,
                        double *w, int n)
{
    double base = ceil(x) - 1, ratio = x - base, sum = 0;
    for (int t = 0; t < n; t++) {
        double d = kernel_scale * (start + t - ratio), pos = base + start + t;
        w[t] = o->mode == XC_INTERP_CUBIC ? cubic_weight(d, o->cubic_a) : linear_weight(d);
        if (o->exclude_outside && (pos < 0 || pos >= (double)in)) w[t] = 0;
        sum += w[t];
        src[t] = pos < 0 ? 0 : pos >= (double)in ? in - 1 : (int64_t)pos;
    }
    if ((o->antialias || o->exclude_outside) && sum != 0)
        for (int t = 0; t < n; t++) w[t] /= sum;
}

static xc_status build_taps(const xc_ref_args *a, const xc_resize_opts *o, double scale, int64_t in, int64_t out,
                            const double *roi, axis_taps *t)
{
    double kernel_scale = o->antialias && scale < 1 ? scale : 1;
    double radius = o->mode == XC_INTERP_CUBIC ? 2 : 1;
    int start = (int)floor(-radius / kernel_scale) + 1;
    t->n = o->mode == XC_INTERP_NEAREST ? 1 : 2 - 2 * start;
    size_t count = (size_t)out * (size_t)t->n + 1;
    t->src = malloc(count * sizeof *t->src);
    t->w = malloc(count * sizeof *t->w);
    t->outside = calloc((size_t)out + 1, 1);
    if (!t->src || !t->w || !t->outside) {
        free_taps(t);
        return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    }
    for (int64_t y = 0; y < out; y++) {
        double x = xc_resize_source(o, (double)y, scale, in, out, roi);
        int64_t *src = t->src + y * t->n;
        double *w = t->w + y * t->n;
        t->outside[y] = o->coord == XC_COORD_TF_CROP_AND_RESIZE && (x < 0 || x > (double)(in - 1));
        if (o->mode != XC_INTERP_NEAREST) {
            interp_taps(o, x, kernel_scale, start, in, src, w, t->n);
            continue;
        }
        double pos = x == floor(x) ? x : xc_resize_nearest(o->nearest, x, scale);
        src[0] = pos < 0 ? 0 : pos >= (double)in ? in - 1 : (int64_t)pos;
        w[0] = 1;
    }
    return XC_OK;
}

/* 1 if the taps copy the axis unchanged (then it is skipped). */
static int taps_identity(const axis_taps *t, int64_t in, int64_t out)
{
    if (in != out) return 0;
    for (int64_t y = 0; y < out; y++) {
        double self = 0;
        for (int k = 0; k < t->n; k++) {
            int64_t j = y * t->n + k;
            if (t->src[j] == y) self += t->w[j];
            else if (t->w[j] != 0) return 0;
        }
        if (t->outside[y] || self != 1) return 0;
    }
    return 1;
}

/* dst[outer, out, inner] = src[outer, in, inner] resized along the middle axis. The weighted
 * sums run over contiguous rows of `inner` elements. */
static void apply_taps(const double *src, double *dst, size_t outer, size_t in, size_t inner, int64_t out,
                       const axis_taps *t, double extrapolation)
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
    if (!t || !xc_tensor_numel(t))
        return xc_ref_fail(a, XC_ERR_MODEL, "tf_crop_and_resize needs the roi input");
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
static xc_status resize_axis(const xc_ref_args *a, const xc_resize_opts *o, double **cur, int rank, int64_t *dims,
                             int axis, double scale, int64_t out, const double *roi)
{
    axis_taps t;
    XC_TRY(build_taps(a, o, scale, dims[axis], out, roi, &t));
    if (taps_identity(&t, dims[axis], out)) {
        free_taps(&t);
        return XC_OK;
    }
    size_t outer, inner, n;
    xc_shape_numel(axis, dims, &outer); /* dims are a valid tensor's */
    xc_shape_numel(rank - axis - 1, dims + axis + 1, &inner);
    n = outer * (size_t)out * inner;
    double *next = malloc((n ? n : 1) * sizeof *next);
    if (!next) {
        free_taps(&t);
        return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    }
    apply_taps(*cur, next, outer, (size_t)dims[axis], inner, out, &t, o->extrapolation);
    free_taps(&t);
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

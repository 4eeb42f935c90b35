/* resize_taps.c — Resize's interpolation along one axis as "taps": output position y is the
 * weighted sum of a few input positions (clamped to the edge), following
 * onnx/reference/ops/op_resize.py. The reference interpreter applies them in double, the OpenCL
 * engine uploads them as tables; both build them here so the two cannot drift apart. */
#include "plans.h"
#include <math.h>
#include <stdlib.h>

static double linear_weight(double d)
{
    double w = 1 - fabs(d);
    return w > 0 ? w : 0;
}

/* Keys' cubic kernel with coefficient a. */
static double cubic_weight(double d, double a)
{
    double x = fabs(d);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
}

/* Taps of output position y around source coordinate x. Linear and cubic taps sit at
 * base + start + t, where base = ceil(x) - 1 so that ratio = x - base is in (0, 1]; with
 * antialias (downsampling) the kernel is stretched by 1/scale and so has more taps. */
static void interp_taps(const xc_resize_opts *o, double x, double kernel_scale, int start, int64_t in, int64_t *src, double *w,
                        int n)
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

void xc_resize_taps_free(xc_resize_taps *t)
{
    free(t->src);
    free(t->w);
    free(t->outside);
    t->src = NULL, t->w = NULL, t->outside = NULL;
}

xc_status xc_resize_taps_build(const xc_resize_opts *o, double scale, int64_t in, int64_t out, const double *roi,
                               xc_resize_taps *t)
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
        xc_resize_taps_free(t);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
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

int xc_resize_taps_identity(const xc_resize_taps *t, int64_t in, int64_t out)
{
    if (in != out) return 0;
    for (int64_t y = 0; y < out; y++) {
        double self = 0;
        for (int k = 0; k < t->n; k++) {
            int64_t j = y * t->n + k;
            if (t->src[j] == y)
                self += t->w[j];
            else if (t->w[j] != 0)
                return 0;
        }
        if (t->outside[y] || self != 1) return 0;
    }
    return 1;
}

/* roi_align.c — reference RoiAlign, following ONNX Runtime's sampling rules.
 *
 * Each output bin of a region is the average (mode avg) or maximum (mode max) of a grid of
 * bilinear samples: sampling_ratio per side, or ceil(region size / output size) when 0. The
 * region is scaled by spatial_scale and, with half_pixel (opset 16's default), shifted by -0.5;
 * output_half_pixel (opset 10's only behaviour) instead forces regions to at least 1x1. Samples
 * more than one pixel outside the map are 0; nearer ones clamp to the edge. Mode max takes, as
 * ORT does, the largest of the four weighted corner terms of each sample, then the largest over
 * samples. A region with a NaN or infinite coordinate gives NaN bins. Geometry and sums are in
 * double. */
#include "vision.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bilinear samples one node may take (seconds of work; real models take far fewer). */
#define XC_ROI_ALIGN_MAX_SAMPLES 1e9

/* The four corners of one bilinear sample: plane offsets and weights. */
typedef struct sample {
    int64_t at[4];
    double w[4];
} sample;

static sample bilinear_sample(double y, double x, int64_t h, int64_t w)
{
    sample s = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    if (!(y >= -1.0 && y <= (double)h && x >= -1.0 && x <= (double)w)) return s; /* NaN included */
    if (y <= 0) y = 0;
    if (x <= 0) x = 0;
    int64_t y0 = (int64_t)y, x0 = (int64_t)x, y1, x1;
    if (y0 >= h - 1)
        y1 = y0 = h - 1, y = (double)y0;
    else
        y1 = y0 + 1;
    if (x0 >= w - 1)
        x1 = x0 = w - 1, x = (double)x0;
    else
        x1 = x0 + 1;
    double ly = y - (double)y0, lx = x - (double)x0, hy = 1 - ly, hx = 1 - lx;
    s.at[0] = y0 * w + x0, s.at[1] = y0 * w + x1, s.at[2] = y1 * w + x0, s.at[3] = y1 * w + x1;
    s.w[0] = hy * hx, s.w[1] = hy * lx, s.w[2] = ly * hx, s.w[3] = ly * lx;
    return s;
}

xc_status xc_ref_roi_align(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *rois = a->in[1], *bi = a->in[2];
    xc_tensor *y = a->out[0];
    int max_mode = !strcmp(xc_attr_string(a->node, "mode", "avg"), "max");
    int half_pixel =
        a->opset >= 16 && !strcmp(xc_attr_string(a->node, "coordinate_transformation_mode", "half_pixel"), "half_pixel");
    int64_t ph = y->dims[2], pw = y->dims[3], sr = xc_attr_int(a->node, "sampling_ratio", 0);
    double scale = xc_attr_float(a->node, "spatial_scale", 1.0f), off = half_pixel ? 0.5 : 0.0;
    int64_t batch = x->dims[0], ch = x->dims[1], h = x->dims[2], w = x->dims[3], plane = h * w;
    if (!plane) return xc_ref_fail(a, XC_ERR_MODEL, "X has an empty spatial axis: there is nothing to sample");
    double work = 0;
    for (int64_t r = 0; r < rois->dims[0]; r++) {
        int64_t b = ((const int64_t *)bi->data)[r];
        if (b < 0 || b >= batch)
            return xc_ref_fail(a, XC_ERR_MODEL, "batch_indices[%lld] is %lld, outside X's batch of %lld", (long long)r,
                               (long long)b, (long long)batch);
        double c[4];
        int finite = 1;
        for (int k = 0; k < 4; k++) {
            c[k] = xc_load_f64(rois->dtype, rois->data, (size_t)(r * 4 + k)) * scale - off;
            finite &= isfinite(c[k]) != 0;
        }
        if (!finite) { /* a NaN or infinite region gives NaN bins, shown rather than guessed */
            for (int64_t i = 0; i < ch * ph * pw; i++) xc_store_f64(y->dtype, y->data, (size_t)(r * ch * ph * pw + i), NAN);
            continue;
        }
        double rw = c[2] - c[0], rh = c[3] - c[1];
        if (!half_pixel) rw = fmax(rw, 1.0), rh = fmax(rh, 1.0);
        double bh = rh / (double)ph, bw = rw / (double)pw;
        double gh_d = sr > 0 ? (double)sr : ceil(rh / (double)ph), gw_d = sr > 0 ? (double)sr : ceil(rw / (double)pw);
        /* NaN or huge regions would make the sample grid undefined or endless */
        if (!(gh_d < 1e6 && gw_d < 1e6))
            return xc_ref_fail(a, XC_ERR_MODEL, "region %lld needs a %g x %g sample grid per bin (at most 1e6 a side)",
                               (long long)r, gh_d, gw_d);
        /* a sane grid per side can still multiply into days of work (a 1e6-pixel region into
         * one bin, or sampling_ratio 1e5): the node's bilinear samples are bounded in total */
        work += gh_d * gw_d * (double)ch * (double)ph * (double)pw;
        if (work > XC_ROI_ALIGN_MAX_SAMPLES)
            return xc_ref_fail(a, XC_ERR_MODEL,
                               "regions up to %lld need more than %.0e bilinear samples (a %g x %g grid per bin)", (long long)r,
                               XC_ROI_ALIGN_MAX_SAMPLES, gh_d, gw_d);
        int64_t gh = gh_d > 0 ? (int64_t)gh_d : 0, gw = gw_d > 0 ? (int64_t)gw_d : 0;
        double count = gh * gw > 1 ? (double)(gh * gw) : 1.0;
        for (int64_t k = 0; k < ch; k++) {
            size_t base = (size_t)((b * ch + k) * plane);
            for (int64_t i = 0; i < ph; i++)
                for (int64_t j = 0; j < pw; j++) {
                    double acc = 0, best = 0;
                    int any = 0;
                    for (int64_t iy = 0; iy < gh; iy++) {
                        double yy = c[1] + (double)i * bh + ((double)iy + 0.5) * bh / (double)gh;
                        for (int64_t ix = 0; ix < gw; ix++) {
                            double xx = c[0] + (double)j * bw + ((double)ix + 0.5) * bw / (double)gw;
                            sample s = bilinear_sample(yy, xx, h, w);
                            double term[4], v = 0;
                            for (int q = 0; q < 4; q++) term[q] = s.w[q] * xc_load_f64(x->dtype, x->data, base + (size_t)s.at[q]);
                            if (!max_mode) {
                                acc += term[0] + term[1] + term[2] + term[3];
                                continue;
                            }
                            v = fmax(fmax(fmax(term[0], term[1]), term[2]), term[3]);
                            best = any ? fmax(best, v) : v;
                            any = 1;
                        }
                    }
                    xc_store_f64(y->dtype, y->data, (size_t)(((r * ch + k) * ph + i) * pw + j), max_mode ? best : acc / count);
                }
        }
    }
    return XC_OK;
}

/* deform_conv.c — reference DeformConv (2-D): a convolution whose taps sample X at learned
 * offsets, optionally scaled by a mask (deformable convolution v1 and v2).
 *
 * Tap (i, j) of output (oh, ow) reads X at (oh*stride - pad + i*dilation + dy, likewise x), with
 * (dy, dx) from offset channels og*2*kH*kW + 2*(i*kW + j) + {0, 1} of its channel's offset group
 * og, by bilinear interpolation in which pixels outside the image read 0. The output is bias +
 * sum over the group's input channels and taps of W * sample * mask, accumulated in double. */
#include "vision.h"
#include "ops/conv_geom.h"
#include <math.h>

static double at(const xc_tensor *t, int64_t i) { return xc_load_f64(t->dtype, t->data, (size_t)i); }

/* X plane (base: its first element) sampled at (y, x); outside pixels read 0. */
static double bilinear(const xc_tensor *x, int64_t base, int64_t h, int64_t w, double y, double xx)
{
    if (!(y > -1 && y < (double)h && xx > -1 && xx < (double)w)) return 0; /* NaN included */
    int64_t y0 = (int64_t)floor(y), x0 = (int64_t)floor(xx);
    double ly = y - (double)y0, lx = xx - (double)x0, v = 0;
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            int64_t yy = y0 + dy, xi = x0 + dx;
            if (yy < 0 || yy >= h || xi < 0 || xi >= w) continue;
            v += (dy ? ly : 1 - ly) * (dx ? lx : 1 - lx) * at(x, base + yy * w + xi);
        }
    return v;
}

xc_status xc_ref_deform_conv(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *wt = a->in[1], *off = a->in[2];
    const xc_tensor *bias = a->n_in > 3 ? a->in[3] : NULL, *mask = a->n_in > 4 ? a->in[4] : NULL;
    xc_tensor *y = a->out[0];
    xc_window win;
    XC_TRY(xc_window_forward(a->node, 2, x->dims + 2, wt->dims + 2, &win));
    int64_t group = xc_attr_int(a->node, "group", 1), og_count = xc_attr_int(a->node, "offset_group", 1);
    int64_t n = x->dims[0], cin = x->dims[1], h = x->dims[2], w = x->dims[3];
    int64_t cout = wt->dims[0], cg = wt->dims[1], kh = win.kernel[0], kw = win.kernel[1], taps = kh * kw;
    int64_t oh = y->dims[2], ow = y->dims[3], oplane = oh * ow, per_og = cin / og_count, out_per_g = cout / group;
    for (int64_t b = 0; b < n; b++)
        for (int64_t oc = 0; oc < cout; oc++) {
            int64_t g = oc / out_per_g;
            for (int64_t p = 0; p < oplane; p++) {
                int64_t py = p / ow, px = p % ow;
                double acc = bias ? at(bias, oc) : 0;
                for (int64_t ci = 0; ci < cg; ci++) {
                    int64_t ic = g * cg + ci, og = ic / per_og;
                    for (int64_t t = 0; t < taps; t++) {
                        int64_t i = t / kw, j = t % kw;
                        int64_t oc_y = ((b * og_count + og) * 2 * taps + 2 * t) * oplane + p;
                        double sy = (double)(py * win.stride[0] - win.pad_begin[0] + i * win.dilation[0]) + at(off, oc_y);
                        double sx =
                            (double)(px * win.stride[1] - win.pad_begin[1] + j * win.dilation[1]) + at(off, oc_y + oplane);
                        double m = mask ? at(mask, ((b * og_count + og) * taps + t) * oplane + p) : 1.0;
                        double v = bilinear(x, (b * cin + ic) * h * w, h, w, sy, sx);
                        acc += at(wt, ((oc * cg + ci) * kh + i) * kw + j) * v * m;
                    }
                }
                xc_store_f64(y->dtype, y->data, (size_t)((b * cout + oc) * oplane + p), acc);
            }
        }
    return XC_OK;
}

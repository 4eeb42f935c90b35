/* max_roi_pool.c — reference MaxRoiPool (Fast R-CNN's RoI pooling), as ONNX Runtime computes it.
 *
 * A region [batch, x1, y1, x2, y2] is scaled by spatial_scale and rounded (half away from zero)
 * to pixel corners, inclusive, at least 1x1; its bins split it evenly, each bin covering the
 * pixels from floor(start) to ceil(end), clipped to the map. A bin with no pixel is 0; a region
 * with a NaN corner gives NaN bins. */
#include "vision.h"
#include <math.h>

static int64_t clip(int64_t v, int64_t hi) { return v < 0 ? 0 : v > hi ? hi : v; }

xc_status xc_ref_max_roi_pool(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *rois = a->in[1];
    xc_tensor *y = a->out[0];
    double scale = xc_attr_float(a->node, "spatial_scale", 1.0f);
    int64_t ph = y->dims[2], pw = y->dims[3];
    int64_t batch = x->dims[0], ch = x->dims[1], h = x->dims[2], w = x->dims[3];
    for (int64_t r = 0; r < rois->dims[0]; r++) {
        double v[5];
        for (int k = 0; k < 5; k++) v[k] = xc_load_f64(rois->dtype, rois->data, (size_t)(r * 5 + k));
        if (!(v[0] >= 0 && v[0] < (double)batch))
            return xc_ref_fail(a, XC_ERR_MODEL, "region %lld names batch %g, outside X's batch of %lld", (long long)r, v[0],
                               (long long)batch);
        int64_t b = (int64_t)v[0];
        double c[4];
        int finite = 1;
        for (int k = 0; k < 4; k++) {
            /* corners beyond 2^50 only ever clip to the map's edge; the bound keeps the casts defined */
            c[k] = round(v[1 + k] * scale);
            finite &= !isnan(c[k]);
            c[k] = fmax(-0x1p50, fmin(0x1p50, c[k])); /* fmin/fmax drop NaN: tested above */
        }
        if (!finite) {
            for (int64_t i = 0; i < ch * ph * pw; i++) xc_store_f64(y->dtype, y->data, (size_t)(r * ch * ph * pw + i), NAN);
            continue;
        }
        int64_t x0 = (int64_t)c[0], y0 = (int64_t)c[1], x1 = (int64_t)c[2], y1 = (int64_t)c[3];
        int64_t rh = y1 - y0 + 1 > 1 ? y1 - y0 + 1 : 1, rw = x1 - x0 + 1 > 1 ? x1 - x0 + 1 : 1;
        double bh = (double)rh / (double)ph, bw = (double)rw / (double)pw;
        for (int64_t k = 0; k < ch; k++) {
            size_t base = (size_t)((b * ch + k) * h * w);
            for (int64_t i = 0; i < ph; i++) {
                int64_t hs = clip((int64_t)floor((double)i * bh) + y0, h), he = clip((int64_t)ceil((double)(i + 1) * bh) + y0, h);
                for (int64_t j = 0; j < pw; j++) {
                    int64_t ws = clip((int64_t)floor((double)j * bw) + x0, w),
                            we = clip((int64_t)ceil((double)(j + 1) * bw) + x0, w);
                    double best = 0;
                    int any = 0;
                    for (int64_t yy = hs; yy < he; yy++)
                        for (int64_t xx = ws; xx < we; xx++) {
                            double e = xc_load_f64(x->dtype, x->data, base + (size_t)(yy * w + xx));
                            if (!any || e > best) best = e;
                            any = 1;
                        }
                    xc_store_f64(y->dtype, y->data, (size_t)(((r * ch + k) * ph + i) * pw + j), best);
                }
            }
        }
    }
    return XC_OK;
}

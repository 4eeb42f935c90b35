/* affine_grid.c — reference AffineGrid: the grid of normalized output coordinates (x, y[, z]),
 * each mapped through its batch's affine matrix theta.
 *
 * Along an axis of L points the base coordinates are -1 + 2i/(L-1) with align_corners (L = 1:
 * -1, as the ONNX reference gives), else the pixel centres -1 + (2i+1)/L. Math in double. */
#include "vision.h"

static double base_coord(int64_t i, int64_t len, int align_corners)
{
    if (align_corners) return len > 1 ? -1.0 + 2.0 * (double)i / (double)(len - 1) : -1.0;
    return -1.0 + (2.0 * (double)i + 1.0) / (double)len;
}

xc_status xc_ref_affine_grid(xc_ref_args *a)
{
    const xc_tensor *theta = a->in[0];
    xc_tensor *y = a->out[0];
    int ac = xc_attr_int(a->node, "align_corners", 0) != 0;
    int nsp = y->rank - 2;      /* 2 or 3 */
    int64_t len[3] = {1, 1, 1}; /* D, H, W (D = 1 in 2-D) */
    for (int k = 0; k < nsp; k++) len[3 - nsp + k] = y->dims[1 + k];
    int64_t points = len[0] * len[1] * len[2];
    for (int64_t b = 0; b < y->dims[0]; b++)
        for (int64_t p = 0; p < points; p++) {
            /* base = (x, y[, z], 1): innermost axis first */
            double base[4] = {base_coord(p % len[2], len[2], ac), base_coord(p / len[2] % len[1], len[1], ac),
                              base_coord(p / (len[1] * len[2]), len[0], ac), 1.0};
            if (nsp == 2) base[2] = 1.0;
            for (int r = 0; r < nsp; r++) {
                double acc = 0;
                for (int k = 0; k <= nsp; k++)
                    acc += xc_load_f64(theta->dtype, theta->data, (size_t)((b * nsp + r) * (nsp + 1) + k)) * base[k];
                xc_store_f64(y->dtype, y->data, (size_t)((b * points + p) * nsp + r), acc);
            }
        }
    return XC_OK;
}

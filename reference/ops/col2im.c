/* col2im.c — reference Col2Im: the inverse of im2col, summing each column's block back into the
 * image (overlapping taps add up; taps in the padding are dropped).
 *
 * Column row c*K + k (k: the tap, row-major over block_shape) and column l (the block, row-major
 * over the block grid) land at pixel block*stride - pad_begin + tap*dilation per axis. The
 * geometry is Conv's (src/ops/conv_geom.c) with block_shape as the kernel. Sums in double. */
#include "vision.h"
#include "ops/conv_geom.h"
#include <stdlib.h>

xc_status xc_ref_col2im(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    int nsp = y->rank - 2;
    int64_t img[XC_MAX_SPATIAL] = {0}, blk[XC_MAX_SPATIAL] = {0};
    for (int k = 0; k < nsp; k++) img[k] = y->dims[2 + k], blk[k] = xc_load_i64(a->in[2]->dtype, a->in[2]->data, (size_t)k);
    xc_window w;
    XC_TRY(xc_window_forward(a->node, nsp, img, blk, &w));
    int64_t taps = 1, blocks = 1, plane = 1;
    for (int k = 0; k < nsp; k++) taps *= blk[k], blocks *= w.out[k], plane *= img[k];
    double *acc = calloc((size_t)plane + 1, sizeof *acc);
    if (!acc) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    int64_t images = y->dims[0] * y->dims[1];
    for (int64_t im = 0; im < images; im++) {
        for (int64_t p = 0; p < plane; p++) acc[p] = 0;
        for (int64_t t = 0; t < taps; t++)
            for (int64_t l = 0; l < blocks; l++) {
                int64_t tr = t, lr = l, pos = 0, inside = 1;
                int64_t coord[XC_MAX_SPATIAL];
                for (int k = nsp - 1; k >= 0; k--) {
                    int64_t ti = tr % blk[k], li = lr % w.out[k];
                    tr /= blk[k], lr /= w.out[k];
                    coord[k] = li * w.stride[k] - w.pad_begin[k] + ti * w.dilation[k];
                    inside &= coord[k] >= 0 && coord[k] < img[k];
                }
                if (!inside) continue;
                for (int k = 0; k < nsp; k++) pos = pos * img[k] + coord[k];
                acc[pos] += xc_load_f64(x->dtype, x->data, (size_t)((im * taps + t) * blocks + l));
            }
        for (int64_t p = 0; p < plane; p++) xc_store_f64(y->dtype, y->data, (size_t)(im * plane + p), acc[p]);
    }
    free(acc);
    return XC_OK;
}

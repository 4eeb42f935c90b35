/* norm_util.c — block loading/storing in double and the per-axis lane driver shared by the
 * normalization and softmax reference kernels (see norm_util.h). */
#include "norm_util.h"
#include <stdlib.h>

void xc_norm_load(const xc_tensor *t, size_t off, size_t n, double *dst)
{
    if (t->dtype == XC_FLOAT) {
        const float *p = (const float *)t->data + off;
        for (size_t i = 0; i < n; i++) dst[i] = p[i];
    } else {
        for (size_t i = 0; i < n; i++) dst[i] = xc_load_f64(t->dtype, t->data, off + i);
    }
}

void xc_norm_store(xc_tensor *t, size_t off, size_t n, const double *src)
{
    if (t->dtype == XC_FLOAT) {
        float *p = (float *)t->data + off;
        for (size_t i = 0; i < n; i++) p[i] = (float)src[i];
    } else {
        for (size_t i = 0; i < n; i++) xc_store_f64(t->dtype, t->data, off + i, src[i]);
    }
}

xc_status xc_norm_lanes(xc_ref_args *a, int64_t axis, int flatten, xc_lane_fn fn)
{
    const xc_tensor *x = a->in[0];
    if (axis < 0) axis += x->rank;
    size_t outer = 1, n = 1, inner = 1;
    for (int k = 0; k < x->rank; k++) {
        size_t d = (size_t)x->dims[k];
        if (k < axis)
            outer *= d;
        else if (k == axis || flatten)
            n *= d;
        else
            inner *= d;
    }
    size_t len = n * inner;
    if (!len || !outer) return XC_OK; /* empty tensor */
    double *blk = malloc(sizeof(double) * (len + 2 * inner));
    if (!blk) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory for a %zu-element block", len);
    for (size_t o = 0; o < outer; o++) {
        xc_norm_load(x, o * len, len, blk);
        fn(blk, n, inner, blk + len);
        xc_norm_store(a->out[0], o * len, len, blk);
    }
    free(blk);
    return XC_OK;
}

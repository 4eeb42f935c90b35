/* max_unpool.c — reference MaxUnpool: a zero output with each X element written at its index,
 * a flat offset (as MaxPool's Indices are) into the output shape the window geometry infers,
 * (in - 1) * stride + kernel - pads per axis (a later duplicate index wins).
 *
 * With output_shape (opset 11) that inferred block sits at the output's origin, the rest zero:
 * what the ONNX reference and the node suite's test_maxunpool_export_with_output_shape expect.
 * ONNX Runtime (1.2x) instead reads the indices as offsets into output_shape itself. */
#include "vision.h"
#include "ops/conv_geom.h"
#include <string.h>

xc_status xc_ref_max_unpool(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *ind = a->in[1];
    xc_tensor *y = a->out[0];
    int rank = x->rank;
    xc_window w;
    XC_TRY(xc_window_transpose(a->node, rank - 2, x->dims + 2, NULL, &w));
    int64_t inferred[XC_MAX_RANK] = {x->dims[0], x->dims[1]};
    size_t total = (size_t)(x->dims[0] * x->dims[1]);
    for (int k = 2; k < rank; k++) {
        inferred[k] = w.out[k - 2];
        if (inferred[k] > y->dims[k])
            return xc_ref_fail(a, XC_ERR_MODEL, "output_shape[%d] is %lld, smaller than the unpooled size %lld", k,
                               (long long)y->dims[k], (long long)inferred[k]);
        total *= (size_t)inferred[k];
    }
    size_t es = xc_dtype_size(x->dtype), n = xc_tensor_numel(x);
    for (size_t i = 0; i < n; i++) {
        int64_t at = ((const int64_t *)ind->data)[i], to = 0, rest = at;
        if (at < 0 || (uint64_t)at >= total)
            return xc_ref_fail(a, XC_ERR_MODEL, "index %lld (element %zu of I) is outside the unpooled output's %zu elements",
                               (long long)at, i, total);
        int64_t coord[XC_MAX_RANK];
        for (int k = rank - 1; k >= 0; k--) coord[k] = rest % inferred[k], rest /= inferred[k];
        for (int k = 0; k < rank; k++) to = to * y->dims[k] + coord[k];
        memcpy((char *)y->data + (size_t)to * es, (const char *)x->data + i * es, es);
    }
    return XC_OK;
}

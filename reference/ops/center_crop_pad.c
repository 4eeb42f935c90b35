/* center_crop_pad.c — reference CenterCropPad: each listed axis is cropped or zero-padded to its
 * target size, centred; an odd difference puts the extra element at the end (crop) or the end's
 * padding (pad), as the ONNX reference does. Elements are copied bytewise, so every dtype works. */
#include "vision.h"
#include <string.h>

xc_status xc_ref_center_crop_pad(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    int rank = x->rank;
    int64_t shift[XC_MAX_RANK]; /* source index = output index + shift */
    for (int k = 0; k < rank; k++) {
        int64_t in = x->dims[k], out = y->dims[k];
        shift[k] = in >= out ? (in - out) / 2 : -((out - in) / 2);
    }
    size_t es = xc_dtype_size(x->dtype), numel = xc_tensor_numel(y);
    int64_t coord[XC_MAX_RANK] = {0};
    for (size_t i = 0; i < numel; i++) {
        int64_t src = 0;
        int inside = 1;
        for (int k = 0; k < rank; k++) {
            int64_t s = coord[k] + shift[k];
            inside &= s >= 0 && s < x->dims[k];
            src = src * x->dims[k] + s;
        }
        if (inside) memcpy((char *)y->data + i * es, (const char *)x->data + (size_t)src * es, es);
        for (int k = rank - 1; k >= 0 && ++coord[k] == y->dims[k]; k--) coord[k] = 0;
    }
    return XC_OK;
}

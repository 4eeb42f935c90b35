/* npy.h — numpy's .npy format (what np.save writes), read from memory.
 *
 * Versions 1.0, 2.0 and 3.0; little-endian (or byte-order-free) bool, int8..int64, uint8..uint64,
 * float16, float32, float64; C order only. Polygraphy stores every array of its JSON files as a
 * base64-encoded .npy, which is why crosscheck reads them. */
#ifndef XC_NPY_H
#define XC_NPY_H
#include "tensor.h"

/* Parses the .npy image buf[0..len) into a new tensor that owns a copy of the data (unnamed).
 * Fails (XC_ERR_MODEL, one line starting "npy: ") on a bad magic or version, a header that is
 * not numpy's dict literal, an unknown or big-endian dtype, Fortran order, a shape that
 * overflows, or data whose length differs from what the shape needs; XC_ERR_NOMEM past
 * xc_max_tensor_bytes(). Never reads outside buf. */
xc_status xc_npy_parse(const void *buf, size_t len, xc_tensor **out);
/* xc_npy_load (a .npy file) is public: crosscheck/tensor.h. */
/* The .npy (version 1.0) image of t, as np.save writes it; *out is malloc'd. Fails for dtypes
 * numpy has no equivalent of (bfloat16, strings, ...). */
xc_status xc_npy_image(const xc_tensor *t, unsigned char **out, size_t *len);
#endif

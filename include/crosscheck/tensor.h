/* tensor.h — a dense tensor: dtype, shape and one contiguous row-major buffer.
 *
 * Tensors the library returns (a run's outputs, loaded files) are owned by the caller and freed
 * with xc_tensor_free(). Their data may point into a memory-mapped file; it stays valid until
 * the tensor is freed. */
#ifndef XC_PUBLIC_TENSOR_H
#define XC_PUBLIC_TENSOR_H
#include "dtype.h"
#include "error.h"
#include <stdint.h>

/* The largest rank crosscheck handles. */
#define XC_MAX_RANK 8

typedef struct xc_tensor xc_tensor;

/* A new zero-filled tensor. Fails on an unstorable dtype, negative dims, a rank above
 * XC_MAX_RANK, size overflow or the memory limits. */
XC_API xc_status xc_tensor_new(xc_dtype t, int rank, const int64_t *dims, xc_tensor **out);
XC_API void xc_tensor_free(xc_tensor *t);

XC_API const char *xc_tensor_name(const xc_tensor *t); /* NULL when unnamed */
XC_API xc_status xc_tensor_set_name(xc_tensor *t, const char *name);
XC_API xc_dtype xc_tensor_dtype(const xc_tensor *t);
XC_API int xc_tensor_rank(const xc_tensor *t);
XC_API const int64_t *xc_tensor_dims(const xc_tensor *t); /* rank entries */
XC_API size_t xc_tensor_numel(const xc_tensor *t);
XC_API size_t xc_tensor_nbytes(const xc_tensor *t);
/* The elements (NULL only for an empty tensor). Writing through it is allowed for tensors made
 * with xc_tensor_new() or returned by a run; a tensor loaded from a file may be mapped
 * read-only. */
XC_API void *xc_tensor_data(const xc_tensor *t);

/* A serialized ONNX TensorProto (.pb), as in test_data_set folders. */
XC_API xc_status xc_tensor_load_pb(const char *path, xc_tensor **out);
XC_API xc_status xc_tensor_save_pb(const xc_tensor *t, const char *path);
/* A numpy .npy file. */
XC_API xc_status xc_npy_load(const char *path, xc_tensor **out);

#endif

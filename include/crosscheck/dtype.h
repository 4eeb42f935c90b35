/* dtype.h — element types, numbered as ONNX's TensorProto.DataType. */
#ifndef XC_PUBLIC_DTYPE_H
#define XC_PUBLIC_DTYPE_H
#include "api.h"
#include <stddef.h>

typedef enum {
    XC_UNDEFINED = 0, XC_FLOAT = 1, XC_UINT8 = 2, XC_INT8 = 3, XC_UINT16 = 4, XC_INT16 = 5,
    XC_INT32 = 6, XC_INT64 = 7, XC_STRING = 8, XC_BOOL = 9, XC_FLOAT16 = 10, XC_DOUBLE = 11,
    XC_UINT32 = 12, XC_UINT64 = 13, XC_COMPLEX64 = 14, XC_COMPLEX128 = 15, XC_BFLOAT16 = 16,
    XC_DTYPE_COUNT = 27 /* ONNX values above 16 (float8, int4, ...) are recognised by name only */
} xc_dtype;

/* Bytes per element for the types crosscheck stores, 0 for types it cannot hold. Half types
 * are stored as their 16-bit patterns. */
XC_API size_t xc_dtype_size(xc_dtype t);
/* "float32", "int64", ... (numpy's names). */
XC_API const char *xc_dtype_name(xc_dtype t);

#endif

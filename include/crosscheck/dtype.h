/* dtype.h — element types, numbered as ONNX's TensorProto.DataType. */
#ifndef XC_PUBLIC_DTYPE_H
#define XC_PUBLIC_DTYPE_H
#include "api.h"
#include <stddef.h>

typedef enum {
    XC_UNDEFINED = 0,
    XC_FLOAT = 1,
    XC_UINT8 = 2,
    XC_INT8 = 3,
    XC_UINT16 = 4,
    XC_INT16 = 5,
    XC_INT32 = 6,
    XC_INT64 = 7,
    XC_STRING = 8,
    XC_BOOL = 9,
    XC_FLOAT16 = 10,
    XC_DOUBLE = 11,
    XC_UINT32 = 12,
    XC_UINT64 = 13,
    XC_COMPLEX64 = 14,
    XC_COMPLEX128 = 15,
    XC_BFLOAT16 = 16,
    /* Low-bit types (storage, Cast, Quantize/DequantizeLinear only). */
    XC_FLOAT8E4M3FN = 17,
    XC_FLOAT8E4M3FNUZ = 18,
    XC_FLOAT8E5M2 = 19,
    XC_FLOAT8E5M2FNUZ = 20,
    XC_UINT4 = 21,
    XC_INT4 = 22,
    XC_FLOAT4E2M1 = 23,
    XC_FLOAT8E8M0 = 24,
    XC_UINT2 = 25,
    XC_INT2 = 26,
    XC_DTYPE_COUNT = 27
} xc_dtype;

/* Bytes per element in memory for the types crosscheck stores, 0 for types it cannot hold.
 * Half types are stored as their 16-bit patterns. Every low-bit type takes one byte per element
 * in memory: float8 and float4 hold their bit pattern (float4 in the low nibble), int4/int2
 * their value sign-extended (int8_t) or zero-extended (uint8_t). Only files pack them: int4,
 * uint4 and float4e2m1 two to a byte, int2/uint2 four to a byte, lowest bits first. */
XC_API size_t xc_dtype_size(xc_dtype t);
/* "float32", "int64", ... (numpy's names). */
XC_API const char *xc_dtype_name(xc_dtype t);

#endif

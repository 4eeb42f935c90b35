/* dtype.h — element types (numbered as ONNX TensorProto.DataType) and scalar conversions.
 *
 * Half-precision types are stored as their bit patterns (uint16_t) and converted with
 * round-to-nearest-even, so the reference rounds exactly as numpy does. */
#ifndef XC_DTYPE_H
#define XC_DTYPE_H
#include "crosscheck/dtype.h"
#include <stddef.h>
#include <stdint.h>

int xc_dtype_from_name(const char *name);        /* inverse of xc_dtype_name, -1 if unknown */
int xc_dtype_is_float(xc_dtype t);               /* float16, bfloat16, float32, float64 */
int xc_dtype_is_int(xc_dtype t);                 /* signed or unsigned integer (not bool) */
int xc_dtype_is_signed(xc_dtype t);
int xc_dtype_supported(xc_dtype t);              /* storable: size > 0 */

/* Bit masks of dtypes, for schema type constraints. */
#define XC_BIT(t) (1u << (t))
#define XC_T_FLOATS (XC_BIT(XC_FLOAT) | XC_BIT(XC_FLOAT16) | XC_BIT(XC_BFLOAT16) | XC_BIT(XC_DOUBLE))
#define XC_T_SINTS (XC_BIT(XC_INT8) | XC_BIT(XC_INT16) | XC_BIT(XC_INT32) | XC_BIT(XC_INT64))
#define XC_T_UINTS (XC_BIT(XC_UINT8) | XC_BIT(XC_UINT16) | XC_BIT(XC_UINT32) | XC_BIT(XC_UINT64))
#define XC_T_INTS (XC_T_SINTS | XC_T_UINTS)
#define XC_T_NUMERIC (XC_T_FLOATS | XC_T_INTS)
#define XC_T_ALL (XC_T_NUMERIC | XC_BIT(XC_BOOL))

float xc_f16_to_f32(uint16_t h);
uint16_t xc_f32_to_f16(float f);
float xc_bf16_to_f32(uint16_t h);
uint16_t xc_f32_to_bf16(float f);

/* Element i of a buffer of type t, read as double / int64 (exact for all ints), and written back
 * with the conversion ONNX Cast uses (float -> int truncates toward zero, saturating nothing). */
double xc_load_f64(xc_dtype t, const void *p, size_t i);
int64_t xc_load_i64(xc_dtype t, const void *p, size_t i);
void xc_store_f64(xc_dtype t, void *p, size_t i, double v);
void xc_store_i64(xc_dtype t, void *p, size_t i, int64_t v);
/* v rounded to the precision of float dtype t (half types through float: a double rounding
 * that cannot matter at half precision); other dtypes return v unchanged. */
double xc_dtype_round(xc_dtype t, double v);
/* float32 path for half types, used by kernels that compute in float. */
float xc_load_f32(xc_dtype t, const void *p, size_t i);
void xc_store_f32(xc_dtype t, void *p, size_t i, float v);

#endif

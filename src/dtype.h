/* dtype.h — element types (numbered as ONNX TensorProto.DataType) and scalar conversions.
 *
 * Half-precision types are stored as their bit patterns (uint16_t) and converted with
 * round-to-nearest-even, so the reference rounds exactly as numpy does. */
#ifndef XC_DTYPE_H
#define XC_DTYPE_H
#include "crosscheck/dtype.h"
#include <stddef.h>
#include <stdint.h>

int xc_dtype_from_name(const char *name); /* inverse of xc_dtype_name, -1 if unknown */
int xc_dtype_is_float(xc_dtype t);        /* float16, bfloat16, float32, float64 */
int xc_dtype_is_int(xc_dtype t);          /* signed or unsigned integer (not bool) */
int xc_dtype_is_signed(xc_dtype t);
int xc_dtype_supported(xc_dtype t); /* storable as numbers: size > 0, not string */
/* supported, or string: a string tensor holds one owned NUL-terminated char * per element (NULL
 * reads as ""), freed and deep-copied by tensor.c; only the string ops (src/ops/text.c) and the
 * ops xc_op_takes_strings() names accept them, everything else refuses them as unsupported. */
int xc_dtype_holds(xc_dtype t);

/* Bit masks of dtypes, for schema type constraints. */
#define XC_BIT(t) (1u << (t))
#define XC_T_FLOATS (XC_BIT(XC_FLOAT) | XC_BIT(XC_FLOAT16) | XC_BIT(XC_BFLOAT16) | XC_BIT(XC_DOUBLE))
#define XC_T_SINTS (XC_BIT(XC_INT8) | XC_BIT(XC_INT16) | XC_BIT(XC_INT32) | XC_BIT(XC_INT64))
#define XC_T_UINTS (XC_BIT(XC_UINT8) | XC_BIT(XC_UINT16) | XC_BIT(XC_UINT32) | XC_BIT(XC_UINT64))
#define XC_T_INTS (XC_T_SINTS | XC_T_UINTS)
#define XC_T_NUMERIC (XC_T_FLOATS | XC_T_INTS)
#define XC_T_ALL (XC_T_NUMERIC | XC_BIT(XC_BOOL))
/* Low-bit types: one byte per element in memory, packed only in files (dtype_low.c). */
#define XC_T_FLOAT8 (XC_BIT(XC_FLOAT8E4M3FN) | XC_BIT(XC_FLOAT8E4M3FNUZ) | XC_BIT(XC_FLOAT8E5M2) | XC_BIT(XC_FLOAT8E5M2FNUZ))
#define XC_T_LOW_FLOATS (XC_T_FLOAT8 | XC_BIT(XC_FLOAT4E2M1) | XC_BIT(XC_FLOAT8E8M0))
#define XC_T_LOW_INTS (XC_BIT(XC_INT4) | XC_BIT(XC_UINT4) | XC_BIT(XC_INT2) | XC_BIT(XC_UINT2))
#define XC_T_LOW (XC_T_LOW_FLOATS | XC_T_LOW_INTS)

float xc_f16_to_f32(uint16_t h);
uint16_t xc_f32_to_f16(float f);
float xc_bf16_to_f32(uint16_t h);
uint16_t xc_f32_to_bf16(float f);

/* Low-bit types (dtype_low.c). */
int xc_dtype_is_low(xc_dtype t);                      /* any type in XC_T_LOW */
int xc_dtype_is_low_float(xc_dtype t);                /* float8 types, float4e2m1 */
int xc_dtype_is_low_int(xc_dtype t);                  /* int4, uint4, int2, uint2 */
int xc_dtype_bits(xc_dtype t);                        /* bits per element in files: 4, 2, or 8 * size */
size_t xc_dtype_file_bytes(xc_dtype t, size_t numel); /* bytes of numel packed elements */
void xc_low_int_range(xc_dtype t, int *lo, int *hi);
uint8_t xc_low_int_wrap(xc_dtype t, int64_t v);    /* integer -> int4/int2 byte, wrapping */
uint8_t xc_low_int_from_f64(xc_dtype t, double v); /* truncates; out of range, NaN, Inf -> 0 */
float xc_low_to_f32(xc_dtype t, uint8_t code);     /* float8/float4 code -> its exact value */
/* v to the code of a float8/float4 type, rounding to nearest even; saturate maps overflow and
 * Inf to the largest finite value (else Inf or NaN as the type has). e8m0 rounds "up". */
uint8_t xc_f64_to_low(xc_dtype t, double v, int saturate);
enum { XC_E8M0_UP, XC_E8M0_DOWN, XC_E8M0_NEAREST };
uint8_t xc_f32_to_e8m0(float v, int saturate, int mode);
/* File packing of 4- and 2-bit types, lowest bits first; unpack sign-extends int4/int2. */
void xc_low_pack(xc_dtype t, const uint8_t *elems, size_t n, uint8_t *out);
void xc_low_unpack(xc_dtype t, const uint8_t *packed, size_t n, uint8_t *elems);

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

/* dtype.c — element type table and scalar conversions. */
#include "dtype.h"
#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;
} table[XC_DTYPE_COUNT] = {
    [XC_UNDEFINED] = {"undefined", 0},
    [XC_FLOAT] = {"float32", 4},
    [XC_UINT8] = {"uint8", 1},
    [XC_INT8] = {"int8", 1},
    [XC_UINT16] = {"uint16", 2},
    [XC_INT16] = {"int16", 2},
    [XC_INT32] = {"int32", 4},
    [XC_INT64] = {"int64", 8},
    [XC_STRING] = {"string", sizeof(char *)},
    [XC_BOOL] = {"bool", 1},
    [XC_FLOAT16] = {"float16", 2},
    [XC_DOUBLE] = {"float64", 8},
    [XC_UINT32] = {"uint32", 4},
    [XC_UINT64] = {"uint64", 8},
    [XC_COMPLEX64] = {"complex64", 0},
    [XC_COMPLEX128] = {"complex128", 0},
    [XC_BFLOAT16] = {"bfloat16", 2},
    /* low-bit types: one byte per element in memory (crosscheck/dtype.h) */
    [XC_FLOAT8E4M3FN] = {"float8e4m3fn", 1},
    [XC_FLOAT8E4M3FNUZ] = {"float8e4m3fnuz", 1},
    [XC_FLOAT8E5M2] = {"float8e5m2", 1},
    [XC_FLOAT8E5M2FNUZ] = {"float8e5m2fnuz", 1},
    [XC_UINT4] = {"uint4", 1},
    [XC_INT4] = {"int4", 1},
    [XC_FLOAT4E2M1] = {"float4e2m1", 1},
    [XC_FLOAT8E8M0] = {"float8e8m0", 1},
    [XC_UINT2] = {"uint2", 1},
    [XC_INT2] = {"int2", 1},
};

size_t xc_dtype_size(xc_dtype t) { return (unsigned)t < XC_DTYPE_COUNT ? table[t].size : 0; }
int xc_dtype_supported(xc_dtype t) { return t != XC_STRING && xc_dtype_size(t) != 0; }
int xc_dtype_holds(xc_dtype t) { return t == XC_STRING || xc_dtype_supported(t); }

const char *xc_dtype_name(xc_dtype t) { return (unsigned)t < XC_DTYPE_COUNT && table[t].name ? table[t].name : "unknown"; }

int xc_dtype_from_name(const char *name)
{
    for (int t = 0; t < XC_DTYPE_COUNT; t++)
        if (table[t].name && !strcmp(table[t].name, name)) return t;
    if (!strcmp(name, "float")) return XC_FLOAT;
    if (!strcmp(name, "double")) return XC_DOUBLE;
    return -1;
}

int xc_dtype_is_float(xc_dtype t) { return (unsigned)t < 32 && (XC_BIT(t) & XC_T_FLOATS); }
int xc_dtype_is_int(xc_dtype t) { return (unsigned)t < 32 && (XC_BIT(t) & XC_T_INTS); }
int xc_dtype_is_signed(xc_dtype t) { return (unsigned)t < 32 && (XC_BIT(t) & (XC_T_SINTS | XC_T_FLOATS)); }

float xc_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal half: value = man * 2^-24 */
            float f = (float)man * 0x1p-24f;
            return sign ? -f : f;
        }
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t xc_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t absx = x & 0x7fffffffu;
    if (absx > 0x7f800000u) return sign | 0x7e00;  /* NaN */
    if (absx >= 0x477ff000u) return sign | 0x7c00; /* rounds to inf (>= 65520) */
    if (absx < 0x38800000u) {                      /* below the smallest normal half 2^-14 */
        /* Half subnormals are multiples of 2^-24; rintf rounds ties to even. */
        float a;
        memcpy(&a, &absx, 4);
        return sign | (uint16_t)rintf(a * 0x1p24f);
    }
    uint32_t mant = absx & 0x7fffff, exp = (absx >> 23) - 112;
    uint32_t h = (exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) h++; /* round to nearest even */
    return sign | (uint16_t)h;
}

float xc_bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t xc_f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);
    x += 0x7fff + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}

double xc_load_f64(xc_dtype t, const void *p, size_t i)
{
    switch (t) {
    case XC_FLOAT: return ((const float *)p)[i];
    case XC_DOUBLE: return ((const double *)p)[i];
    case XC_FLOAT16: return xc_f16_to_f32(((const uint16_t *)p)[i]);
    case XC_BFLOAT16: return xc_bf16_to_f32(((const uint16_t *)p)[i]);
    case XC_UINT64: return (double)((const uint64_t *)p)[i];
    case XC_STRING: return NAN; /* no number: string tensors are compared and printed as strings */
    default:
        if (xc_dtype_is_low_float(t)) return xc_low_to_f32(t, ((const uint8_t *)p)[i]);
        return (double)xc_load_i64(t, p, i);
    }
}

int64_t xc_load_i64(xc_dtype t, const void *p, size_t i)
{
    switch (t) {
    case XC_UINT8: return ((const uint8_t *)p)[i];
    case XC_INT8: return ((const int8_t *)p)[i];
    case XC_UINT16: return ((const uint16_t *)p)[i];
    case XC_INT16: return ((const int16_t *)p)[i];
    case XC_INT32: return ((const int32_t *)p)[i];
    case XC_INT64: return ((const int64_t *)p)[i];
    case XC_UINT32: return ((const uint32_t *)p)[i];
    case XC_UINT64: return (int64_t)((const uint64_t *)p)[i];
    case XC_BOOL: return ((const uint8_t *)p)[i] != 0;
    case XC_INT4:
    case XC_INT2: return ((const int8_t *)p)[i];
    case XC_UINT4:
    case XC_UINT2: return ((const uint8_t *)p)[i];
    default: {
        double d = xc_load_f64(t, p, i);
        if (isnan(d)) return 0;
        if (d >= 9.2233720368547758e18) return INT64_MAX;
        if (d <= -9.2233720368547758e18) return INT64_MIN;
        return (int64_t)d;
    }
    }
}

void xc_store_i64(xc_dtype t, void *p, size_t i, int64_t v)
{
    switch (t) {
    case XC_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case XC_INT8: ((int8_t *)p)[i] = (int8_t)v; break;
    case XC_UINT16: ((uint16_t *)p)[i] = (uint16_t)v; break;
    case XC_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
    case XC_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
    case XC_INT64: ((int64_t *)p)[i] = v; break;
    case XC_UINT32: ((uint32_t *)p)[i] = (uint32_t)v; break;
    case XC_UINT64: ((uint64_t *)p)[i] = (uint64_t)v; break;
    case XC_BOOL: ((uint8_t *)p)[i] = v != 0; break;
    case XC_INT4:
    case XC_UINT4:
    case XC_INT2:
    case XC_UINT2: ((uint8_t *)p)[i] = xc_low_int_wrap(t, v); break;
    default: xc_store_f64(t, p, i, (double)v); break;
    }
}

void xc_store_f64(xc_dtype t, void *p, size_t i, double v)
{
    switch (t) {
    case XC_FLOAT: ((float *)p)[i] = (float)v; break;
    case XC_DOUBLE: ((double *)p)[i] = v; break;
    case XC_FLOAT16: ((uint16_t *)p)[i] = xc_f32_to_f16((float)v); break;
    case XC_BFLOAT16: ((uint16_t *)p)[i] = xc_f32_to_bf16((float)v); break;
    case XC_BOOL: ((uint8_t *)p)[i] = v != 0; break;
    case XC_UINT64: ((uint64_t *)p)[i] = isnan(v) || v <= 0 ? 0 : v >= 1.8446744073709552e19 ? UINT64_MAX : (uint64_t)v; break;
    default: {
        if (xc_dtype_is_low(t)) { /* float8 saturates here, as Cast and QuantizeLinear do by default */
            ((uint8_t *)p)[i] = xc_f64_to_low(t, v, 1);
            break;
        }
        int64_t iv = isnan(v) ? 0 : v >= 9.2233720368547758e18 ? INT64_MAX : v <= -9.2233720368547758e18 ? INT64_MIN : (int64_t)v;
        xc_store_i64(t, p, i, iv);
        break;
    }
    }
}

double xc_dtype_round(xc_dtype t, double v)
{
    switch (t) {
    case XC_FLOAT: return (float)v;
    case XC_FLOAT16: return xc_f16_to_f32(xc_f32_to_f16((float)v));
    case XC_BFLOAT16: return xc_bf16_to_f32(xc_f32_to_bf16((float)v));
    default: return v;
    }
}

float xc_load_f32(xc_dtype t, const void *p, size_t i)
{
    switch (t) {
    case XC_FLOAT: return ((const float *)p)[i];
    case XC_FLOAT16: return xc_f16_to_f32(((const uint16_t *)p)[i]);
    case XC_BFLOAT16: return xc_bf16_to_f32(((const uint16_t *)p)[i]);
    default: return (float)xc_load_f64(t, p, i);
    }
}

void xc_store_f32(xc_dtype t, void *p, size_t i, float v)
{
    switch (t) {
    case XC_FLOAT: ((float *)p)[i] = v; break;
    case XC_FLOAT16: ((uint16_t *)p)[i] = xc_f32_to_f16(v); break;
    case XC_BFLOAT16: ((uint16_t *)p)[i] = xc_f32_to_bf16(v); break;
    default: xc_store_f64(t, p, i, v); break;
    }
}

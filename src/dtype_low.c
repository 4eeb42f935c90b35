/* dtype_low.c — the low-bit element types: float8 (e4m3fn, e4m3fnuz, e5m2, e5m2fnuz, e8m0),
 * float4e2m1, int4/uint4 and int2/uint2.
 *
 * In memory each element takes one byte (see crosscheck/dtype.h); files pack the 4- and 2-bit
 * types, lowest bits first. Conversions follow ml_dtypes, which onnx.numpy_helper and
 * onnx.reference use: round to nearest even from the exact value, and on overflow e5m2 gives
 * Inf, e4m3fn NaN, the fnuz types their one NaN (0x80, no negative zero); float4e2m1 has neither
 * and saturates. float8e8m0 follows onnx.numpy_helper.to_float8e8m0 (round "up" by default). */
#include "dtype.h"
#include <math.h>
#include <string.h>

/* How a float format spends its top codes. */
enum special { SP_FN, SP_IEEE, SP_FNUZ, SP_NONE };

typedef struct lowfloat {
    int exp_bits, mant_bits, bias;
    enum special sp;
    uint8_t max_code; /* largest finite positive code */
} lowfloat;

static const lowfloat *format_of(xc_dtype t)
{
    static const lowfloat e4m3fn = {4, 3, 7, SP_FN, 0x7e}, e4m3fnuz = {4, 3, 8, SP_FNUZ, 0x7f}, e5m2 = {5, 2, 15, SP_IEEE, 0x7b},
                          e5m2fnuz = {5, 2, 16, SP_FNUZ, 0x7f}, e2m1 = {2, 1, 1, SP_NONE, 0x7};
    switch (t) {
    case XC_FLOAT8E4M3FN: return &e4m3fn;
    case XC_FLOAT8E4M3FNUZ: return &e4m3fnuz;
    case XC_FLOAT8E5M2: return &e5m2;
    case XC_FLOAT8E5M2FNUZ: return &e5m2fnuz;
    case XC_FLOAT4E2M1: return &e2m1;
    default: return NULL;
    }
}

int xc_dtype_is_low(xc_dtype t) { return (unsigned)t < 32 && (XC_BIT(t) & XC_T_LOW); }
int xc_dtype_is_low_float(xc_dtype t) { return (unsigned)t < 32 && (XC_BIT(t) & XC_T_LOW_FLOATS); }
int xc_dtype_is_low_int(xc_dtype t) { return (unsigned)t < 32 && (XC_BIT(t) & XC_T_LOW_INTS); }

int xc_dtype_bits(xc_dtype t)
{
    switch (t) {
    case XC_INT4:
    case XC_UINT4:
    case XC_FLOAT4E2M1: return 4;
    case XC_INT2:
    case XC_UINT2: return 2;
    default: return 8 * (int)xc_dtype_size(t);
    }
}

size_t xc_dtype_file_bytes(xc_dtype t, size_t numel)
{
    size_t bits = (size_t)xc_dtype_bits(t);
    return bits >= 8 ? numel * (bits / 8) : numel / (8 / bits) + (numel % (8 / bits) != 0);
}

void xc_low_int_range(xc_dtype t, int *lo, int *hi)
{
    int bits = xc_dtype_bits(t), sign = t == XC_INT4 || t == XC_INT2;
    *lo = sign ? -(1 << (bits - 1)) : 0;
    *hi = (1 << (bits - sign)) - 1;
}

/* An integer wrapped to t's width, as numpy/ml_dtypes convert integers: sign-extended for int4
 * and int2. */
uint8_t xc_low_int_wrap(xc_dtype t, int64_t v)
{
    int bits = xc_dtype_bits(t);
    unsigned mask = (1u << bits) - 1, u = (unsigned)((uint64_t)v & mask);
    if (t == XC_INT4 || t == XC_INT2) return (uint8_t)(int8_t)((int)(u ^ (1u << (bits - 1))) - (1 << (bits - 1)));
    return (uint8_t)u;
}

/* ml_dtypes converts a float to int4/int2 by truncating toward zero, and gives 0 for NaN, Inf
 * and values whose truncation falls outside the type's range (it does not wrap them). */
uint8_t xc_low_int_from_f64(xc_dtype t, double v)
{
    int lo, hi;
    xc_low_int_range(t, &lo, &hi);
    if (isnan(v)) return 0;
    double tr = trunc(v);
    if (tr < lo || tr > hi) return 0;
    return xc_low_int_wrap(t, (int64_t)tr);
}

float xc_low_to_f32(xc_dtype t, uint8_t code)
{
    if (t == XC_FLOAT8E8M0) return code == 0xff ? NAN : ldexpf(1.0f, (int)code - 127);
    const lowfloat *f = format_of(t);
    if (!f) return 0;
    int M = f->mant_bits, E = f->exp_bits, emax = (1 << E) - 1, mmax = (1 << M) - 1;
    int sign = (code >> (E + M)) & 1, e = (code >> M) & emax, m = code & mmax;
    if (f->sp == SP_FNUZ && code == 0x80) return NAN;
    if (f->sp == SP_FN && e == emax && m == mmax) return sign ? -NAN : NAN;
    if (f->sp == SP_IEEE && e == emax) return m ? (sign ? -NAN : NAN) : sign ? -INFINITY : INFINITY;
    /* every value is exact in float: at most 4 significant bits, exponents within float's */
    float v = e ? ldexpf(1.0f + (float)m / (float)(1 << M), e - f->bias) : ldexpf((float)m, 1 - f->bias - M);
    return sign ? -v : v;
}

/* The code for NaN and for a value past the largest finite one (Inf or overflow), by sign. */
static uint8_t nan_code(const lowfloat *f, int sign)
{
    switch (f->sp) {
    case SP_FN: return (uint8_t)(sign << 7 | 0x7f);
    case SP_IEEE: return (uint8_t)(sign << 7 | 0x7e);
    case SP_FNUZ: return 0x80;
    default: return (uint8_t)(!sign << 3); /* ml_dtypes: NaN -> 0 with the sign bit flipped */
    }
}

static uint8_t overflow_code(const lowfloat *f, int sign, int saturate)
{
    int sbit = sign << (f->exp_bits + f->mant_bits);
    if (saturate || f->sp == SP_NONE) return (uint8_t)(sbit | f->max_code);
    if (f->sp == SP_IEEE) return (uint8_t)(sbit | 0x7c);
    return nan_code(f, sign);
}

uint8_t xc_f64_to_low(xc_dtype t, double v, int saturate)
{
    if (t == XC_FLOAT8E8M0) return xc_f32_to_e8m0((float)v, saturate, XC_E8M0_UP);
    if (xc_dtype_is_low_int(t)) return xc_low_int_from_f64(t, v);
    const lowfloat *f = format_of(t);
    if (!f) return 0;
    int M = f->mant_bits, sign = signbit(v) != 0, sbit = sign << (f->exp_bits + M);
    if (isnan(v)) return nan_code(f, sign);
    double a = fabs(v);
    if (isinf(a)) return overflow_code(f, sign, saturate);
    double min_normal = ldexp(1, 1 - f->bias), max = xc_low_to_f32(t, f->max_code);
    int e;
    if (a < min_normal)
        e = 1 - f->bias;
    else {
        frexp(a, &e);
        e -= 1; /* a = 1.x * 2^e */
    }
    double r = ldexp(rint(ldexp(a, M - e)), e - M); /* exact: scaling by powers of two */
    if (r > max) return overflow_code(f, sign, saturate);
    if (r == 0) return f->sp == SP_FNUZ ? 0 : (uint8_t)sbit;
    if (r < min_normal) return (uint8_t)(sbit | (int)ldexp(r, f->bias - 1 + M));
    frexp(r, &e);
    e -= 1;
    int mant = (int)(ldexp(r, M - e)) - (1 << M);
    return (uint8_t)(sbit | (e + f->bias) << M | mant);
}

/* onnx.numpy_helper.to_float8e8m0, bit for bit: the float32 exponent field, rounded by the
 * mantissa bits according to mode; NaN and Inf give 0xff; with saturate 0xfe never rounds up. */
uint8_t xc_f32_to_e8m0(float v, int saturate, int mode)
{
    uint32_t bits;
    memcpy(&bits, &v, 4);
    unsigned exponent = (bits >> 23) & 0xff;
    if (exponent == 0xff) return 0xff;
    int up = 0;
    if (mode == XC_E8M0_NEAREST) {
        int g = (bits & 0x400000) != 0, r = (bits & 0x200000) != 0, s = (bits & 0x1fffff) != 0, lsb = exponent > 0;
        up = g && (r || s || lsb);
    } else if (mode == XC_E8M0_UP) {
        up = (bits & 0x7fffff) != 0;
    }
    if (saturate && exponent == 0xfe) up = 0;
    return (uint8_t)(exponent + (unsigned)up);
}

void xc_low_pack(xc_dtype t, const uint8_t *elems, size_t n, uint8_t *out)
{
    int bits = xc_dtype_bits(t), per = 8 / bits;
    unsigned mask = (1u << bits) - 1;
    memset(out, 0, xc_dtype_file_bytes(t, n));
    for (size_t i = 0; i < n; i++) out[i / per] |= (uint8_t)((elems[i] & mask) << (i % per * bits));
}

void xc_low_unpack(xc_dtype t, const uint8_t *packed, size_t n, uint8_t *elems)
{
    int bits = xc_dtype_bits(t), per = 8 / bits;
    unsigned mask = (1u << bits) - 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t u = (uint8_t)((packed[i / per] >> (i % per * bits)) & mask);
        elems[i] = xc_dtype_is_low_int(t) ? xc_low_int_wrap(t, u) : u;
    }
}

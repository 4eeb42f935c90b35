/* unary.c — reference kernels of the elementwise unary operators: math functions and
 * activations (one table line each), Clip, Cast/CastLike, Identity, IsNaN/IsInf, Not and
 * Dropout (inference mode).
 *
 * Math ops compute float32 in float, float64 in double, float16/bfloat16 in float (rounded on
 * store); the few that accept integers compute them exactly in int64 where an integer form
 * exists, otherwise in double (exact for every int but the largest int64/uint64 values). */
#include "ref.h"
#include "ops/clip_bounds.h"
#include <float.h>
#include <string.h>
#include <tgmath.h> /* sin(x) is sinf for a float x: float32 math stays in float */

typedef void (*loop_f32)(const float *in, float *out, size_t n, float a, float b);
typedef void (*loop_f64)(const double *in, double *out, size_t n, double a, double b);
typedef int64_t (*elem_i64)(int64_t x, int is_unsigned);

/* One math op: its loops and up to two float attributes (a, b) with their defaults. */
typedef struct math_op {
    loop_f32 f32;
    loop_f64 f64;
    elem_i64 i64; /* exact integer form, or NULL */
    const char *attr_a, *attr_b;
    float def_a, def_b;
} math_op;

enum { CHUNK = 256 }; /* half types are widened to float this many elements at a time */

static void map_halves(const math_op *op, const xc_tensor *x, xc_tensor *y, size_t n, float a, float b)
{
    float buf[CHUNK];
    for (size_t i = 0; i < n; i += CHUNK) {
        size_t m = n - i < CHUNK ? n - i : CHUNK;
        for (size_t k = 0; k < m; k++) buf[k] = xc_load_f32(x->dtype, x->data, i + k);
        op->f32(buf, buf, m, a, b);
        for (size_t k = 0; k < m; k++) xc_store_f32(y->dtype, y->data, i + k, buf[k]);
    }
}

static void map_ints(const math_op *op, const xc_tensor *x, xc_tensor *y, size_t n, double a, double b)
{
    int is_unsigned = !xc_dtype_is_signed(x->dtype);
    for (size_t i = 0; i < n; i++) {
        if (op->i64) {
            xc_store_i64(y->dtype, y->data, i, op->i64(xc_load_i64(x->dtype, x->data, i), is_unsigned));
        } else {
            double v = xc_load_f64(x->dtype, x->data, i);
            op->f64(&v, &v, 1, a, b);
            xc_store_f64(y->dtype, y->data, i, v);
        }
    }
}

static xc_status map_unary(xc_ref_args *a, const math_op *op)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    size_t n = xc_tensor_numel(x);
    float pa = op->attr_a ? xc_attr_float(a->node, op->attr_a, op->def_a) : 0;
    float pb = op->attr_b ? xc_attr_float(a->node, op->attr_b, op->def_b) : 0;
    if (x->dtype == XC_FLOAT)
        op->f32(x->data, y->data, n, pa, pb);
    else if (x->dtype == XC_DOUBLE)
        op->f64(x->data, y->data, n, pa, pb);
    else if (x->dtype == XC_FLOAT16 || x->dtype == XC_BFLOAT16)
        map_halves(op, x, y, n, pa, pb);
    else if (xc_dtype_is_int(x->dtype))
        map_ints(op, x, y, n, pa, pb);
    else
        return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "dtype %s is not supported", xc_dtype_name(x->dtype));
    return XC_OK;
}

/* K(v): the constant v in the element's type, so float32 expressions stay in float. */
#define K(v) _Generic(x, float : (float)(v), default : (double)(v))

/* A loop applying expr to each element x (a, b: the op's attributes) in type `real`. */
#define LOOP(name, real, expr)                                                                                                   \
    static void name(const real *in, real *out, size_t n, real a, real b)                                                        \
    {                                                                                                                            \
        (void)a, (void)b;                                                                                                        \
        for (size_t i = 0; i < n; i++) {                                                                                         \
            real x = in[i];                                                                                                      \
            out[i] = (expr);                                                                                                     \
        }                                                                                                                        \
    }
#define LOOPS(op, expr) LOOP(op##_f32, float, expr) LOOP(op##_f64, double, expr)

/* A math op's loops and kernel: attribute names (NULL if none), defaults, integer form. */
#define MATH_OP(op, an, ad, bn, bd, i64, expr)                                                                                   \
    LOOPS(op, expr)                                                                                                              \
    static xc_status ref_##op(xc_ref_args *a)                                                                                    \
    {                                                                                                                            \
        static const math_op m = {op##_f32, op##_f64, i64, an, bn, ad, bd};                                                      \
        return map_unary(a, &m);                                                                                                 \
    }
#define PLAIN(op, i64, expr) MATH_OP(op, NULL, 0, NULL, 0, i64, expr)
#define ATTR1(op, an, ad, expr) MATH_OP(op, an, ad, NULL, 0, NULL, expr)
#define ATTR2(op, an, ad, bn, bd, expr) MATH_OP(op, an, ad, bn, bd, NULL, expr)

/* Integer forms; unsigned values are never negative, and negation wraps like numpy's. */
static int64_t neg_i64(int64_t x, int is_unsigned)
{
    (void)is_unsigned;
    return (int64_t)(0 - (uint64_t)x);
}
static int64_t abs_i64(int64_t x, int is_unsigned) { return is_unsigned || x >= 0 ? x : neg_i64(x, 0); }
static int64_t sign_i64(int64_t x, int is_unsigned) { return x == 0 ? 0 : is_unsigned || x > 0 ? 1 : -1; }
static int64_t relu_i64(int64_t x, int is_unsigned) { return is_unsigned || x >= 0 ? x : 0; }

/* The math ops, one line each. NaN passes through (fmax/fmin alone would swallow it). */
#define MATH_OPS(X, A1, A2)                                                                                                      \
    X(Abs, abs_i64, fabs(x))                                                                                                     \
    X(Neg, neg_i64, -x)                                                                                                          \
    X(Sign, sign_i64, x > 0 ? 1 : x < 0 ? -1 : x)                                                                                \
    X(Relu, relu_i64, x < 0 ? 0 : x)                                                                                             \
    X(Exp, NULL, exp(x))                                                                                                         \
    X(Log, NULL, log(x))                                                                                                         \
    X(Sqrt, NULL, sqrt(x))                                                                                                       \
    X(Reciprocal, NULL, 1 / x)                                                                                                   \
    X(Floor, NULL, floor(x))                                                                                                     \
    X(Ceil, NULL, ceil(x))                                                                                                       \
    X(Round, NULL, nearbyint(x)) /* the default rounding mode: half to even */                                                   \
    X(Sin, NULL, sin(x))                                                                                                         \
    X(Cos, NULL, cos(x))                                                                                                         \
    X(Tan, NULL, tan(x))                                                                                                         \
    X(Asin, NULL, asin(x))                                                                                                       \
    X(Acos, NULL, acos(x))                                                                                                       \
    X(Atan, NULL, atan(x))                                                                                                       \
    X(Sinh, NULL, sinh(x))                                                                                                       \
    X(Cosh, NULL, cosh(x))                                                                                                       \
    X(Tanh, NULL, tanh(x))                                                                                                       \
    X(Asinh, NULL, asinh(x))                                                                                                     \
    X(Acosh, NULL, acosh(x))                                                                                                     \
    X(Atanh, NULL, atanh(x))                                                                                                     \
    X(Erf, NULL, erf(x))                                                                                                         \
    X(Sigmoid, NULL, 1 / (1 + exp(-x)))                                                                                          \
    X(Softsign, NULL, x / (1 + fabs(x)))                                                                                         \
    X(Softplus, NULL, x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))) /* no overflow for big x */                                    \
    X(Mish, NULL, x *tanh(log1p(exp(x))))                                                                                        \
    X(HardSwish, NULL, isnan(x) ? x : x *fmax(K(0), fmin(K(1), x / 6 + K(0.5))))                                                 \
    A1(LeakyRelu, "alpha", 0.01f, x < 0 ? a * x : x)                                                                             \
    A1(Elu, "alpha", 1.0f, x < 0 ? a * expm1(x) : x)                                                                             \
    A1(Celu, "alpha", 1.0f, x > 0 ? x : a * expm1(x / a))                                                                        \
    A1(ThresholdedRelu, "alpha", 1.0f, x > a ? x : 0)                                                                            \
    A1(Swish, "alpha", 1.0f, x / (1 + exp(-a * x)))                                                                              \
    A2(Selu, "alpha", 1.67326319217681884765625f, "gamma", 1.05070102214813232421875f, x > 0 ? b * x : b * (a * expm1(x)))       \
    A2(HardSigmoid, "alpha", 0.2f, "beta", 0.5f, isnan(x) ? x : fmax(K(0), fmin(K(1), a *x + b)))                                \
    A2(Shrink, "lambd", 0.5f, "bias", 0.0f, x<-a ? x + b : x> a ? x - b : 0)

MATH_OPS(PLAIN, ATTR1, ATTR2)

/* Gelu picks its formula from the approximate attribute (the schema allows only these two). */
LOOPS(gelu_erf, K(0.5) * x * (1 + erf(x * K(M_SQRT1_2))))
/* tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
LOOPS(gelu_tanh, K(0.5) * x * (1 + tanh(K(0.79788456080286535588) * (x + K(0.044715) * x * x * x))))

static xc_status ref_gelu(xc_ref_args *a)
{
    static const math_op erf_form = {gelu_erf_f32, gelu_erf_f64, NULL, NULL, NULL, 0, 0};
    static const math_op tanh_form = {gelu_tanh_f32, gelu_tanh_f64, NULL, NULL, NULL, 0, 0};
    return map_unary(a, strcmp(xc_attr_string(a->node, "approximate", "none"), "tanh") ? &erf_form : &tanh_form);
}

/* Integers compare exactly as int64; flipping the top bit orders uint64 values the same way. */
static int64_t order_key(int64_t v, uint64_t flip) { return (int64_t)((uint64_t)v ^ flip); }

static void clip_ints(const xc_tensor *x, xc_tensor *y, const xc_tensor *min, const xc_tensor *max)
{
    uint64_t flip = xc_dtype_is_signed(x->dtype) ? 0 : UINT64_C(1) << 63;
    int64_t lo = min ? order_key(xc_load_i64(min->dtype, min->data, 0), flip) : INT64_MIN;
    int64_t hi = max ? order_key(xc_load_i64(max->dtype, max->data, 0), flip) : INT64_MAX;
    for (size_t i = 0, n = xc_tensor_numel(x); i < n; i++) {
        int64_t v = order_key(xc_load_i64(x->dtype, x->data, i), flip);
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
        xc_store_i64(y->dtype, y->data, i, order_key(v, flip));
    }
}

/* max(x, lo) then min(., hi), like numpy's clip: min > max gives max everywhere, NaN stays NaN.
 * The result is x, lo or hi, so computing in double is exact for every float type. */
static void clip_floats(const xc_tensor *x, xc_tensor *y, double lo, double hi)
{
    size_t n = xc_tensor_numel(x);
    if (x->dtype == XC_FLOAT) {
        const float *in = x->data;
        float *out = y->data, flo = (float)lo, fhi = (float)hi;
        for (size_t i = 0; i < n; i++) {
            float v = in[i] < flo ? flo : in[i];
            out[i] = v > fhi ? fhi : v;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double v = xc_load_f64(x->dtype, x->data, i);
        v = v < lo ? lo : v;
        xc_store_f64(y->dtype, y->data, i, v > hi ? hi : v);
    }
}

/* Clip-1/6 take float bounds as attributes, Clip-11+ optional scalar inputs of the input's type. */
static xc_status ref_clip(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    const xc_tensor *min = a->n_in > 1 ? a->in[1] : NULL, *max = a->n_in > 2 ? a->in[2] : NULL;
    if (a->opset >= 11 && !xc_dtype_is_float(x->dtype)) {
        clip_ints(x, a->out[0], min, max);
        return XC_OK;
    }
    double lo_in = min ? xc_load_f64(min->dtype, min->data, 0) : 0, hi_in = max ? xc_load_f64(max->dtype, max->data, 0) : 0;
    double lo, hi;
    xc_clip_bounds(a->node, min ? &lo_in : NULL, max ? &hi_in : NULL, &lo, &hi);
    clip_floats(x, a->out[0], lo, hi);
    return XC_OK;
}

/* Casts to float8/float4 as onnx's reference does: `saturate` (default 1) clamps overflow
 * and Inf to the largest finite value; float8e8m0 also takes `round_mode` (default "up"). */
static void cast_to_low_float(const xc_ref_args *a, const xc_tensor *x, xc_tensor *y, size_t n)
{
    int saturate = (int)xc_attr_int(a->node, "saturate", 1);
    uint8_t *out = y->data;
    if (y->dtype == XC_FLOAT8E8M0) {
        const char *rm = xc_attr_string(a->node, "round_mode", "up");
        int mode = !strcmp(rm, "nearest") ? XC_E8M0_NEAREST : !strcmp(rm, "down") ? XC_E8M0_DOWN : XC_E8M0_UP;
        for (size_t i = 0; i < n; i++) out[i] = xc_f32_to_e8m0((float)xc_load_f64(x->dtype, x->data, i), saturate, mode);
        return;
    }
    for (size_t i = 0; i < n; i++) out[i] = xc_f64_to_low(y->dtype, xc_load_f64(x->dtype, x->data, i), saturate);
}

/* Cast semantics: float to int truncates toward zero, anything to bool is != 0. Ints and bools
 * convert through int64 (exact, int4/int2 wrapping); anything involving a float type through
 * double (exact for every float source). */
static xc_status ref_cast(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    size_t n = xc_tensor_numel(x);
    if (x->dtype == y->dtype) {
        if (n) memcpy(y->data, x->data, y->nbytes);
    } else if (xc_dtype_is_low_float(y->dtype)) {
        cast_to_low_float(a, x, y, n);
    } else if (!xc_dtype_is_float(x->dtype) && !xc_dtype_is_low_float(x->dtype) && !xc_dtype_is_float(y->dtype)) {
        for (size_t i = 0; i < n; i++) xc_store_i64(y->dtype, y->data, i, xc_load_i64(x->dtype, x->data, i));
    } else {
        for (size_t i = 0; i < n; i++) xc_store_f64(y->dtype, y->data, i, xc_load_f64(x->dtype, x->data, i));
    }
    return XC_OK;
}

static xc_status ref_identity(xc_ref_args *a)
{
    if (a->in[0]->value != XC_VALUE_TENSOR) { /* a sequence or an optional: a deep copy */
        xc_tensor_free(a->out[0]);
        a->out[0] = NULL;
        return xc_tensor_clone(a->in[0], &a->out[0]);
    }
    if (a->out[0]->nbytes) memcpy(a->out[0]->data, a->in[0]->data, a->out[0]->nbytes);
    return XC_OK;
}

/* Inference-mode Dropout: the input unchanged and, when requested, a mask that keeps everything. */
static xc_status ref_dropout(xc_ref_args *a)
{
    ref_identity(a);
    xc_tensor *mask = a->n_out > 1 ? a->out[1] : NULL;
    for (size_t i = 0, n = mask ? xc_tensor_numel(mask) : 0; i < n; i++) xc_store_i64(mask->dtype, mask->data, i, 1);
    return XC_OK;
}

static xc_status ref_not(xc_ref_args *a)
{
    const uint8_t *in = a->in[0]->data;
    uint8_t *out = a->out[0]->data;
    for (size_t i = 0, n = xc_tensor_numel(a->in[0]); i < n; i++) out[i] = !in[i];
    return XC_OK;
}

/* IsNaN and IsInf: which classes of value map to true. */
static xc_status classify(xc_ref_args *a, int nan, int pos_inf, int neg_inf)
{
    const xc_tensor *x = a->in[0];
    uint8_t *out = a->out[0]->data;
    for (size_t i = 0, n = xc_tensor_numel(x); i < n; i++) {
        double v = xc_load_f64(x->dtype, x->data, i);
        out[i] = isnan(v) ? nan : isinf(v) ? (v > 0 ? pos_inf : neg_inf) : 0;
    }
    return XC_OK;
}

static xc_status ref_isnan(xc_ref_args *a) { return classify(a, 1, 0, 0); }

static xc_status ref_isinf(xc_ref_args *a)
{
    return classify(a, 0, xc_attr_int(a->node, "detect_positive", 1) != 0, xc_attr_int(a->node, "detect_negative", 1) != 0);
}

#define KERNEL_ROW(op, ...) {#op, ref_##op},

const xc_ref_kernel xc_ref_unary[] = {
    MATH_OPS(KERNEL_ROW, KERNEL_ROW, KERNEL_ROW){"Gelu", ref_gelu},
    {"Clip", ref_clip},
    {"Cast", ref_cast},
    {"CastLike", ref_cast},
    {"Identity", ref_identity},
    {"Dropout", ref_dropout},
    {"Not", ref_not},
    {"IsNaN", ref_isnan},
    {"IsInf", ref_isinf},
    {0},
};

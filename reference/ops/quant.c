/* quant.c — reference kernels of QuantizeLinear and DequantizeLinear, plus the saturating
 * integer store they share with Resize. Arithmetic follows onnx's numpy reference exactly:
 * each step is done in double and then rounded to the type numpy would compute that step in
 * (double keeps enough bits that the second rounding never differs from a direct one). */
#include "ref.h"
#include <math.h>
#include <stdlib.h>

/* Stores v into element i: integer types get v rounded half to even and clamped to their range
 * (NaN stores 0), float types get v rounded to nearest. */
void xc_ref_store_saturated(xc_dtype t, void *p, size_t i, double v)
{
    if (xc_dtype_is_int(t) || xc_dtype_is_low_int(t)) {
        int bits = xc_dtype_bits(t), sign = xc_dtype_is_signed(t) || t == XC_INT4 || t == XC_INT2;
        double lo = sign ? -ldexp(1, bits - 1) : 0, hi = ldexp(1, bits - sign) - 1;
        v = rint(v);
        v = v < lo ? lo : v > hi ? hi : v;
    }
    xc_store_f64(t, p, i, v);
}

/* Where the scale (and zero point) of x's element k is: x is viewed as [outer, n, inner]
 * around axis, and element (o, d, i) uses scale o*so + (d / block)*sd + i*si. Per tensor all
 * strides are 0; per axis only sd is 1; blocked scales have x's layout with n / block rows. */
typedef struct quant_layout {
    size_t n, inner, block, so, sd, si;
} quant_layout;

static quant_layout layout_of(const xc_ref_args *a, const xc_tensor *x, const xc_tensor *scale)
{
    quant_layout l = {1, 1, 1, 0, 0, 0};
    int64_t block = xc_attr_int(a->node, "block_size", 0);
    if (block == 0 && xc_tensor_numel(scale) == 1) return l;
    int64_t axis = xc_attr_int(a->node, "axis", 1); /* range checked by the schema */
    if (axis < 0) axis += x->rank;
    l.n = (size_t)x->dims[axis];
    for (int k = (int)axis + 1; k < x->rank; k++) l.inner *= (size_t)x->dims[k];
    if (block == 0) {
        l.sd = 1;
    } else {
        l.block = (size_t)block;
        l.sd = l.inner;
        l.so = (l.n + l.block - 1) / l.block * l.inner;
        l.si = 1;
    }
    return l;
}

static size_t scale_index(const quant_layout *l, size_t k)
{
    size_t i = k % l->inner, d = k / l->inner % l->n, o = k / l->inner / l->n;
    return o * l->so + d / l->block * l->sd + i * l->si;
}

/* The (small) scale or zero-point tensor as doubles; NULL input gives zeros. */
static xc_status load_doubles(const xc_ref_args *a, const xc_tensor *t, size_t n, double **out)
{
    double *v = calloc(n ? n : 1, sizeof *v);
    if (!v) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (size_t k = 0; t && k < n; k++) v[k] = xc_load_f64(t->dtype, t->data, k);
    *out = v;
    return XC_OK;
}

/* Loads scale and zero point (same shape; zeros when the zero point is omitted). */
static xc_status load_params(const xc_ref_args *a, double **scale, double **zp)
{
    size_t n = xc_tensor_numel(a->in[1]);
    XC_TRY(load_doubles(a, a->in[1], n, scale));
    xc_status s = load_doubles(a, a->n_in > 2 ? a->in[2] : NULL, n, zp);
    if (s != XC_OK) free(*scale);
    return s;
}

/* The type numpy computes x / scale in: the `precision` attribute's type if given, else the
 * promotion of x's and the scale's types (an integer operand promotes to double). */
static xc_dtype division_type(const xc_node *n, xc_dtype xt, xc_dtype st)
{
    int64_t precision = xc_attr_int(n, "precision", 0);
    if (precision) xt = st = (xc_dtype)precision;
    if (st == XC_FLOAT8E8M0) st = XC_FLOAT; /* numpy: (float16 or float32) / e8m0 is float32 */
    if (!xc_dtype_is_float(xt) || !xc_dtype_is_float(st) || xt == XC_DOUBLE || st == XC_DOUBLE) return XC_DOUBLE;
    return xt == st ? xt : XC_FLOAT;
}

/* Integer types: y = saturate(rint(x / scale) + zero_point), rounding half to even. float8:
 * y = x / scale converted with `saturate` (the zero point must be 0 and is not added), as
 * onnx's reference does; float4e2m1: x / scale + zero_point converted (float4 saturates). */
static xc_status ref_quantize(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    double *scale, *zp;
    XC_TRY(load_params(a, &scale, &zp));
    quant_layout l = layout_of(a, x, a->in[1]);
    xc_dtype div_t = division_type(a->node, x->dtype, a->in[1]->dtype);
    int fp8 = (XC_BIT(y->dtype) & XC_T_FLOAT8) != 0, saturate = (int)xc_attr_int(a->node, "saturate", 1);
    size_t n = xc_tensor_numel(x);
    for (size_t k = 0; k < n; k++) {
        size_t s = scale_index(&l, k);
        /* operands first converted to div_t (numpy's astype for `precision`; exact otherwise) */
        double xv = xc_dtype_round(div_t, xc_load_f64(x->dtype, x->data, k));
        double q = xc_dtype_round(div_t, xv / xc_dtype_round(div_t, scale[s]));
        if (fp8)
            ((uint8_t *)y->data)[k] = xc_f64_to_low(y->dtype, q, saturate);
        else if (y->dtype == XC_FLOAT4E2M1) /* numpy adds in float32 (double when q is) */
            ((uint8_t *)y->data)[k] =
                xc_f64_to_low(y->dtype, xc_dtype_round(div_t == XC_DOUBLE ? XC_DOUBLE : XC_FLOAT, q + zp[s]), 1);
        else
            xc_ref_store_saturated(y->dtype, y->data, k, rint(q) + zp[s]);
    }
    free(scale);
    free(zp);
    return XC_OK;
}

/* y = (x - zero_point) * scale. numpy converts x to float32 first; the difference and the
 * product are then exact in double (for int32 x numpy computes them in double too). */
static xc_status ref_dequantize(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    double *scale, *zp;
    XC_TRY(load_params(a, &scale, &zp));
    quant_layout l = layout_of(a, x, a->in[1]);
    size_t n = xc_tensor_numel(x);
    int low_float = xc_dtype_is_low_float(x->dtype); /* float8/float4: the zero point is ignored */
    for (size_t k = 0; k < n; k++) {
        size_t s = scale_index(&l, k);
        double v = low_float ? xc_load_f64(x->dtype, x->data, k) : (float)xc_load_i64(x->dtype, x->data, k);
        xc_store_f64(y->dtype, y->data, k, (v - (low_float ? 0 : zp[s])) * scale[s]);
    }
    free(scale);
    free(zp);
    return XC_OK;
}

/* The range [min(0, min x), max(0, max x)] mapped onto [0, 255], in float32 step by step as
 * onnx's reference does: scale = (max - min) / 255 (1 / 255 when the range is empty),
 * zero_point = rint(clamp(-min / scale, 0, 255)), y = saturate(rint(x / scale) + zero_point). */
static xc_status ref_dynamic_quantize(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    size_t n = xc_tensor_numel(x);
    const float *v = x->data;
    float lo = 0, hi = 0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(v[k])) return xc_ref_fail(a, XC_ERR_MODEL, "x[%zu] is NaN: no quantization range", k);
        lo = v[k] < lo ? v[k] : lo;
        hi = v[k] > hi ? v[k] : hi;
    }
    float scale = (hi == lo ? 1.0f : hi - lo) / 255.0f;
    float zp = 0.0f - lo / scale;
    zp = rintf(zp < 0 ? 0 : zp > 255 ? 255 : zp);
    for (size_t k = 0; k < n; k++) xc_ref_store_saturated(XC_UINT8, a->out[0]->data, k, (double)(rintf(v[k] / scale) + zp));
    if (a->out[1]) xc_store_f64(XC_FLOAT, a->out[1]->data, 0, scale);
    if (a->out[2]) xc_store_f64(XC_UINT8, a->out[2]->data, 0, zp);
    return XC_OK;
}

const xc_ref_kernel xc_ref_quant[] = {
    {"DynamicQuantizeLinear", ref_dynamic_quantize},
    {"QuantizeLinear", ref_quantize},
    {"DequantizeLinear", ref_dequantize},
    {0},
};

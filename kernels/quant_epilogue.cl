/* quant_epilogue.cl — prepended to the int8 conv and gemm programs (quant_conv.cl,
 * quant_gemm.cl): the epilogue that turns an int32 accumulator into the layer's output.
 *   v = acc * mult[c] + bias[c]     mult = x_scale * w_scale[c] (* alpha), the dequantized sum
 *   v += res[o]                     XC_RESIDUAL: the residual add conv_residual fused (--int8)
 *   v = activation(v)               a fused Relu/Clip/... (XC_ACTIVATE from the prelude)
 *   REQUANT: y = saturate(rint(v / y_scale) + y_zero)  as QuantizeLinear rounds (half to even,
 *            the division correctly rounded: programs get -cl-fp32-correctly-rounded-divide-sqrt)
 *   else:    y = v stored as the layer's float storage.
 * Defines: X_T, W_T (operand types), REQUANT with Y_T, Y_MIN, Y_MAX; OUT_T is what y holds.
 * X_FLOAT (implicit quantization, --int8): x is float (X_T store_t) and each element read is
 * quantized on the fly, symmetric int8: clamp(rint(x / x_scale), -128, 127). */
#ifdef REQUANT
#define OUT_T Y_T
inline Y_T xc_saturate(float v) { return (Y_T)(isnan(v) ? 0.0f : fmin(fmax(v, (float)Y_MIN), (float)Y_MAX)); }
#define XQ_STORE(y, i, v, ys, yz) ((y)[i] = xc_saturate(rint((v) / (ys)) + (float)(yz)))
#else
#define OUT_T store_t
#define XQ_STORE(y, i, v, ys, yz) STORE(y, i, v)
#endif

#ifdef X_FLOAT
inline int xq_quantize_x(float v, float x_scale) { return (int)fmin(fmax(rint(v / x_scale), -128.0f), 127.0f); }
#define XQ_X(x, i) xq_quantize_x(LOAD(x, i), x_scale)
#else
#define XQ_X(x, i) ((int)(x)[i])
#endif

inline float xq_dequant_acc(int acc, float mult, float bias, __global const store_t *res, size_t o)
{
    float v = (float)acc * mult + bias;
#ifdef XC_RESIDUAL
    v += LOAD(res, o);
#endif
    return xc_activate(v);
}

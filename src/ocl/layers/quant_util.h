/* quant_util.h — what the quantized layer kinds share (quant.c: QuantizeLinear and
 * DequantizeLinear; quant_conv.c, quant_gemm.c: the int8 conv and gemm the qdq_fusion pass
 * forms): the integer types quantized tensors come in, and scales and zero points read from
 * constants and uploaded as float32 / int32 arrays (never as half: they are parameters, not
 * activations, whatever the layer's storage). */
#ifndef XC_OCL_QUANT_UTIL_H
#define XC_OCL_QUANT_UTIL_H
#include "ocl/engine.h"

/* 1 for the quantized types the kernels take (int8, uint8). */
int xq_is_q8(xc_dtype t);
/* 1 for those and int16, uint16 (QuantizeLinear/DequantizeLinear layers take them too). */
int xq_is_q16(xc_dtype t);
/* OpenCL type of an int8/uint8/int16/uint16/int32 dtype; NULL for others. */
const char *xq_cl_type(xc_dtype t);
/* " -DY_T=char -DY_MIN=-128 -DY_MAX=127": the saturating store of 8/16-bit dtype t, appended. */
void xq_sat_defines(char *buf, size_t len, xc_dtype t);
/* Whether tensor scale is a float32 constant with 1 or n elements and zp (or -1) a constant of
 * the same count of an 8-, 16-bit or int32 type; runtime: either may be an activation too. */
int xq_params_ok(const xc_engine *e, int scale, int zp, size_t n, int runtime);
/* Scales and zero points of (scale, zp) as n float32 / int32 values, per-tensor ones repeated
 * (caller frees both). */
xc_status xq_params_host(const xc_engine *e, int scale, int zp, size_t n, float **s, int **z);
/* Uploads (scale, zp) for layer l as two derived weights of count entries each. */
xc_status xq_params_upload(xc_engine *e, const xc_layer *l, const char *tag, int scale, int zp, size_t count, int *ws, int *wz);

/* The inputs of an int8 conv/gemm layer (qconv, qgemm), by position in l->in, as the
 * qdq_fusion pass wires them: the quantized input, the quantized constant weights, up to two
 * float bias constants (conv bias or Gemm's C; a bias the gemm_bias_act pass fused), then the
 * scale and zero-point constants of x, w and (when a QuantizeLinear was folded in) y. Absent
 * ones are -1. A float x (implicit quantization, qdq_implicit.c) is quantized by the kernel
 * with x's scale, zero point 0. XQ_RES: a float residual added before the activation (a conv
 * the conv_residual pass formed, made int8 by qdq_implicit.c; the layer's residual names it). */
enum { XQ_X, XQ_W, XQ_BIAS, XQ_BIAS2, XQ_XS, XQ_XZ, XQ_WS, XQ_WZ, XQ_YS, XQ_YZ, XQ_RES, XQ_N_IN };

/* The weights and epilogue of an int8 conv/gemm layer, uploaded once per layer: w_packed (its
 * [channel][k] layout, zero points subtracted, as char when every value fits else short, *wide
 * says which), mult[c] = alpha * x_scale * w_scale[c], bias[c] = beta * bias[c] + bias2[c].
 * trans: W is [k][channel] (MatMul, Gemm without transB) and gets transposed. */
typedef struct xq_packed {
    int w, mult, bias, wide; /* engine weight buffers; wide: W_T is short */
} xq_packed;
xc_status xq_pack(xc_engine *e, const xc_layer *l, int channels, int trans, float alpha, float beta, xq_packed *out);
/* The -D options of an int8 conv/gemm program (operand types, REQUANT and the saturation). */
void xq_layer_defines(const xc_engine *e, const xc_layer *l, int wide, char *buf, size_t len);
/* Binds (x, w, mult, bias, y, res, x_zero, x_scale, y_scale, y_zero), the arguments both kernels start with
 * (res: the residual, or y itself, never read, when there is none). */
xc_status xq_bind_common(xc_engine *e, const xc_layer *l, xc_launch *k, const xq_packed *p);
#endif

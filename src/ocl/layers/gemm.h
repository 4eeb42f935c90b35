/* gemm.h — what the fusion passes ask of and give to gemm layers (layers/gemm.c owns their
 * input slots and geometry, so no pass restates them). */
#ifndef XC_OCL_GEMM_H
#define XC_OCL_GEMM_H
#include "ocl/engine.h"

extern const xc_layer_kind xc_kind_gemm;

/* Gives gemm layer l a bias vector, added along the rows before the activation (gemm_bias_act);
 * 0 when it has one already. */
int xc_gemm_set_bias(xc_layer *l, int bias);
/* Gives MatMul layer l the residual tensor r as its C, added with beta 1 (gemm_residual); 0, l
 * unchanged, when it has a C already or its product does not fold into one. */
int xc_gemm_set_residual(const xc_engine *e, xc_layer *l, int r);

/* A gemm layer as gemm_horizontal may stack it with others reading the same A: its constant
 * weight, its C (a Gemm's, broadcast along the rows, or -1) and bias (or -1), and what must be
 * equal among the layers stacked. */
typedef struct xc_gemm_part {
    int b, c, bias;
    int gemm, trans_b; /* an ONNX Gemm (else MatMul) and its transB */
    float alpha, beta;
} xc_gemm_part;
/* Whether l can be stacked (one product, A not transposed, B a 2-D float constant, C and bias
 * constant vectors along N); its part in *p. */
int xc_gemm_stackable(const xc_engine *e, const xc_layer *l, xc_gemm_part *p);
/* Gives the stacked layer l its weights side by side (b: [K, P*N], or [P*N, K] under transB)
 * and its C and bias so (-1: none); its outputs out[1..] are the planes of out[0]. */
void xc_gemm_set_stacked(xc_layer *l, int b, int c, int bias);
#endif

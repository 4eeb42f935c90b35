/* activation.h — the activations the engine knows, one row each: the only place that lists
 * them. From the row come the enum (XC_ACT_<ID>), the label inspect and plans print, the ONNX op
 * that is the activation as a single node, its parameter attributes and defaults, whether the
 * conv/gemm passes may fuse it into the producer's epilogue, and the OpenCL expression both the
 * fused epilogue (kernels/common.cl, xc_activate) and the pointwise kernels evaluate.
 *
 * A new pointwise activation that fuses into conv and gemm is one row here (plus, for an op the
 * reference does not know yet, its reference kernel and schema). The reference keeps its own
 * math on purpose: the oracle is an independent implementation, not this table.
 *
 * Expressions: over A (the value), with $alpha/$beta replaced by the parameters; NaN must pass
 * through (the reference's activations keep it: fmax/fmin alone would drop it). Rows whose op
 * is NULL are multi-node patterns the passes recognise themselves (SiLU, GELU). */
#ifndef XC_OCL_ACTIVATION_H
#define XC_OCL_ACTIVATION_H
#include "graph.h"

/* X(ID, onnx op, alpha attribute, alpha default, beta attribute, beta default, fuses, expression)
 * Clip's parameters are its bounds (xc_clip_bounds), not attributes named here. */
/* clang-format off */ /* a table: one entry per line or row, as written */
#define XC_ACTIVATION_TABLE(X)                                                                                          \
    X(NONE, NULL, NULL, 0.0f, NULL, 0.0f, 0, "A")                                                                      \
    X(RELU, "Relu", NULL, 0.0f, NULL, 0.0f, 1, "(A < 0.0f ? 0.0f : A)")                                                \
    X(CLIP, "Clip", NULL, 0.0f, NULL, 0.0f, 1, "(isnan(A) ? A : fmin(fmax(A, $alpha), $beta))")                        \
    X(LEAKY_RELU, "LeakyRelu", "alpha", 0.01f, NULL, 0.0f, 1, "(A < 0.0f ? A * $alpha : A)")                           \
    X(SIGMOID, "Sigmoid", NULL, 0.0f, NULL, 0.0f, 1, "(1.0f / (1.0f + exp(-A)))")                                      \
    X(HARD_SIGMOID, "HardSigmoid", "alpha", 0.2f, "beta", 0.5f, 1,                                                     \
      "(isnan(A) ? A : fmax(0.0f, fmin(1.0f, $alpha * A + $beta)))")                                                   \
    X(HARD_SWISH, "HardSwish", NULL, 0.0f, NULL, 0.0f, 1, "(isnan(A) ? A : A * fmax(0.0f, fmin(1.0f, A / 6.0f + 0.5f)))") \
    X(SILU, NULL, NULL, 0.0f, NULL, 0.0f, 1, "(A / (1.0f + exp(-A)))")                                                 \
    X(GELU_ERF, NULL, NULL, 0.0f, NULL, 0.0f, 1, "(0.5f * A * (1.0f + erf(A * 0.70710678118654752f)))")                \
    X(TANH, "Tanh", NULL, 0.0f, NULL, 0.0f, 1, "tanh(A)")                                                              \
    X(SOFTPLUS, "Softplus", NULL, 0.0f, NULL, 0.0f, 1, "(A > 20.0f ? A : log1p(exp(A)))")                              \
    X(ELU, "Elu", "alpha", 1.0f, NULL, 0.0f, 1, "(A < 0.0f ? $alpha * (exp(A) - 1.0f) : A)")                           \
    X(SELU, "Selu", "alpha", 1.67326319217681884765625f, "gamma", 1.05070102214813232421875f, 1,                       \
      "(A > 0.0f ? $beta * A : $beta * $alpha * (exp(A) - 1.0f))")                                                     \
    X(SOFTSIGN, "Softsign", NULL, 0.0f, NULL, 0.0f, 1, "(A / (1.0f + fabs(A)))")                                       \
    X(THRESHOLDED_RELU, "ThresholdedRelu", "alpha", 1.0f, NULL, 0.0f, 1, "(isnan(A) || A > $alpha ? A : 0.0f)")      \
    X(MISH, "Mish", NULL, 0.0f, NULL, 0.0f, 1, "(A * tanh(A > 20.0f ? A : log1p(exp(A))))")
/* clang-format on */

#define XC_ACT_ENUM_(id, ...) XC_ACT_##id,
typedef enum { XC_ACTIVATION_TABLE(XC_ACT_ENUM_) XC_ACT_COUNT } xc_activation;
#undef XC_ACT_ENUM_

typedef struct xc_activation_def {
    xc_activation id;
    const char *label;        /* "LEAKY_RELU" */
    const char *op;           /* ONNX op type, or NULL for a pattern the passes match */
    const char *alpha, *beta; /* attribute names of the parameters, NULL if none */
    float alpha_default, beta_default;
    int fuses;        /* the conv/gemm passes may fold it into an epilogue */
    const char *expr; /* OpenCL expression, see above */
} xc_activation_def;

struct xc_engine;
struct xc_layer;

const xc_activation_def *xc_activation_get(xc_activation a); /* NULL when out of range */
/* The row whose op is node n's (default domain), or NULL. */
const xc_activation_def *xc_activation_of_node(const xc_node *n);
/* The parameters of node n as activation d: attributes with their defaults, Clip's bounds from
 * its attributes or constant inputs. 0 when they are not constants (Clip bounds computed at run
 * time): then n cannot be folded into generated code. */
int xc_activation_params(const struct xc_engine *e, const xc_node *n, const xc_activation_def *d, float *alpha, float *beta);
/* Whether layer l is a live single-node activation the conv/gemm passes may fold into an
 * epilogue (its row fuses, its parameters are constants); sets *act, *alpha and *beta. */
int xc_activation_fusable(const struct xc_engine *e, const struct xc_layer *l, xc_activation *act, float *alpha, float *beta);
/* Writes expr with A and B replaced by the operands a and b and $alpha/$beta by exact float
 * literals (infinities and NaN included) into buf, snprintf-style; returns the length needed. */
size_t xc_cl_expr(char *buf, size_t len, const char *expr, const char *a, const char *b, float alpha, float beta);
/* The OpenCL source defining XC_ACTIVATE(A) for layer activation a with parameters alpha/beta
 * (common.cl's xc_activate expands it), written into buf; "" for XC_ACT_NONE. */
size_t xc_activation_prelude(char *buf, size_t len, xc_activation a, float alpha, float beta);

#endif

/* tolerance_spec.h — which tolerance applies to which tensor in a run.
 *
 * Polygraphy takes per-output values ("[name:]value") for atol, rtol and the checked error
 * statistic. crosscheck does the same, and when no atol/rtol is given it picks dtype-aware
 * defaults (XC_TOL_AUTO) meant to pass honest reorderings of the same arithmetic and fail real
 * bugs:
 *   float64                  atol 1e-10 * s, rtol 1e-10
 *   float32                  atol 1e-4  * s, rtol 1e-4
 *   float16, or fp16 storage atol 1e-2  * s, rtol 1e-2
 *   bf16 storage (--bf16)    atol 8e-2  * s, rtol 8e-2 (fp16's, scaled by the unit roundoffs)
 *   bfloat16                 atol 5e-2  * s, rtol 5e-2
 *   integers, bool           exact
 * where s = the RMS of the reference tensor: summation order changes absolute error in
 * proportion to the magnitudes summed, so a fixed atol is either too tight for large
 * activations or far too loose for small ones (outputs of magnitude 1e-9 with every element
 * wrong passed an atol of 1e-4). Only an all-zero (or all non-finite) reference, which has
 * no magnitude to scale by, gets s = 1. The auto preset counts NaN against NaN and an
 * infinity against the same infinity as matches. XC_TOL_POLYGRAPHY is Polygraphy's default:
 * atol = rtol = 1e-5 everywhere, NaN never matches, an infinity matches the same infinity
 * only with infinities_equal (--infinities-compare-equal). */
#ifndef XC_TOLERANCE_SPEC_H
#define XC_TOLERANCE_SPEC_H
#include "compare.h"
#include "text.h"

#define XC_MAX_TOL_ENTRIES 64

typedef enum { XC_TOL_AUTO, XC_TOL_POLYGRAPHY } xc_tol_preset;

typedef struct xc_tol_entry {
    const char *name; /* NULL: every tensor */
    double value;
} xc_tol_entry;

typedef struct xc_tolerance_spec {
    xc_tol_preset preset;
    xc_compare_rule rule;
    int infinities_equal; /* --infinities-compare-equal (the polygraphy preset's NaN/Inf rule) */
    int n_atol, n_rtol, n_stat, n_quantile;
    xc_tol_entry atol[XC_MAX_TOL_ENTRIES], rtol[XC_MAX_TOL_ENTRIES];
    xc_tol_entry stat[XC_MAX_TOL_ENTRIES]; /* value: an xc_check_stat */
    xc_tol_entry quantile[XC_MAX_TOL_ENTRIES];
} xc_tolerance_spec;

xc_tolerance_spec xc_tolerance_spec_default(void);
/* Splits a per-tensor option value "[NAME:]VALUE" in place. Tensor names may hold ':'
 * themselves, so the value is what follows the last one; *name is NULL without one. */
char *xc_split_tensor_name(char *text, const char **name);
/* Adds "[name:]value" for option "atol", "rtol", "check-error-stat" or "error-quantile". The
 * name is borrowed from text (which is modified). */
xc_status xc_tolerance_spec_add(xc_tolerance_spec *s, const char *option, char *text);
/* The math a compared float tensor went through: exact fp32, half storage, TF32 tensor-core
 * products (10-bit mantissas, fp32 accumulation), or bfloat16 storage (8 significant bits). */
typedef enum { XC_MATH_FP32 = 0, XC_MATH_FP16 = 1, XC_MATH_TF32 = 2, XC_MATH_BF16 = 3 } xc_math;
/* The math of a tensor stored in a 16-bit float format: XC_MATH_BF16 when bf16 (the engine's
 * xc_half_format is XC_HALF_BF16), else XC_MATH_FP16. */
static inline int xc_math_half(int bf16) { return bf16 ? XC_MATH_BF16 : XC_MATH_FP16; }
/* The auto preset's relative tolerance for float32 tensors produced with TF32 products. TF32
 * rounds each operand to 2^-11 relative, so a product of K terms carries an error of about 4e-4
 * of its RMS (one standard deviation, rounding to nearest); 5e-3 keeps the largest of millions
 * of elements (6 to 7 deviations) in, and stays 20x under a real kernel bug's typical error.
 * That is one layer's error. A tensor computed after d TF32 layers on a path carries the
 * errors of all of them, independent roundings that add in quadrature (its NMSE grows about
 * linearly with d), so its tolerance is XC_TF32_RTOL * sqrt(d): xc_tolerance_for's depth. */
#define XC_TF32_RTOL 5e-3
/* 16-bit storage rounds operands to the same 2^-11 (fp16) and every stored value besides, so its
 * base tolerance (1e-2, XC_HALF_RTOL) already allows the error of this many product layers
 * (5e-3 * sqrt(4)); from the next one on a path it grows as TF32's does: XC_HALF_RTOL(u) *
 * sqrt(d / 4). Without the growth a correct fp16 engine of a 36-conv residual network came
 * within 1 % of failing accumulated per-layer on PoCL (the error of one element 0.99 x atol). */
#define XC_HALF_FREE_LAYERS 4
/* The tolerance for tensor `name` compared against reference `ref`; math says how the runner
 * computed it (a boolean "stored as half" is XC_MATH_FP16); depth, under XC_MATH_TF32 and the
 * 16-bit maths, how many rounding layers' errors the value carries (xc_engine_rounding_depth; 0 or
 * 1: one layer's). A per-name entry wins over a global one. */
xc_tolerance xc_tolerance_for(const xc_tolerance_spec *s, const char *name, const xc_tensor *ref, int math, int depth);
const char *xc_check_stat_name(xc_check_stat s);
/* Was the output stored in half precision while the reference's values are mostly below
 * half's normal range (RMS under 2^-14)? Then fp16 storage itself loses them: a failure is
 * the precision choice, not a kernel bug. */
int xc_tolerance_half_underflow(const xc_tolerance *t);
/* The spec as command-line options, one at a time: for i = 0, 1, ... sets *option ("--atol",
 * "--tolerance-preset", ...) and val to the value text ("" for a flag); returns 0 past the end.
 * Lets tools print commands that reproduce a verdict. */
int xc_tolerance_spec_arg(const xc_tolerance_spec *s, int i, const char **option, xc_text *val);
#endif

/* common.cl — prepended to every program. Storage type of activations and weights: with
 * -DXC_FP16 they are halves read and written with vload_half/vstore_half (core OpenCL, no
 * cl_khr_fp16 needed); with -DXC_BF16 bfloat16s, the top 16 bits of a float held in a ushort
 * (read by a shift, stored rounded to nearest even by xc_bf16_bits: integer bit work, so any
 * device runs it); otherwise plain floats. Arithmetic is float unless a *_MATH define says
 * otherwise (below). XC_STORE16: the storage is one of the 16-bit formats. */
/* x rounded to bfloat16 (8 significant bits, fp32's exponent range), ties to even, as its bits;
 * a NaN stays a NaN (a quiet bit set, so dropping the low half cannot leave the infinity's bits). */
inline ushort xc_bf16_bits(float x)
{
    const uint u = as_uint(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (ushort)((u >> 16) | 0x40u);
    return (ushort)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
inline float xc_bf16_value(ushort w) { return as_float((uint)w << 16); }
inline float2 xc_bf16_value2(ushort2 w) { return as_float2(convert_uint2(w) << 16); }
inline float4 xc_bf16_value4(ushort4 w) { return as_float4(convert_uint4(w) << 16); }
#if defined(XC_BF16)
#define XC_STORE16
typedef ushort store_t;
#define LOAD(p, i) xc_bf16_value((p)[(i)])
#define STORE(p, i, v) ((p)[(i)] = xc_bf16_bits(v))
#define LOAD4(p, i) xc_bf16_value4(vload4(0, (p) + (i))) /* four consecutive elements as a float4 */
#define LOAD2A(p, i) xc_bf16_value2(*(__global const ushort2 *)((p) + (i)))
#define STORE2A(p, i, v) (*(__global ushort2 *)((p) + (i)) = (ushort2)(xc_bf16_bits((v).x), xc_bf16_bits((v).y)))
#define LOAD4A(p, i) xc_bf16_value4(*(__global const ushort4 *)((p) + (i)))
#define STORE4A(p, i, v) (*(__global ushort4 *)((p) + (i)) = (ushort4)(xc_bf16_bits((v).x), xc_bf16_bits((v).y), xc_bf16_bits((v).z), xc_bf16_bits((v).w)))
#elif defined(XC_FP16)
#define XC_STORE16
typedef half store_t;
#define LOAD(p, i) vload_half((i), (p))
#define STORE(p, i, v) vstore_half_rte((v), (i), (p))
#define LOAD4(p, i) vload_half4(0, (p) + (i)) /* four consecutive elements as a float4 */
#define LOAD2A(p, i) vloada_half2(0, (p) + (i))
#define STORE2A(p, i, v) vstorea_half2_rte((v), 0, (p) + (i))
#define LOAD4A(p, i) vloada_half4(0, (p) + (i))
#define STORE4A(p, i, v) vstorea_half4_rte((v), 0, (p) + (i))
#else
typedef float store_t;
#define LOAD(p, i) ((p)[(i)])
#define STORE(p, i, v) ((p)[(i)] = (v))
#define LOAD4(p, i) vload4(0, (p) + (i))
#define LOAD2A(p, i) (*(__global const float2 *)((p) + (i)))
#define STORE2A(p, i, v) (*(__global float2 *)((p) + (i)) = (v))
#define LOAD4A(p, i) (*(__global const float4 *)((p) + (i)))
#define STORE4A(p, i, v) (*(__global float4 *)((p) + (i)) = (v))
#endif
/* LOAD4 needs only an element's alignment, so NVIDIA's compiler splits it into four loads;
 * LOAD4A and STORE4A move the four elements at p + i as one access, where XC_ALIGNED4(p, i)
 * (p + i on a four-element boundary); LOAD2A, STORE2A and XC_ALIGNED2 the same for two. */
#define XC_ALIGNED4(p, i) (((size_t)((p) + (i)) & (4 * sizeof(store_t) - 1)) == 0)
#define XC_ALIGNED2(p, i) (((size_t)((p) + (i)) & (2 * sizeof(store_t) - 1)) == 0)
/* LOAD4 or, where `aligned` (p + i on a four-element boundary, known for the whole loop), LOAD4A */
#define LOAD4_IF(aligned, p, i) ((aligned) ? LOAD4A(p, i) : LOAD4(p, i))

/* fp16 arithmetic (--fp16 builds with -DXC_FP16_MATH, --fp16-accumulate adds -DXC_FP16_ACC):
 * XC_H(x) rounds x to the nearest half (ties to even; beyond 65504 it is inf, below 2^-14 it
 * keeps half's subnormal steps) and back, as every fp16 operation of a real fp16 engine does.
 * bf16 arithmetic (--bf16: -DXC_BF16_MATH) is the same with XC_H rounding to the nearest
 * bfloat16 (xc_bf16_bits) and sums in fp32, as TensorRT's bf16 kernels accumulate.
 * Integer bit work, so it needs neither cl_khr_fp16 nor a private half (NVIDIA's hardware
 * conversions where inline PTX is taken, XC_PTX). XC_HSUM(s) rounds a
 * running sum after each add only under XC_FP16_ACC (else reductions accumulate in fp32), and
 * XC_MAC(FORM, a, b, acc) is acc plus the fp16 product of a and b; without XC_FP16_MATH every one
 * is the fp32 arithmetic the kernel always did (XC_MAC: FORM(a, b, acc), FORM fma, mad or
 * xc_muladd), so fp32 and --fp16-storage kernels compute exactly as before. */
#if defined(XC_BF16_MATH)
inline float xc_h(float x) { return xc_bf16_value(xc_bf16_bits(x)); }
#elif defined(XC_FP16_MATH) && defined(XC_PTX)
/* NVIDIA (XC_PTX): the hardware's own conversions, two instructions with the same rounding as the
 * bit work below (to nearest even, half's subnormal steps, past 65504 to inf; NaN stays NaN) and
 * no branches, which real data (softmax's tiny probabilities are half subnormals) would split. */
inline float xc_h(float x)
{
    float r;
    asm("{ .reg .b16 h; cvt.rn.f16.f32 h, %1; cvt.f32.f16 %0, h; }" : "=f"(r) : "f"(x));
    return r;
}
#elif defined(XC_FP16_MATH)
inline float xc_h(float x)
{
    const uint u = as_uint(x), sign = u & 0x80000000u, a = u ^ sign;
    if (a >= 0x7f800000u) return x;                               /* inf, NaN */
    if (a >= 0x477ff000u) return as_float(sign | 0x7f800000u);    /* rounds past 65504 */
    if (a < 0x38800000u) return copysign(rint(as_float(a) * 16777216.0f) * 0x1p-24f, x); /* subnormal half */
    return as_float(sign | ((a + 0x0fffu + ((a >> 13) & 1u)) & ~0x1fffu)); /* 10 mantissa bits, ties to even */
}
#endif
#if defined(XC_FP16_MATH) || defined(XC_BF16_MATH)
inline float4 xc_h4(float4 v) { return (float4)(xc_h(v.x), xc_h(v.y), xc_h(v.z), xc_h(v.w)); }
#define XC_H(x) xc_h(x)
#define XC_H4(x) xc_h4(x)
#ifdef XC_FP16_ACC
#define XC_HSUM(s) xc_h(s)
#define XC_HSUM4(s) xc_h4(s)
#else
#define XC_HSUM(s) (s)
#define XC_HSUM4(s) (s)
#endif
#define XC_MAC(FORM, a, b, acc) XC_HSUM((acc) + xc_h((a) * (b)))
#define XC_MAC4(FORM, a, b, acc) XC_HSUM4((acc) + xc_h4((a) * (b)))
#else
#define XC_H(x) (x)
#define XC_H4(x) (x)
#define XC_HSUM(s) (s)
#define XC_HSUM4(s) (s)
#define XC_MAC(FORM, a, b, acc) FORM((a), (b), (acc))
#define XC_MAC4(FORM, a, b, acc) FORM((a), (b), (acc))
#endif
inline float xc_muladd(float a, float b, float c) { return c + a * b; }

/* max that propagates NaN like the reference (fmax would drop it and hide the bug upstream) */
inline float xc_max_nan(float a, float b) { return isnan(a) || a > b ? a : b; }
inline float xc_min_nan(float a, float b) { return isnan(a) || a < b ? a : b; }

/* The activation fused into a producing kernel (conv, gemm). XC_ACTIVATE(A) comes from the
 * layer's prelude, made from its row of the activation table (src/ocl/activation.h). */
#ifndef XC_ACTIVATE
#define XC_ACTIVATE(A) (A)
#endif
inline float xc_activate(float v) { return XC_H(XC_ACTIVATE(v)); }

/* The accumulators of XC_VEC4_BLOCK_PRODUCT, declared and zeroed. */
#define XC_VEC4_BLOCK_ACCUMULATORS(acc)                                                                           \
    float4 acc[RM][RN / 4];                                                                                       \
    _Pragma("unroll") for (int i_ = 0; i_ < RM; i_++)                                                             \
        _Pragma("unroll") for (int j_ = 0; j_ < RN / 4; j_++) acc[i_][j_] = (float4)(0.0f)

/* The register-blocked product that gemm_vec4 and conv_gemm_vec4 share: over the BK rows of the
 * staged tiles As (row pitch LDA) and Bs (pitch LDB), the work-item's RM values of A starting at
 * column am and RN values of B in float4s at columns bn + j * bstride (j < RN / 4), read as
 * float4s, accumulate into float4 acc[RM][RN / 4]. With bn = 4 tx and bstride = 4 TX the
 * work-items of a row take adjacent float4s, so each float4 of their outputs is a contiguous
 * run of the row: whole sectors when stored (contiguous RN-blocks put 32 bytes between two
 * lanes' stores). A macro, so that BK, RM, RN, LDA and LDB are the using kernel's. */
#define XC_VEC4_BLOCK_PRODUCT(As, Bs, am, bn, bstride, acc)                                                       \
    _Pragma("unroll") for (int kk_ = 0; kk_ < BK; kk_++) {                                                        \
        float4 a_[RM / 4], b_[RN / 4];                                                                            \
        _Pragma("unroll") for (int i_ = 0; i_ < RM / 4; i_++) a_[i_] = ((__local const float4 *)((As) + kk_ * LDA + (am)))[i_]; \
        _Pragma("unroll") for (int j_ = 0; j_ < RN / 4; j_++) b_[j_] = *(__local const float4 *)((Bs) + kk_ * LDB + (bn) + j_ * (bstride)); \
        _Pragma("unroll") for (int i_ = 0; i_ < RM / 4; i_++)                                                      \
            _Pragma("unroll") for (int j_ = 0; j_ < RN / 4; j_++) {                                                \
                acc[4 * i_ + 0][j_] = XC_MAC4(fma, (float4)(a_[i_].x), b_[j_], acc[4 * i_ + 0][j_]);                       \
                acc[4 * i_ + 1][j_] = XC_MAC4(fma, (float4)(a_[i_].y), b_[j_], acc[4 * i_ + 1][j_]);                       \
                acc[4 * i_ + 2][j_] = XC_MAC4(fma, (float4)(a_[i_].z), b_[j_], acc[4 * i_ + 2][j_]);                       \
                acc[4 * i_ + 3][j_] = XC_MAC4(fma, (float4)(a_[i_].w), b_[j_], acc[4 * i_ + 3][j_]);                       \
            }                                                                                                     \
    }

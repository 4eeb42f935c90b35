/* common.cl — prepended to every program. Storage type of activations and weights: with
 * -DXC_FP16 they are halves read and written with vload_half/vstore_half (core OpenCL, no
 * cl_khr_fp16 needed) and all arithmetic stays in float; otherwise plain floats. */
#ifdef XC_FP16
typedef half store_t;
#define LOAD(p, i) vload_half((i), (p))
#define STORE(p, i, v) vstore_half_rte((v), (i), (p))
#define LOAD4(p, i) vload_half4(0, (p) + (i)) /* four consecutive elements as a float4 */
#else
typedef float store_t;
#define LOAD(p, i) ((p)[(i)])
#define STORE(p, i, v) ((p)[(i)] = (v))
#define LOAD4(p, i) vload4(0, (p) + (i))
#endif

/* max that propagates NaN like the reference (fmax would drop it and hide the bug upstream) */
inline float xc_max_nan(float a, float b) { return isnan(a) || a > b ? a : b; }
inline float xc_min_nan(float a, float b) { return isnan(a) || a < b ? a : b; }

/* The activation fused into a producing kernel (conv, gemm). XC_ACTIVATE(A) comes from the
 * layer's prelude, made from its row of the activation table (src/ocl/activation.h). */
#ifndef XC_ACTIVATE
#define XC_ACTIVATE(A) (A)
#endif
inline float xc_activate(float v) { return XC_ACTIVATE(v); }

/* The accumulators of XC_VEC4_BLOCK_PRODUCT, declared and zeroed. */
#define XC_VEC4_BLOCK_ACCUMULATORS(acc)                                                                           \
    float4 acc[RM][RN / 4];                                                                                       \
    _Pragma("unroll") for (int i_ = 0; i_ < RM; i_++)                                                             \
        _Pragma("unroll") for (int j_ = 0; j_ < RN / 4; j_++) acc[i_][j_] = (float4)(0.0f)

/* The register-blocked product that gemm_vec4 and conv_gemm_vec4 share: over the BK rows of the
 * staged tiles As (row pitch LDA) and Bs (pitch LDB), the work-item's RM values of A starting at
 * column am and RN values of B starting at column bn, read as float4s, accumulate into
 * float4 acc[RM][RN / 4]. A macro, so that BK, RM, RN, LDA and LDB are the using kernel's. */
#define XC_VEC4_BLOCK_PRODUCT(As, Bs, am, bn, acc)                                                                \
    _Pragma("unroll") for (int kk_ = 0; kk_ < BK; kk_++) {                                                        \
        float4 a_[RM / 4], b_[RN / 4];                                                                            \
        _Pragma("unroll") for (int i_ = 0; i_ < RM / 4; i_++) a_[i_] = ((__local const float4 *)((As) + kk_ * LDA + (am)))[i_]; \
        _Pragma("unroll") for (int j_ = 0; j_ < RN / 4; j_++) b_[j_] = ((__local const float4 *)((Bs) + kk_ * LDB + (bn)))[j_]; \
        _Pragma("unroll") for (int i_ = 0; i_ < RM / 4; i_++)                                                      \
            _Pragma("unroll") for (int j_ = 0; j_ < RN / 4; j_++) {                                                \
                acc[4 * i_ + 0][j_] = fma((float4)(a_[i_].x), b_[j_], acc[4 * i_ + 0][j_]);                       \
                acc[4 * i_ + 1][j_] = fma((float4)(a_[i_].y), b_[j_], acc[4 * i_ + 1][j_]);                       \
                acc[4 * i_ + 2][j_] = fma((float4)(a_[i_].z), b_[j_], acc[4 * i_ + 2][j_]);                       \
                acc[4 * i_ + 3][j_] = fma((float4)(a_[i_].w), b_[j_], acc[4 * i_ + 3][j_]);                       \
            }                                                                                                     \
    }

/* common.cl — prepended to every program. Storage type of activations and weights: with
 * -DXC_FP16 they are halves read and written with vload_half/vstore_half (core OpenCL, no
 * cl_khr_fp16 needed) and all arithmetic stays in float; otherwise plain floats. */
#ifdef XC_FP16
typedef half store_t;
#define LOAD(p, i) vload_half((i), (p))
#define STORE(p, i, v) vstore_half_rte((v), (i), (p))
#else
typedef float store_t;
#define LOAD(p, i) ((p)[(i)])
#define STORE(p, i, v) ((p)[(i)] = (v))
#endif

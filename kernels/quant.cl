/* quant.cl — QuantizeLinear and DequantizeLinear (tactic quant.linear), one element per work-item.
 *
 * Scales and zero points are per tensor (AXIS_N = INNER = 1) or per axis: element i uses
 * entry (i / inner) % axis_n. Quantize follows ONNX: x / scale in float32 rounded to nearest
 * (programs are built with -cl-fp32-correctly-rounded-divide-sqrt so the division is the
 * reference's), rint (half to even), + zero point, saturated to Y_T's range (NaN -> 0).
 * Defines: Y_T, Y_MIN, Y_MAX (quantize); X_T (dequantize); S_RUNTIME when scale is an
 * activation (read as store_t, else a float32 array the host made); Z_T, the zero point's
 * element type (int for the host's array); Z_ABSENT: no zero point (0). */
#ifdef S_RUNTIME
#define S_T store_t
#define SCALE(s, k) LOAD(s, k)
#else
#define S_T float
#define SCALE(s, k) ((s)[k])
#endif

#ifdef Z_ABSENT
#define ZERO(z, k) 0
#else
#define ZERO(z, k) ((int)(z)[k])
#endif

#ifdef Y_T
inline Y_T xc_saturate(float v) { return (Y_T)(isnan(v) ? 0.0f : fmin(fmax(v, (float)Y_MIN), (float)Y_MAX)); }

__kernel void quantize(__global const store_t *x, __global const S_T *scale, __global const Z_T *zp, __global Y_T *y,
                       const int n, const int axis_n, const int inner)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int s = i / inner % axis_n;
    y[i] = xc_saturate(rint(LOAD(x, i) / SCALE(scale, s)) + (float)ZERO(zp, s));
}
#endif

#ifdef X_T
/* (x - zero point) * scale: the difference is exact for 8- and 16-bit x, so one rounding, as
 * the reference's double product stored as float. */
__kernel void dequantize(__global const X_T *x, __global const S_T *scale, __global const Z_T *zp, __global store_t *y,
                         const int n, const int axis_n, const int inner)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const int s = i / inner % axis_n;
    const int z = ZERO(zp, s);
    const float d = z ? (float)((long)x[i] - z) : (float)x[i];
    STORE(y, i, d * SCALE(scale, s));
}
#endif

/* reformat.cl — storage conversion between fp32 and 16-bit tensors (reformat layers): IEEE half
 * (to_half, to_float) and bfloat16 (to_bf16, from_bf16: common.cl's bit work, rounding to
 * nearest even as every bf16 store does). */
__kernel void to_half(__global const float *x, __global half *y, const int n)
{
    const int i = get_global_id(0);
    if (i < n) vstore_half_rte(x[i], i, y);
}

__kernel void to_float(__global const half *x, __global float *y, const int n)
{
    const int i = get_global_id(0);
    if (i < n) y[i] = vload_half(i, x);
}

__kernel void to_bf16(__global const float *x, __global ushort *y, const int n)
{
    const int i = get_global_id(0);
    if (i < n) y[i] = xc_bf16_bits(x[i]);
}

__kernel void from_bf16(__global const ushort *x, __global float *y, const int n)
{
    const int i = get_global_id(0);
    if (i < n) y[i] = xc_bf16_value(x[i]);
}

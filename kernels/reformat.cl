/* reformat.cl — storage conversion between fp32 and fp16 tensors (reformat layers). */
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

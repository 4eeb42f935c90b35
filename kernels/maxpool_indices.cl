/* maxpool_indices.cl — MaxPool with its Indices output (maxpool_indices.direct): one work-item
 * per output element over three spatial axes (lower ranks come lifted). The window's taps
 * inside the image are visited in row-major tap order and the first largest is kept (a NaN
 * first stays, as in the reference); its index is the offset into the whole input, the spatial
 * part numbered first-axis-fastest under storage_order 1 (COLUMN_MAJOR). A window with no tap
 * inside the image sets the layer's status flag (the reference refuses it too). */
__kernel void maxpool_indices(__global const store_t *x, __global store_t *y, __global long *indices, const int total,
                              const int i0, const int i1, const int i2, const int o0, const int o1, const int o2,
                              const int k0, const int k1, const int k2, const int s0, const int s1, const int s2,
                              const int d0, const int d1, const int d2, const int p0, const int p1, const int p2,
                              const int column_major, __global int *status, const int layer)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int out_plane = o0 * o1 * o2, plane = i / out_plane, j = i % out_plane;
    const int a0 = j / (o1 * o2) * s0 - p0, a1 = j / o2 % o1 * s1 - p1, a2 = j % o2 * s2 - p2;
    int best = -1;
    float bv = 0.0f;
    for (int t0 = 0; t0 < k0; t0++) {
        const int z = a0 + t0 * d0;
        if (z < 0 || z >= i0) continue;
        for (int t1 = 0; t1 < k1; t1++) {
            const int yy = a1 + t1 * d1;
            if (yy < 0 || yy >= i1) continue;
            for (int t2 = 0; t2 < k2; t2++) {
                const int xx = a2 + t2 * d2;
                if (xx < 0 || xx >= i2) continue;
                const int at = (z * i1 + yy) * i2 + xx;
                const float v = LOAD(x, plane * i0 * i1 * i2 + at);
                if (best < 0 || v > bv) {
                    best = at;
                    bv = v;
                }
            }
        }
    }
    if (best < 0) {
        status[layer] = 1;
        best = 0;
    }
    STORE(y, i, bv);
    const int q2 = best % i2, q1 = best / i2 % i1, q0 = best / (i1 * i2);
    indices[i] = (long)plane * i0 * i1 * i2 + (column_major ? q0 + i0 * (q1 + i1 * q2) : best);
}

/* conv_transpose.cl — ConvTranspose (deconv.gather): one work-item per output element
 * (n, m, z, y, x) over three spatial axes (lower ranks come lifted with size-1 axes). It gathers
 * rather than scatters, so no two work-items write one element: output position o along an axis
 * takes input position i and tap k where i * stride + k * dilation = o + pad_begin. The sum runs
 * over the input channels of m's group and over the taps, accumulated in float.
 * W is [C, M / group, kz, ky, kx]. Defines: HAS_BIAS (a third input B [M]). */
__kernel void conv_transpose(__global const store_t *x, __global const store_t *w,
#ifdef HAS_BIAS
                             __global const store_t *b,
#endif
                             __global store_t *y, const int total, const int channels, const int maps, const int group,
                             const int iz, const int iy, const int ix, const int oz, const int oy, const int ox,
                             const int kz, const int ky, const int kx, const int sz, const int sy, const int sx,
                             const int dz, const int dy, const int dx, const int pz, const int py, const int px)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int ox_ = i % ox, oy_ = i / ox % oy, oz_ = i / (ox * oy) % oz, m = i / (ox * oy * oz) % maps,
              n = i / (ox * oy * oz * maps);
    const int cg = channels / group, mg = maps / group, g = m / mg, mm = m % mg;
    float acc = 0.0f;
    for (int tz = 0; tz < kz; tz++) {
        const int vz = oz_ + pz - tz * dz;
        if (vz < 0 || vz % sz) continue;
        const int z = vz / sz;
        if (z >= iz) continue;
        for (int ty = 0; ty < ky; ty++) {
            const int vy = oy_ + py - ty * dy;
            if (vy < 0 || vy % sy) continue;
            const int yy = vy / sy;
            if (yy >= iy) continue;
            for (int tx = 0; tx < kx; tx++) {
                const int vx = ox_ + px - tx * dx;
                if (vx < 0 || vx % sx) continue;
                const int xx = vx / sx;
                if (xx >= ix) continue;
                const int tap = (tz * ky + ty) * kx + tx;
                for (int cc = 0; cc < cg; cc++) {
                    const int c = g * cg + cc;
                    const float xv = LOAD(x, (((n * channels + c) * iz + z) * iy + yy) * ix + xx);
                    const float wv = LOAD(w, ((c * mg + mm) * kz * ky * kx) + tap);
                    acc = fma(xv, wv, acc);
                }
            }
        }
    }
#ifdef HAS_BIAS
    acc += LOAD(b, m);
#endif
    STORE(y, i, acc);
}

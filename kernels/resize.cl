/* resize.cl — linear and cubic Resize (resize.separable): one launch per resized axis, as the
 * reference does it. Viewing the source as [outer, in, inner] and the destination as
 * [outer, out, inner], dst[o, y, i] = sum over t < taps of w[y * taps + t] *
 * src[o, idx[y * taps + t], i], with the taps the host built (src/ops/resize_taps.c). Between
 * launches the partial result stays float in the workspace, so the four kernels differ only in
 * whether they read and write tensors (store_t) or the workspace (float); off_src and off_dst
 * are element offsets into the workspace (0 for tensors). */
#define FLOAT_LOAD(p, i) ((p)[(i)])
#define FLOAT_STORE(p, i, v) ((p)[(i)] = (v))

#define RESIZE_AXIS(name, src_t, load, dst_t, store)                                                                \
    __kernel void name(__global const src_t *src, __global dst_t *dst, __global const int *idx,                    \
                       __global const float *w, const int off_src, const int off_dst, const int n, const int in,   \
                       const int out, const int inner, const int taps)                                             \
    {                                                                                                               \
        const int i = get_global_id(0);                                                                             \
        if (i >= n) return;                                                                                         \
        const int ii = i % inner, t = i / inner, y = t % out, o = t / out;                                          \
        float acc = 0.0f;                                                                                           \
        for (int k = 0; k < taps; k++)                                                                              \
            acc = fma(w[y * taps + k], load(src, off_src + (o * in + idx[y * taps + k]) * inner + ii), acc);        \
        store(dst, off_dst + i, acc);                                                                               \
    }

RESIZE_AXIS(resize_axis_tt, store_t, LOAD, store_t, STORE)
RESIZE_AXIS(resize_axis_tw, store_t, LOAD, float, FLOAT_STORE)
RESIZE_AXIS(resize_axis_ww, float, FLOAT_LOAD, float, FLOAT_STORE)
RESIZE_AXIS(resize_axis_wt, float, FLOAT_LOAD, store_t, STORE)

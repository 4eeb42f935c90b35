/* mod.cl — Mod (mod.broadcast): one output element per work-item, each operand read at its
 * broadcast offset. FMOD 1: the remainder with the dividend's sign (C fmod / %); FMOD 0: with
 * the divisor's sign (Python %), a zero float result taking the divisor's sign. Integer x % 0
 * and x % -1 give 0, as the reference (numpy) does. Defines: X_FLOAT (float32 as store_t) or
 * X_T=<integer type> (X_UNSIGNED for unsigned ones); FMOD.
 *
 * `view` holds the output dims (rank of them), then A's and B's element strides along them. */
#ifdef X_FLOAT
#define X_T store_t
#define GET(p, i) LOAD(p, i)
#define PUT(i, v) STORE(y, i, v)
inline float mod_of(float a, float b)
{
    const float r = fmod(a, b);
    if (FMOD) return r;
    if (r == 0.0f) return copysign(0.0f, b);
    return (r < 0.0f) != (b < 0.0f) ? r + b : r;
}
#else
#define GET(p, i) (p)[i]
#define PUT(i, v) (y[i] = (v))
inline X_T mod_of(X_T a, X_T b)
{
#ifdef X_UNSIGNED
    return b == 0 ? (X_T)0 : a % b;
#else
    const X_T r = b == 0 || b == (X_T)-1 ? (X_T)0 : a % b;
    return !FMOD && r != 0 && (r < 0) != (b < 0) ? r + b : r;
#endif
}
#endif

__kernel void mod(__global const X_T *a, __global const X_T *b, __global X_T *y, __global const int *view, const int rank,
                  const int n)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    int rem = i, ia = 0, ib = 0;
    for (int d = rank - 1; d >= 0; d--) {
        const int c = rem % view[d];
        rem /= view[d];
        ia += c * view[rank + d];
        ib += c * view[2 * rank + d];
    }
    PUT(i, mod_of(GET(a, ia), GET(b, ib)));
}

/* grid_sample.c — reference GridSample over 1 to 3 spatial axes, as ONNX Runtime (and PyTorch)
 * compute it.
 *
 * A grid point holds normalized coordinates, innermost axis first (x, y, z). Each is mapped to
 * pixels ([-1, 1] to [0, L-1] with align_corners, to [-0.5, L-0.5] without) and, for nearest,
 * rounded half to even. Then nearest reads one pixel, linear the 2^r and cubic (Keys, a = -0.75)
 * the 4^r pixels around it, weighted per axis; padding applies to each tap: one outside the image
 * reads 0 (zeros), the edge pixel (border) or its mirror about the range's ends (reflection).
 * The ONNX reference instead first moves an outside coordinate inside (clamp or mirror) and then
 * pads the taps: the same for nearest and linear, different for cubic near the edges, where
 * this follows ORT. A NaN or infinite grid value gives NaN (a debugging oracle shows it rather
 * than guess). Math in double. */
#include "vision.h"
#include <math.h>
#include <string.h>

typedef enum { GS_LINEAR, GS_NEAREST, GS_CUBIC } gs_mode;
typedef enum { GS_ZEROS, GS_BORDER, GS_REFLECTION } gs_padding;

typedef struct gs_plan {
    gs_mode mode;
    gs_padding padding;
    int align_corners;
    int nsp;
    int64_t in[3];
    double lo[3], hi[3]; /* the coordinate range of each axis */
} gs_plan;

static double reflect(double x, double lo, double hi)
{
    double range = hi - lo;
    if (!(range > 0)) return lo;
    if (x < lo) {
        double dx = lo - x;
        double n = floor(dx / range), r = dx - n * range;
        return fmod(n, 2) == 0 ? lo + r : hi - r;
    }
    if (x > hi) {
        double dx = x - hi;
        double n = floor(dx / range), r = dx - n * range;
        return fmod(n, 2) == 0 ? hi - r : lo + r;
    }
    return x;
}

/* The pixel index a tap reads along axis a, or -1 for zeros padding's outside taps. */
static int64_t tap_index(const gs_plan *P, int a, int64_t i)
{
    int64_t len = P->in[a];
    if (i >= 0 && i < len) return i;
    if (P->padding == GS_ZEROS) return -1;
    if (P->padding == GS_REFLECTION) i = (int64_t)reflect((double)i, P->lo[a], P->hi[a]);
    return i < 0 ? 0 : i >= len ? len - 1 : i;
}

static void cubic_coeffs(double x, double c[4])
{
    const double A = -0.75;
    x = fabs(x);
    c[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
    c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
    c[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
    c[3] = ((A * (2 - x) - 5 * A) * (2 - x) + 8 * A) * (2 - x) - 4 * A;
}

/* Samples one (n, c) image (base: its first element) at pixel coordinates pos[]. */
static double sample(const gs_plan *P, const xc_tensor *x, size_t base, const double *pos)
{
    int taps = P->mode == GS_NEAREST ? 1 : P->mode == GS_LINEAR ? 2 : 4;
    int64_t first[3] = {0, 0, 0};
    double wt[3][4] = {{1, 0, 0, 0}, {1, 0, 0, 0}, {1, 0, 0, 0}};
    for (int a = 0; a < P->nsp; a++) {
        double f = floor(pos[a]), t = pos[a] - f;
        if (P->mode == GS_NEAREST)
            first[a] = (int64_t)pos[a];
        else if (P->mode == GS_LINEAR)
            first[a] = (int64_t)f, wt[a][0] = 1 - t, wt[a][1] = t;
        else
            first[a] = (int64_t)f - 1, cubic_coeffs(t, wt[a]);
    }
    int64_t ntaps[3] = {1, 1, 1};
    for (int a = 0; a < P->nsp; a++) ntaps[a] = taps;
    double acc = 0;
    for (int64_t t0 = 0; t0 < ntaps[0]; t0++)
        for (int64_t t1 = 0; t1 < ntaps[1]; t1++)
            for (int64_t t2 = 0; t2 < ntaps[2]; t2++) {
                int64_t t[3] = {t0, t1, t2}, off = 0;
                double w = 1;
                for (int a = 0; a < P->nsp && off >= 0; a++) {
                    int64_t i = tap_index(P, a, first[a] + t[a]);
                    off = i < 0 ? -1 : off * P->in[a] + i;
                    w *= wt[a][t[a]];
                }
                if (off >= 0) acc += w * xc_load_f64(x->dtype, x->data, base + (size_t)off);
            }
    return acc;
}

static xc_status read_plan(xc_ref_args *a, gs_plan *P)
{
    const char *mode = xc_attr_string(a->node, "mode", a->opset >= 20 ? "linear" : "bilinear");
    const char *pad = xc_attr_string(a->node, "padding_mode", "zeros");
    const xc_tensor *x = a->in[0];
    P->mode = !strcmp(mode, "nearest") ? GS_NEAREST : strstr(mode, "cubic") ? GS_CUBIC : GS_LINEAR;
    P->padding = !strcmp(pad, "border") ? GS_BORDER : !strcmp(pad, "reflection") ? GS_REFLECTION : GS_ZEROS;
    P->align_corners = xc_attr_int(a->node, "align_corners", 0) != 0;
    P->nsp = x->rank - 2;
    for (int k = 0; k < P->nsp; k++) {
        P->in[k] = x->dims[2 + k];
        P->lo[k] = P->align_corners ? 0 : -0.5;
        P->hi[k] = P->align_corners ? (double)P->in[k] - 1 : (double)P->in[k] - 0.5;
        if (!P->in[k]) return xc_ref_fail(a, XC_ERR_MODEL, "X has an empty spatial axis %d: there is nothing to sample", 2 + k);
    }
    return XC_OK;
}

xc_status xc_ref_grid_sample(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *grid = a->in[1];
    xc_tensor *y = a->out[0];
    gs_plan P;
    XC_TRY(read_plan(a, &P));
    int nsp = P.nsp;
    int64_t n = x->dims[0], ch = x->dims[1], in_plane = 1, out_plane = 1;
    for (int k = 0; k < nsp; k++) in_plane *= P.in[k], out_plane *= y->dims[2 + k];
    for (int64_t b = 0; b < n; b++)
        for (int64_t p = 0; p < out_plane; p++) {
            double pos[3] = {0, 0, 0};
            int finite = 1;
            for (int k = 0; k < nsp && finite; k++) {
                double g = xc_load_f64(grid->dtype, grid->data, (size_t)((b * out_plane + p) * nsp + (nsp - 1 - k)));
                double len = (double)P.in[k];
                double v = P.align_corners ? (g + 1) / 2 * (len - 1) : ((g + 1) * len - 1) / 2;
                if (P.mode == GS_NEAREST) v = nearbyint(v);
                finite &= isfinite(v) != 0;
                /* far outside the image only the taps' padding matters: keep index arithmetic in
                 * range by moving v by whole reflection periods, or next to the image otherwise */
                double period = 2 * (P.hi[k] - P.lo[k]);
                if (P.padding == GS_REFLECTION && period > 0 && (v < -4 || v > len + 4))
                    v -= floor(v / period) * period;
                else if (v < -4)
                    v = P.mode == GS_NEAREST ? -4 : -4 + (v - floor(v));
                else if (v > len + 4)
                    v = P.mode == GS_NEAREST ? len + 4 : len + 4 + (v - floor(v));
                pos[k] = v;
            }
            for (int64_t c = 0; c < ch; c++)
                xc_store_f64(y->dtype, y->data, (size_t)((b * ch + c) * out_plane + p),
                             finite ? sample(&P, x, (size_t)((b * ch + c) * in_plane), pos) : NAN);
        }
    return XC_OK;
}

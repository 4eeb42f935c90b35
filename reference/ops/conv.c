/* conv.c — reference kernels of Conv and ConvTranspose: direct convolution in float32.
 *
 * Both ops walk the same loops: for each image and output channel, the output plane is set to
 * the bias, then for each input channel of its group and each kernel tap (kd, kh, kw), in that
 * lexicographic order, w * input is added row by row. Every output element therefore sums its
 * terms in float32 in a fixed order: bias, then (input channel, kd, kh, kw) ascending. Conv
 * gathers each output row from a strided input row; ConvTranspose scatters each input row into a
 * strided output row. The valid span of a row is computed once per tap, so no element is
 * bounds-checked, and rows that are contiguous in both planes are merged into one long axpy.
 * float16, bfloat16 and double are converted to float32, computed, and rounded back on store. */
#include "ref.h"
#include "ops/conv_geom.h"
#include <stdlib.h>

typedef struct conv_plan {
    int transpose;
    int64_t n, c, m, group, taps; /* batch, input and output channels, groups, kernel taps */
    xc_window w;                  /* lifted to three spatial axes */
} conv_plan;

static int64_t plane(const int64_t *dims) { return dims[0] * dims[1] * dims[2]; }

static xc_status make_plan(const xc_ref_args *a, int transpose, conv_plan *P)
{
    const xc_tensor *x = a->in[0], *w = a->in[1];
    int nsp = x->rank - 2;
    if (nsp > 3) return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "%d spatial axes (at most 3 are supported)", nsp);
    XC_TRY(transpose ? xc_window_transpose(a->node, nsp, x->dims + 2, w->dims + 2, &P->w)
                     : xc_window_forward(a->node, nsp, x->dims + 2, w->dims + 2, &P->w));
    xc_window_lift(&P->w, 3);
    P->transpose = transpose;
    P->n = x->dims[0];
    P->c = x->dims[1];
    P->m = a->out[0]->dims[1];
    P->group = xc_attr_int(a->node, "group", 1);
    P->taps = plane(P->w.kernel);
    return XC_OK;
}

/* Ceiling of a / b for b > 0 and any sign of a (never forms a + b, which a stride near
 * INT64_MAX overflows). */
static int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? -(-a / b) : (a - 1) / b + 1; }

/* Iteration indices i in [*lo, *hi) of an axis of n_iter whose target i * s + off lies in [0, n_target). */
static void tap_span(int64_t n_iter, int64_t n_target, int64_t s, int64_t off, int64_t *lo, int64_t *hi)
{
    *lo = off >= 0 ? 0 : ceil_div(-off, s);
    *hi = ceil_div(n_target - off, s);
    if (*hi > n_iter) *hi = n_iter;
    if (*lo > *hi) *lo = *hi;
}

/* y[i] += w * x[i * s] (Conv: output row from a strided input row). */
static void gather_row(float *restrict y, const float *restrict x, int64_t n, int64_t s, float w)
{
    if (s == 1)
        for (int64_t i = 0; i < n; i++) y[i] += w * x[i];
    else
        for (int64_t i = 0; i < n; i++) y[i] += w * x[i * s];
}

/* y[i * s] += w * x[i] (ConvTranspose: input row into a strided output row). */
static void scatter_row(float *restrict y, const float *restrict x, int64_t n, int64_t s, float w)
{
    if (s == 1)
        for (int64_t i = 0; i < n; i++) y[i] += w * x[i];
    else
        for (int64_t i = 0; i < n; i++) y[i * s] += w * x[i];
}

/* Adds one kernel tap (offsets off[] along the three axes) of one input channel to an output
 * plane. Iteration runs over the output (Conv) or the input (ConvTranspose) plane. */
static void add_tap(const conv_plan *P, float *y, const float *x, const int64_t *off, float w)
{
    const xc_window *W = &P->w;
    const int64_t *it = P->transpose ? W->in : W->out, *tg = P->transpose ? W->out : W->in;
    int64_t lo[3], hi[3];
    for (int k = 0; k < 3; k++) {
        tap_span(it[k], tg[k], W->stride[k], off[k], &lo[k], &hi[k]);
        if (lo[k] == hi[k]) return;
    }
    int64_t n = hi[2] - lo[2], rows = 1;
    /* whole rows of equal width, stride 1 and no shift: consecutive rows are contiguous in both */
    if (n == it[2] && it[2] == tg[2] && W->stride[1] == 1 && W->stride[2] == 1 && off[2] == 0) {
        rows = hi[1] - lo[1];
        n *= rows;
    }
    for (int64_t i0 = lo[0]; i0 < hi[0]; i0++)
        for (int64_t i1 = lo[1]; i1 < hi[1]; i1 += rows) {
            int64_t t0 = i0 * W->stride[0] + off[0], t1 = i1 * W->stride[1] + off[1];
            int64_t at_it = (i0 * it[1] + i1) * it[2] + lo[2];
            int64_t at_tg = (t0 * tg[1] + t1) * tg[2] + lo[2] * W->stride[2] + off[2];
            if (P->transpose)
                scatter_row(y + at_tg, x + at_it, n, W->stride[2], w);
            else
                gather_row(y + at_it, x + at_tg, n, W->stride[2], w);
        }
}

/* Adds every tap of one input channel (weights wk[kd][kh][kw]) to an output plane. */
static void add_channel(const conv_plan *P, float *y, const float *x, const float *wk)
{
    const xc_window *W = &P->w;
    int64_t off[3];
    for (int64_t k0 = 0; k0 < W->kernel[0]; k0++)
        for (int64_t k1 = 0; k1 < W->kernel[1]; k1++)
            for (int64_t k2 = 0; k2 < W->kernel[2]; k2++) {
                int64_t kk[3] = {k0, k1, k2};
                for (int a = 0; a < 3; a++) off[a] = kk[a] * W->dilation[a] - W->pad_begin[a];
                add_tap(P, y, x, off, *wk++);
            }
}

/* Conv's W is [M, C/group, taps]; ConvTranspose's is [C, M/group, taps]. */
static const float *weights(const conv_plan *P, const float *w, int64_t oc, int64_t ic)
{
    int64_t cg = P->c / P->group, mg = P->m / P->group;
    if (P->transpose) return w + (ic * mg + oc % mg) * P->taps;
    return w + (oc * cg + ic % cg) * P->taps;
}

static void run_plan(const conv_plan *P, float *y, const float *x, const float *w, const float *b)
{
    int64_t cg = P->c / P->group, mg = P->m / P->group, in_plane = plane(P->w.in), out_plane = plane(P->w.out);
    /* empty planes have no buffers (NULL data): nothing to write, or only the bias to write */
    if (out_plane == 0) return;
    for (int64_t n = 0; n < P->n; n++)
        for (int64_t oc = 0; oc < P->m; oc++) {
            float *yp = y + (n * P->m + oc) * out_plane;
            for (int64_t i = 0; i < out_plane; i++) yp[i] = b ? b[oc] : 0.0f;
            for (int64_t ic = oc / mg * cg; in_plane && ic < (oc / mg + 1) * cg; ic++)
                add_channel(P, yp, x + (n * P->c + ic) * in_plane, weights(P, w, oc, ic));
        }
}

/* A float32 view of t: its own data, or a converted copy in *copy (freed by the caller). */
static xc_status as_float(const xc_ref_args *a, const xc_tensor *t, float **copy, const float **view)
{
    *copy = NULL;
    if (!t || t->dtype == XC_FLOAT) {
        *view = t ? t->data : NULL;
        return XC_OK;
    }
    size_t n = xc_tensor_numel(t);
    if (!(*copy = malloc(n ? n * sizeof(float) : 1))) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) (*copy)[i] = xc_load_f32(t->dtype, t->data, i);
    *view = *copy;
    return XC_OK;
}

static xc_status run_conv_like(xc_ref_args *a, int transpose)
{
    conv_plan P;
    XC_TRY(make_plan(a, transpose, &P));
    xc_tensor *y = a->out[0];
    size_t ny = xc_tensor_numel(y);
    const float *x, *w, *b;
    float *cx = NULL, *cw = NULL, *cb = NULL;
    float *yf = y->dtype == XC_FLOAT ? y->data : malloc(ny ? ny * sizeof(float) : 1);
    xc_status s = yf ? XC_OK : xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = as_float(a, a->in[0], &cx, &x);
    if (s == XC_OK) s = as_float(a, a->in[1], &cw, &w);
    if (s == XC_OK) s = as_float(a, a->n_in > 2 ? a->in[2] : NULL, &cb, &b);
    if (s == XC_OK) run_plan(&P, yf, x, w, b);
    if (s == XC_OK && yf != y->data)
        for (size_t i = 0; i < ny; i++) xc_store_f32(y->dtype, y->data, i, yf[i]);
    if (yf != y->data) free(yf);
    free(cx);
    free(cw);
    free(cb);
    return s;
}

static xc_status ref_conv(xc_ref_args *a) { return run_conv_like(a, 0); }
static xc_status ref_conv_transpose(xc_ref_args *a) { return run_conv_like(a, 1); }

const xc_ref_kernel xc_ref_conv[] = {
    {"Conv", ref_conv},
    {"ConvTranspose", ref_conv_transpose},
    {0},
};

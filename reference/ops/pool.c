/* pool.c — reference kernels of MaxPool, AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool.
 *
 * Every pool is one window walk over one (n, c) plane at a time, in double: the plane is loaded
 * into doubles once, each window's in-image elements are gathered in row-major tap order and
 * reduced (max keeps the first largest; sums accumulate in double in tap order), and results are
 * rounded to the op's dtype on store. A global pool is the window covering the whole plane. */
#include "ref.h"
#include "ops/conv_geom.h"
#include "ops/checked.h"
#include <math.h>
#include <stdlib.h>

typedef enum { POOL_MAX, POOL_AVG, POOL_LP } pool_kind;

typedef struct pool_plan {
    pool_kind kind;
    int count_include_pad; /* AVG: divide by the taps inside the padded input, not only the image's */
    int column_major;      /* MAX: Indices in column-major order (storage_order 1) */
    double p;              /* LP: the norm's exponent */
    xc_window w;           /* lifted to three spatial axes */
} pool_plan;

/* The taps of one window that fall inside the image: plane offsets at[] and values v[]. */
typedef struct pool_window {
    int64_t n;
    int64_t padded; /* taps inside the padded input (count_include_pad's divisor) */
    double *v;
    int64_t *at;
} pool_window;

static int64_t volume(const int64_t *dims) { return dims[0] * dims[1] * dims[2]; }

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Gathers the window of output position o: along each axis the taps inside the image are kk in
 * [lo, hi). Windows start at or after -pad_begin, so the taps inside the padded input are a
 * prefix of each axis, and their count is the product of the prefix lengths. */
static void gather_window(const pool_plan *P, const double *x, const int64_t *o, pool_window *w)
{
    const xc_window *W = &P->w;
    int64_t start[3], lo[3], hi[3];
    w->n = 0;
    w->padded = 1;
    for (int a = 0; a < 3; a++) {
        int64_t d = W->dilation[a], in = W->in[a];
        start[a] = o[a] * W->stride[a] - W->pad_begin[a];
        /* every numerator is >= 0 and fits (the padded size does); a dilation near INT64_MAX
         * (valid with a kernel of 1) must not be added to it */
        lo[a] = start[a] >= 0 ? 0 : xc_ceil_div_nonneg(-start[a], d);
        hi[a] = start[a] >= in ? 0 : min64(W->kernel[a], xc_ceil_div_nonneg(in - start[a], d));
        w->padded *= min64(W->kernel[a], xc_ceil_div_nonneg(in + W->pad_end[a] - start[a], d));
    }
    for (int64_t k0 = lo[0]; k0 < hi[0]; k0++)
        for (int64_t k1 = lo[1]; k1 < hi[1]; k1++)
            for (int64_t k2 = lo[2]; k2 < hi[2]; k2++) {
                int64_t at = ((start[0] + k0 * W->dilation[0]) * W->in[1] + start[1] + k1 * W->dilation[1]) * W->in[2] + start[2]
                             + k2 * W->dilation[2];
                w->at[w->n] = at;
                w->v[w->n++] = x[at];
            }
}

/* Reduces a window that has taps (an AVG window with count_include_pad may be all padding). */
static double reduce_window(const pool_plan *P, const pool_window *w, int64_t *argmax)
{
    double acc = 0; /* sums accumulate in double, in tap order */
    int64_t best = 0;
    switch (P->kind) {
    case POOL_MAX:
        for (int64_t i = 1; i < w->n; i++)
            if (w->v[i] > w->v[best]) best = i;
        *argmax = w->at[best];
        return w->v[best];
    case POOL_AVG:
        for (int64_t i = 0; i < w->n; i++) acc += w->v[i];
        return acc / (double)(P->count_include_pad ? w->padded : w->n);
    case POOL_LP:
        for (int64_t i = 0; i < w->n; i++) acc += pow(fabs(w->v[i]), P->p);
        return pow(acc, 1.0 / P->p);
    }
    return 0;
}

/* Indices are offsets into the whole input; storage_order 1 numbers the spatial axes first-fastest. */
static int64_t index_in_plane(const pool_plan *P, int64_t at)
{
    const int64_t *in = P->w.in;
    if (!P->column_major) return at;
    int64_t p2 = at % in[2], p1 = at / in[2] % in[1], p0 = at / (in[1] * in[2]);
    return p0 + in[0] * (p1 + in[1] * p2);
}

static void load_doubles(const xc_tensor *t, size_t off, size_t n, double *dst)
{
    if (t->dtype == XC_FLOAT) {
        const float *f = (const float *)t->data + off;
        for (size_t i = 0; i < n; i++) dst[i] = f[i];
        return;
    }
    for (size_t i = 0; i < n; i++) dst[i] = xc_load_f64(t->dtype, t->data, off + i);
}

static void store_doubles(xc_tensor *t, size_t off, size_t n, const double *src)
{
    if (t->dtype == XC_FLOAT) {
        float *f = (float *)t->data + off;
        for (size_t i = 0; i < n; i++) f[i] = (float)src[i];
        return;
    }
    for (size_t i = 0; i < n; i++) xc_store_f64(t->dtype, t->data, off + i, src[i]);
}

/* Pools one (n, c) plane xp into yp (and Indices, when requested, from plane number pl). */
static xc_status pool_plane(const xc_ref_args *a, const pool_plan *P, const double *xp, double *yp, pool_window *w, int64_t pl,
                            int64_t *indices)
{
    const int64_t *out = P->w.out;
    int64_t out_plane = volume(out), in_plane = volume(P->w.in);
    for (int64_t j = 0; j < out_plane; j++) {
        int64_t o[3] = {j / (out[1] * out[2]), j / out[2] % out[1], j % out[2]}, argmax = 0;
        gather_window(P, xp, o, w);
        if (!w->n && (P->kind == POOL_MAX || (P->kind == POOL_AVG && !P->count_include_pad)))
            return xc_ref_fail(a, XC_ERR_MODEL, "output element %lld of its plane has a window with no input element",
                               (long long)j);
        yp[j] = reduce_window(P, w, &argmax);
        if (indices) indices[pl * out_plane + j] = pl * in_plane + index_in_plane(P, argmax);
    }
    return XC_OK;
}

static xc_status run_pool(xc_ref_args *a, const pool_plan *P)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0], *ind = a->n_out > 1 ? a->out[1] : NULL;
    int64_t in_plane = volume(P->w.in), out_plane = volume(P->w.out), taps = volume(P->w.kernel);
    int64_t planes = x->dims[0] * x->dims[1];
    /* at least one element each, so that empty shapes do not read as allocation failures */
    double *xp = calloc(in_plane + 1, sizeof *xp), *yp = calloc(out_plane + 1, sizeof *yp);
    pool_window w = {0, 0, calloc(taps + 1, sizeof(double)), calloc(taps + 1, sizeof(int64_t))};
    xc_status s = xp && yp && w.v && w.at ? XC_OK : xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (int64_t pl = 0; pl < planes && s == XC_OK; pl++) {
        load_doubles(x, (size_t)(pl * in_plane), (size_t)in_plane, xp);
        s = pool_plane(a, P, xp, yp, &w, pl, ind ? ind->data : NULL);
        store_doubles(y, (size_t)(pl * out_plane), (size_t)out_plane, yp);
    }
    free(xp);
    free(yp);
    free(w.v);
    free(w.at);
    return s;
}

static xc_status window_pool(xc_ref_args *a, pool_plan *P)
{
    const xc_tensor *x = a->in[0];
    if (x->rank - 2 > 3) return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "%d spatial axes (at most 3 are supported)", x->rank - 2);
    XC_TRY(xc_window_forward(a->node, x->rank - 2, x->dims + 2, NULL, &P->w));
    xc_window_lift(&P->w, 3);
    return run_pool(a, P);
}

static xc_status ref_max_pool(xc_ref_args *a)
{
    pool_plan P = {.kind = POOL_MAX, .column_major = xc_attr_int(a->node, "storage_order", 0) != 0};
    return window_pool(a, &P);
}

static xc_status ref_average_pool(xc_ref_args *a)
{
    pool_plan P = {.kind = POOL_AVG, .count_include_pad = xc_attr_int(a->node, "count_include_pad", 0) != 0};
    return window_pool(a, &P);
}

static xc_status ref_lp_pool(xc_ref_args *a)
{
    /* LpPool-1 has a float p; later versions an int */
    double p = a->opset < 2 ? xc_attr_float(a->node, "p", 2.0f) : (double)xc_attr_int(a->node, "p", 2);
    if (!(p > 0)) return xc_ref_fail(a, XC_ERR_MODEL, "p is %g, must be positive", p);
    pool_plan P = {.kind = POOL_LP, .p = p};
    return window_pool(a, &P);
}

/* The window is the whole plane: kernel = input size, one output. */
static xc_status global_pool(xc_ref_args *a, pool_kind kind)
{
    const xc_tensor *x = a->in[0];
    pool_plan P = {.kind = kind, .w = {.nsp = x->rank - 2}};
    if (P.w.nsp > 3) return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "%d spatial axes (at most 3 are supported)", P.w.nsp);
    for (int k = 0; k < P.w.nsp; k++) {
        P.w.in[k] = P.w.kernel[k] = x->dims[2 + k];
        P.w.stride[k] = P.w.dilation[k] = P.w.out[k] = 1;
    }
    xc_window_lift(&P.w, 3);
    return run_pool(a, &P);
}

static xc_status ref_global_average_pool(xc_ref_args *a) { return global_pool(a, POOL_AVG); }
static xc_status ref_global_max_pool(xc_ref_args *a) { return global_pool(a, POOL_MAX); }

const xc_ref_kernel xc_ref_pool[] = {
    {"MaxPool", ref_max_pool},
    {"AveragePool", ref_average_pool},
    {"LpPool", ref_lp_pool},
    {"GlobalAveragePool", ref_global_average_pool},
    {"GlobalMaxPool", ref_global_max_pool},
    {0},
};

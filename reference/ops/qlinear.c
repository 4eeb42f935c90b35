/* qlinear.c — reference kernels of MatMulInteger, ConvInteger, QLinearMatMul and QLinearConv.
 *
 * Products are exact: (a - a_zero_point) * (b - b_zero_point) summed in int64 in the natural
 * order. The QLinear ops then scale each sum by a_scale * b_scale / y_scale, computed step by
 * step in the scales' type as onnx's numpy reference does, add y's zero point in double, round
 * half to even and saturate to y's type. A convolution's padding contributes zero (the
 * padded value is the zero point). */
#include "ref.h"
#include "ops/conv_geom.h"
#include <stdlib.h>

/* Element i of a per-tensor (one value) or per-row/column parameter; absent gives 0. */
static double param(const xc_tensor *t, size_t i)
{
    if (!t) return 0;
    return xc_load_f64(t->dtype, t->data, xc_tensor_numel(t) == 1 ? 0 : i);
}

static const xc_tensor *opt_in(const xc_ref_args *a, int i) { return i < a->n_in ? a->in[i] : NULL; }

/* Element offsets of each matrix of t for the batch shape (rank, dims): numpy.matmul. */
static void batch_strides(const xc_tensor *t, int rank, const int64_t *dims, int64_t *strides)
{
    int tb = t->rank > 2 ? t->rank - 2 : 0;
    int64_t s = t->rank >= 2 ? t->dims[t->rank - 1] * t->dims[t->rank - 2] : t->dims[0];
    for (int k = rank - 1; k >= 0; k--) {
        int tk = k - (rank - tb);
        strides[k] = tk >= 0 && t->dims[tk] == dims[k] && dims[k] != 1 ? s : 0;
        if (tk >= 0) s *= t->dims[tk];
    }
}

typedef struct int_product {
    int64_t *acc; /* [batches, m, n] */
    size_t batches, m, n;
} int_product;

/* acc = (A - azp) @ (B - bzp) with azp per row of A (or one), bzp per column of B (or one). */
static xc_status int_matmul(const xc_ref_args *a, const xc_tensor *ta, const xc_tensor *azp, const xc_tensor *tb,
                            const xc_tensor *bzp, int_product *p)
{
    const xc_tensor *y = a->out[0];
    size_t m = ta->rank >= 2 ? (size_t)ta->dims[ta->rank - 2] : 1, k = (size_t)ta->dims[ta->rank - 1];
    size_t n = tb->rank >= 2 ? (size_t)tb->dims[tb->rank - 1] : 1;
    int batch_rank = y->rank - (ta->rank >= 2) - (tb->rank >= 2);
    int64_t sa[XC_MAX_RANK], sb[XC_MAX_RANK];
    batch_strides(ta, batch_rank, y->dims, sa);
    batch_strides(tb, batch_rank, y->dims, sb);
    size_t batches = 1;
    for (int d = 0; d < batch_rank; d++) batches *= (size_t)y->dims[d];
    int64_t *acc = calloc(batches * m * n + 1, sizeof *acc);
    if (!acc) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (size_t b = 0; b < batches; b++) {
        size_t oa = (size_t)xc_ref_offset((int64_t)b, batch_rank, y->dims, sa);
        size_t ob = (size_t)xc_ref_offset((int64_t)b, batch_rank, y->dims, sb);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) {
                int64_t s = 0, za = (int64_t)param(azp, i), zb = (int64_t)param(bzp, j);
                for (size_t q = 0; q < k; q++)
                    s += (xc_load_i64(ta->dtype, ta->data, oa + i * k + q) - za)
                         * (xc_load_i64(tb->dtype, tb->data, ob + q * n + j) - zb);
                acc[(b * m + i) * n + j] = s;
            }
    }
    *p = (int_product){acc, batches, m, n};
    return XC_OK;
}

static xc_status ref_matmul_integer(xc_ref_args *a)
{
    int_product p;
    XC_TRY(int_matmul(a, a->in[0], opt_in(a, 2), a->in[1], opt_in(a, 3), &p));
    for (size_t i = 0; i < p.batches * p.m * p.n; i++) xc_store_i64(XC_INT32, a->out[0]->data, i, p.acc[i]);
    free(p.acc);
    return XC_OK;
}

/* round(round(sa * sb) / sy) in the scales' type t. */
static double multiplier(xc_dtype t, double sa, double sb, double sy)
{
    return xc_dtype_round(t, xc_dtype_round(t, sa * sb) / sy);
}

static xc_status ref_qlinear_matmul(xc_ref_args *a)
{
    const xc_tensor *as = a->in[1], *bs = a->in[4], *ys = a->in[6], *yzp = a->in[7];
    int_product p;
    XC_TRY(int_matmul(a, a->in[0], a->in[2], a->in[3], a->in[5], &p));
    xc_tensor *y = a->out[0];
    for (size_t b = 0; b < p.batches; b++)
        for (size_t i = 0; i < p.m; i++)
            for (size_t j = 0; j < p.n; j++) {
                size_t at = (b * p.m + i) * p.n + j;
                double mul = multiplier(as->dtype, param(as, i), param(bs, j), param(ys, i));
                xc_ref_store_saturated(y->dtype, y->data, at, (double)p.acc[at] * mul + param(yzp, i));
            }
    free(p.acc);
    return XC_OK;
}

/* acc[n, oc, spatial] = bias[oc] + sum over the group's input channels and taps of
 * (x - xzp) * (w - wzp[oc]); up to three spatial axes. */
static xc_status int_conv(const xc_ref_args *a, const xc_tensor *x, const xc_tensor *xzp, const xc_tensor *w,
                          const xc_tensor *wzp, const xc_tensor *bias, int64_t **out)
{
    xc_window W;
    int nsp = x->rank - 2;
    XC_TRY(xc_window_forward(a->node, nsp, x->dims + 2, w->dims + 2, &W));
    xc_window_lift(&W, 3);
    int64_t batch = x->dims[0], c = x->dims[1], m = w->dims[0], group = xc_attr_int(a->node, "group", 1);
    int64_t cg = c / group, mg = m / group, in_plane = W.in[0] * W.in[1] * W.in[2];
    int64_t out_plane = W.out[0] * W.out[1] * W.out[2], taps = W.kernel[0] * W.kernel[1] * W.kernel[2];
    int64_t *acc = calloc((size_t)(batch * m * out_plane) + 1, sizeof *acc);
    if (!acc) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    int64_t zx = (int64_t)param(xzp, 0);
    for (int64_t n = 0; n < batch; n++)
        for (int64_t oc = 0; oc < m; oc++) {
            int64_t zw = (int64_t)param(wzp, (size_t)oc), b0 = bias ? (int64_t)param(bias, (size_t)oc) : 0;
            for (int64_t o = 0; o < out_plane; o++) {
                int64_t op[3] = {o / (W.out[1] * W.out[2]), o / W.out[2] % W.out[1], o % W.out[2]}, s = b0;
                for (int64_t ic = 0; ic < cg; ic++) {
                    size_t xbase = (size_t)((n * c + oc / mg * cg + ic) * in_plane), wbase = (size_t)((oc * cg + ic) * taps);
                    for (int64_t t = 0; t < taps; t++) {
                        int64_t kk[3] = {t / (W.kernel[1] * W.kernel[2]), t / W.kernel[2] % W.kernel[1], t % W.kernel[2]};
                        int64_t ip[3], inside = 1;
                        for (int d = 0; d < 3; d++) {
                            ip[d] = op[d] * W.stride[d] + kk[d] * W.dilation[d] - W.pad_begin[d];
                            inside &= ip[d] >= 0 && ip[d] < W.in[d];
                        }
                        if (!inside) continue;
                        size_t xi = xbase + (size_t)((ip[0] * W.in[1] + ip[1]) * W.in[2] + ip[2]);
                        s += (xc_load_i64(x->dtype, x->data, xi) - zx) * (xc_load_i64(w->dtype, w->data, wbase + (size_t)t) - zw);
                    }
                }
                acc[(n * m + oc) * out_plane + o] = s;
            }
        }
    *out = acc;
    return XC_OK;
}

static xc_status ref_conv_integer(xc_ref_args *a)
{
    int64_t *acc;
    XC_TRY(int_conv(a, a->in[0], opt_in(a, 2), a->in[1], opt_in(a, 3), NULL, &acc));
    for (size_t i = 0; i < xc_tensor_numel(a->out[0]); i++) xc_store_i64(XC_INT32, a->out[0]->data, i, acc[i]);
    free(acc);
    return XC_OK;
}

static xc_status ref_qlinear_conv(xc_ref_args *a)
{
    const xc_tensor *xs = a->in[1], *ws = a->in[4], *ys = a->in[6], *yzp = a->in[7];
    int64_t *acc;
    XC_TRY(int_conv(a, a->in[0], a->in[2], a->in[3], a->in[5], opt_in(a, 8), &acc));
    xc_tensor *y = a->out[0];
    size_t m = (size_t)y->dims[1], images = (size_t)y->dims[0] * m;
    size_t plane = images ? xc_tensor_numel(y) / images : 0;
    for (size_t i = 0; i < xc_tensor_numel(y); i++) {
        size_t oc = i / plane % m;
        double mul = multiplier(xs->dtype, param(xs, 0), param(ws, oc), param(ys, 0));
        xc_ref_store_saturated(y->dtype, y->data, i, (double)acc[i] * mul + param(yzp, 0));
    }
    free(acc);
    return XC_OK;
}

const xc_ref_kernel xc_ref_qlinear[] = {
    {"MatMulInteger", ref_matmul_integer},
    {"ConvInteger", ref_conv_integer},
    {"QLinearMatMul", ref_qlinear_matmul},
    {"QLinearConv", ref_qlinear_conv},
    {0},
};

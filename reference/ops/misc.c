/* misc.c — reference kernels of Compress, ReverseSequence, TensorScatter, BitCast, SwiGLU and
 * Det. The data movers copy whole elements as bytes, so they serve every dtype. */
#include "ref.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Copies count elements of esize bytes from element `from` of src to element `to` of dst. */
static void copy_elems(void *dst, size_t to, const void *src, size_t from, size_t count, size_t esize)
{
    if (count) memcpy((char *)dst + to * esize, (const char *)src + from * esize, count * esize);
}

/* The input viewed as [outer, n, inner] around axis (or flattened without one), keeping the
 * slices whose condition entry is true. */
static xc_status ref_compress(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *cond = a->in[1];
    size_t outer = 1, n = xc_tensor_numel(x), inner = 1, nc = xc_tensor_numel(cond), kept = 0;
    int axis = -1, has_axis = xc_node_attr(a->node, "axis") != NULL;
    if (has_axis) {
        int64_t v = xc_attr_int(a->node, "axis", 0); /* range checked by the schema */
        axis = (int)(v < 0 ? v + x->rank : v);
        n = (size_t)x->dims[axis];
        for (int k = 0; k < axis; k++) outer *= (size_t)x->dims[k];
        for (int k = axis + 1; k < x->rank; k++) inner *= (size_t)x->dims[k];
    }
    const uint8_t *c = cond->data;
    for (size_t j = 0; j < nc; j++) {
        if (!c[j]) continue;
        if (j >= n) return xc_ref_fail(a, XC_ERR_MODEL, "condition selects index %zu but the axis has %zu", j, n);
        kept++;
    }
    if (!a->out[0]) {
        int64_t dims[XC_MAX_RANK];
        memcpy(dims, x->dims, sizeof dims);
        dims[has_axis ? axis : 0] = (int64_t)kept;
        XC_TRY(xc_tensor_new(x->dtype, has_axis ? x->rank : 1, dims, &a->out[0]));
    }
    size_t es = xc_dtype_size(x->dtype), at = 0;
    for (size_t o = 0; o < outer; o++)
        for (size_t j = 0; j < nc && j < n; j++)
            if (c[j]) {
                copy_elems(a->out[0]->data, at, x->data, (o * n + j) * inner, inner, es);
                at += inner;
            }
    return XC_OK;
}

/* y[b, t] = x[b, len[b] - 1 - t] for t < len[b], x[b, t] after it. */
static xc_status ref_reverse_sequence(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *lens = a->in[1];
    int time_axis = (int)xc_attr_int(a->node, "time_axis", 0), batch_axis = 1 - time_axis;
    size_t nb = (size_t)x->dims[batch_axis], nt = (size_t)x->dims[time_axis], inner = 1, es = xc_dtype_size(x->dtype);
    for (int k = 2; k < x->rank; k++) inner *= (size_t)x->dims[k];
    if (xc_tensor_numel(lens) != nb)
        return xc_ref_fail(a, XC_ERR_MODEL, "sequence_lens has %zu values for %zu batch entries", xc_tensor_numel(lens), nb);
    for (size_t b = 0; b < nb; b++) {
        int64_t len = xc_load_i64(lens->dtype, lens->data, b);
        if (len < 0 || (size_t)len > nt)
            return xc_ref_fail(a, XC_ERR_MODEL, "sequence_lens[%zu] = %lld is outside [0, %zu]", b, (long long)len, nt);
        for (size_t t = 0; t < nt; t++) {
            size_t src = t < (size_t)len ? (size_t)len - 1 - t : t;
            size_t to = time_axis == 0 ? t * nb + b : b * nt + t, from = time_axis == 0 ? src * nb + b : b * nt + src;
            copy_elems(a->out[0]->data, to * inner, x->data, from * inner, inner, es);
        }
    }
    return XC_OK;
}

/* present = past, then update's steps written from write_indices[batch] along axis (wrapping
 * around the cache in circular mode). */
static xc_status ref_tensor_scatter(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *u = a->in[1], *w = a->n_in > 2 ? a->in[2] : NULL;
    xc_tensor *y = a->out[0];
    int64_t v = xc_attr_int(a->node, "axis", -2);
    int axis = (int)(v < 0 ? v + x->rank : v), circular = !strcmp(xc_attr_string(a->node, "mode", "linear"), "circular");
    size_t prefix = 1, inner = 1, es = xc_dtype_size(x->dtype), max = (size_t)x->dims[axis], steps = (size_t)u->dims[axis];
    for (int k = 0; k < axis; k++) prefix *= (size_t)x->dims[k];
    for (int k = axis + 1; k < x->rank; k++) inner *= (size_t)x->dims[k];
    size_t per_batch = x->dims[0] ? prefix / (size_t)x->dims[0] : 0;
    if (w && xc_tensor_numel(w) != (size_t)x->dims[0])
        return xc_ref_fail(a, XC_ERR_MODEL, "write_indices has %zu values for batch %lld", xc_tensor_numel(w),
                           (long long)x->dims[0]);
    copy_elems(y->data, 0, x->data, 0, xc_tensor_numel(x), es);
    for (size_t p = 0; p < prefix; p++) {
        size_t batch = p / per_batch;
        int64_t start = w ? xc_load_i64(w->dtype, w->data, batch) : 0;
        for (size_t s = 0; s < steps; s++) {
            /* start is any int64: range-check (or wrap) it before adding the step; a negative
             * one is refused in both modes, as ONNX Runtime does */
            int64_t m = (int64_t)max, at = -1;
            if (circular && m && start >= 0)
                at = (start % m + (int64_t)s) % m;
            else if (!circular && start >= 0 && start <= m)
                at = start + (int64_t)s;
            if (at < 0 || at >= m)
                return xc_ref_fail(a, XC_ERR_MODEL, "write index %lld + step %zu of batch %zu is outside the cache (%zu)",
                                   (long long)start, s, batch, max);
            copy_elems(y->data, (p * max + (size_t)at) * inner, u->data, (p * steps + s) * inner, inner, es);
        }
    }
    return XC_OK;
}

static xc_status ref_bitcast(xc_ref_args *a)
{
    copy_elems(a->out[0]->data, 0, a->in[0]->data, 0, a->in[0]->nbytes, 1);
    return XC_OK;
}

/* y = (a * sigmoid(alpha * a)) * b, the sigmoid and the product rounded to the dtype first as
 * onnx's reference does (its Swish casts the sigmoid before multiplying). */
static xc_status ref_swiglu(xc_ref_args *a)
{
    const xc_tensor *ta = a->in[0], *tb = a->in[1];
    xc_tensor *y = a->out[0];
    double alpha = xc_attr_float(a->node, "alpha", 1.0f);
    xc_dtype t = ta->dtype;
    for (size_t i = 0; i < xc_tensor_numel(y); i++) {
        double x = xc_load_f64(t, ta->data, i);
        double sig = xc_dtype_round(t, 1.0 / (1.0 + exp(-alpha * x)));
        xc_store_f64(t, y->data, i, xc_dtype_round(t, x * sig) * xc_load_f64(t, tb->data, i));
    }
    return XC_OK;
}

/* LU decomposition with partial pivoting in double: det = sign * product of the pivots. */
static double det_of(double *m, size_t n)
{
    double det = 1;
    for (size_t k = 0; k < n; k++) {
        size_t p = k;
        for (size_t i = k + 1; i < n; i++)
            if (fabs(m[i * n + k]) > fabs(m[p * n + k])) p = i;
        if (m[p * n + k] == 0) return 0;
        if (p != k) {
            for (size_t j = 0; j < n; j++) {
                double t = m[k * n + j];
                m[k * n + j] = m[p * n + j];
                m[p * n + j] = t;
            }
            det = -det;
        }
        det *= m[k * n + k];
        for (size_t i = k + 1; i < n; i++) {
            double f = m[i * n + k] / m[k * n + k];
            for (size_t j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
        }
    }
    return det;
}

static xc_status ref_det(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    size_t n = (size_t)x->dims[x->rank - 1], count = xc_tensor_numel(a->out[0]);
    double *m = malloc((n ? n * n : 1) * sizeof *m);
    if (!m) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (size_t b = 0; b < count; b++) {
        for (size_t i = 0; i < n * n; i++) m[i] = xc_load_f64(x->dtype, x->data, b * n * n + i);
        xc_store_f64(a->out[0]->dtype, a->out[0]->data, b, det_of(m, n));
    }
    free(m);
    return XC_OK;
}

const xc_ref_kernel xc_ref_misc[] = {
    {"Compress", ref_compress},
    {"ReverseSequence", ref_reverse_sequence},
    {"TensorScatter", ref_tensor_scatter},
    {"BitCast", ref_bitcast},
    {"SwiGLU", ref_swiglu},
    {"Det", ref_det},
    {0},
};

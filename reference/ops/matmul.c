/* matmul.c — reference kernels of Gemm, MatMul and Einsum.
 *
 * Gemm and MatMul share one row-major product core, y[i][:] += a[i][p] * b[p][:] in i-p-j order,
 * so the inner loop streams a row of B and of the output. Each output element accumulates its
 * products in increasing p, in the working type: float for float32 and the half types (rounded
 * on store), double for float64, and uint64 for every integer type (modular arithmetic truncates
 * to the narrower type exactly, without signed-overflow UB). Einsum is a generic loop over all
 * labels that accumulates in double. */
#include "ops/matmul_einsum.h"
#include "ref.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { W_F32, W_F64, W_U64 } work_kind;

static work_kind work_of(xc_dtype t)
{
    if (t == XC_DOUBLE) return W_F64;
    return xc_dtype_is_int(t) ? W_U64 : W_F32;
}

static size_t work_size(work_kind w) { return w == W_F32 ? sizeof(float) : 8; }

/* Whether a buffer of dtype t already is an array of the working type. */
static int is_native(xc_dtype t, work_kind w)
{
    return (w == W_F32 && t == XC_FLOAT) || (w == W_F64 && t == XC_DOUBLE) || (w == W_U64 && (t == XC_INT64 || t == XC_UINT64));
}

/* A tensor's elements as a working-type array: its own data when native, else a converted copy. */
typedef struct work_buf {
    void *p;
    void *owned;
} work_buf;

static void work_release(work_buf *b) { free(b->owned); }

static xc_status work_alloc(const xc_ref_args *a, size_t n, work_kind w, work_buf *b)
{
    b->p = b->owned = malloc(n ? n * work_size(w) : 1);
    return b->p ? XC_OK : xc_ref_fail(a, XC_ERR_NOMEM, "out of memory for a %zu-element buffer", n);
}

static xc_status work_load(const xc_ref_args *a, const xc_tensor *t, work_kind w, work_buf *b)
{
    size_t n = xc_tensor_numel(t);
    if (is_native(t->dtype, w)) {
        b->p = t->data;
        b->owned = NULL;
        return XC_OK;
    }
    XC_TRY(work_alloc(a, n, w, b));
    if (w == W_F32)
        for (size_t i = 0; i < n; i++) ((float *)b->p)[i] = xc_load_f32(t->dtype, t->data, i);
    else if (w == W_F64)
        for (size_t i = 0; i < n; i++) ((double *)b->p)[i] = xc_load_f64(t->dtype, t->data, i);
    else
        for (size_t i = 0; i < n; i++) ((uint64_t *)b->p)[i] = (uint64_t)xc_load_i64(t->dtype, t->data, i);
    return XC_OK;
}

/* Where the result is computed: y's own data when native, else a scratch buffer for work_store. */
static xc_status work_target(const xc_ref_args *a, xc_tensor *y, work_kind w, work_buf *b)
{
    if (!is_native(y->dtype, w)) return work_alloc(a, xc_tensor_numel(y), w, b);
    b->p = y->data;
    b->owned = NULL;
    return XC_OK;
}

/* Rounds a scratch result into y (nothing to do when it was computed in place). */
static void work_store(xc_tensor *y, work_kind w, const work_buf *b)
{
    if (!b->owned) return;
    size_t n = xc_tensor_numel(y);
    if (w == W_F32)
        for (size_t i = 0; i < n; i++) xc_store_f32(y->dtype, y->data, i, ((const float *)b->p)[i]);
    else if (w == W_F64)
        for (size_t i = 0; i < n; i++) xc_store_f64(y->dtype, y->data, i, ((const double *)b->p)[i]);
    else
        for (size_t i = 0; i < n; i++) xc_store_i64(y->dtype, y->data, i, (int64_t)((const uint64_t *)b->p)[i]);
}

/* y (m x n) = a (m x k, element (i, p) at i * sam + p * sak) times b (k x n, row-major). */
typedef void (*product_fn)(const void *a, const void *b, void *y, int64_t m, int64_t k, int64_t n, int64_t sam, int64_t sak);

#define DEFINE_PRODUCT(NAME, T)                                                                                                  \
    static void NAME(const void *av, const void *bv, void *yv, int64_t m, int64_t k, int64_t n, int64_t sam, int64_t sak)        \
    {                                                                                                                            \
        const T *a = av, *b = bv;                                                                                                \
        for (int64_t i = 0; i < m; i++) {                                                                                        \
            T *restrict row = (T *)yv + i * n;                                                                                   \
            for (int64_t j = 0; j < n; j++) row[j] = 0;                                                                          \
            for (int64_t p = 0; p < k; p++) {                                                                                    \
                T s = a[i * sam + p * sak];                                                                                      \
                const T *restrict brow = b + p * n;                                                                              \
                for (int64_t j = 0; j < n; j++) row[j] += s * brow[j];                                                           \
            }                                                                                                                    \
        }                                                                                                                        \
    }
DEFINE_PRODUCT(product_f32, float)
DEFINE_PRODUCT(product_f64, double)
DEFINE_PRODUCT(product_u64, uint64_t)
static const product_fn products[] = {product_f32, product_f64, product_u64};

/* ---- Gemm ---- */

/* y = alpha * y + beta * c, c broadcast to (m, n) by strides (cs0, cs1); c NULL when absent. */
typedef void (*epilogue_fn)(void *y, const void *c, int64_t cs0, int64_t cs1, int64_t m, int64_t n, double alpha, double beta);

/* AS_T converts alpha/beta into the working type: integral values only for uint64, wrapping
 * negatives modulo 2^64 so that the products stay exact. */
#define DEFINE_EPILOGUE(NAME, T, AS_T)                                                                                           \
    static void NAME(void *yv, const void *cv, int64_t cs0, int64_t cs1, int64_t m, int64_t n, double alpha, double beta)        \
    {                                                                                                                            \
        T *y = yv, al = AS_T(alpha), be = AS_T(beta);                                                                            \
        const T *c = cv;                                                                                                         \
        for (int64_t i = 0; i < m; i++)                                                                                          \
            for (int64_t j = 0; j < n; j++) {                                                                                    \
                T v = al * y[i * n + j];                                                                                         \
                if (c) v += be * c[i * cs0 + j * cs1];                                                                           \
                y[i * n + j] = v;                                                                                                \
            }                                                                                                                    \
    }
#define AS_FLOAT(x) ((float)(x))
#define AS_DOUBLE(x) (x)
#define AS_U64(x) ((uint64_t)(int64_t)(x))
DEFINE_EPILOGUE(epilogue_f32, float, AS_FLOAT)
DEFINE_EPILOGUE(epilogue_f64, double, AS_DOUBLE)
DEFINE_EPILOGUE(epilogue_u64, uint64_t, AS_U64)
static const epilogue_fn epilogues[] = {epilogue_f32, epilogue_f64, epilogue_u64};

/* Transposed copy of a rows x cols working-type matrix, so the product's inner loop streams. */
static xc_status transposed(const xc_ref_args *a, const work_buf *src, int64_t rows, int64_t cols, work_kind w, work_buf *dst)
{
    size_t es = work_size(w);
    XC_TRY(work_alloc(a, (size_t)(rows * cols), w, dst));
    for (int64_t c = 0; c < cols; c++)
        for (int64_t r = 0; r < rows; r++)
            memcpy((char *)dst->p + (size_t)(c * rows + r) * es, (const char *)src->p + (size_t)(r * cols + c) * es, es);
    return XC_OK;
}

/* Strides that broadcast Gemm's C (rank 0 to 2) to (M, N). */
static void bias_strides(const xc_tensor *c, int64_t *s0, int64_t *s1)
{
    int64_t d0 = c->rank == 2 ? c->dims[0] : 1, d1 = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
    *s0 = d0 == 1 ? 0 : d1;
    *s1 = d1 == 1 ? 0 : 1;
}

static int is_int64_value(double x) { return x == trunc(x) && fabs(x) < 0x1p63; }

/* Y = alpha * A' B' + beta * C: the product in the working type, then the epilogue (C is skipped
 * when beta is 0, so its infinities cannot turn into NaN). */
static xc_status ref_gemm(xc_ref_args *a)
{
    const xc_tensor *ta = a->in[0], *tb = a->in[1], *tc = a->n_in > 2 ? a->in[2] : NULL;
    xc_tensor *y = a->out[0];
    int trans_a = xc_attr_int(a->node, "transA", 0) != 0, trans_b = xc_attr_int(a->node, "transB", 0) != 0;
    double alpha = xc_attr_float(a->node, "alpha", 1.0f), beta = xc_attr_float(a->node, "beta", 1.0f);
    work_kind w = work_of(y->dtype);
    if (w == W_U64 && (!is_int64_value(alpha) || !is_int64_value(beta)))
        return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "integer Gemm needs integral alpha and beta, got %g and %g", alpha, beta);
    int64_t m = y->dims[0], n = y->dims[1], k = ta->dims[trans_a ? 0 : 1];
    work_buf A = {0}, B = {0}, Bt = {0}, C = {0}, Y = {0};
    xc_status s = work_load(a, ta, w, &A);
    if (s == XC_OK) s = work_load(a, tb, w, &B);
    if (s == XC_OK && trans_b) s = transposed(a, &B, n, k, w, &Bt);
    if (s == XC_OK && tc && beta != 0) s = work_load(a, tc, w, &C);
    if (s == XC_OK) s = work_target(a, y, w, &Y);
    if (s == XC_OK) {
        int64_t cs0 = 0, cs1 = 0;
        if (C.p) bias_strides(tc, &cs0, &cs1);
        products[w](A.p, trans_b ? Bt.p : B.p, Y.p, m, k, n, trans_a ? 1 : k, trans_a ? m : 1);
        epilogues[w](Y.p, C.p, cs0, cs1, m, n, alpha, beta);
        work_store(y, w, &Y);
    }
    work_release(&A);
    work_release(&B);
    work_release(&Bt);
    work_release(&C);
    work_release(&Y);
    return s;
}

/* ---- MatMul ---- */

/* Element offsets of each (m x k) matrix of t for the batch shape (rank, dims) of the output:
 * t's leading axes right-aligned with it, broadcast axes contributing 0. */
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

/* numpy.matmul: a 1-D A is a 1 x K row, a 1-D B a K x 1 column; each batch is one product. */
static xc_status ref_matmul(xc_ref_args *a)
{
    const xc_tensor *ta = a->in[0], *tb = a->in[1];
    xc_tensor *y = a->out[0];
    int64_t m = ta->rank >= 2 ? ta->dims[ta->rank - 2] : 1, k = ta->dims[ta->rank - 1];
    int64_t n = tb->rank >= 2 ? tb->dims[tb->rank - 1] : 1;
    int batch_rank = y->rank - (ta->rank >= 2) - (tb->rank >= 2);
    int64_t sa[XC_MAX_RANK], sb[XC_MAX_RANK];
    batch_strides(ta, batch_rank, y->dims, sa);
    batch_strides(tb, batch_rank, y->dims, sb);
    size_t batches = 1;
    for (int d = 0; d < batch_rank; d++) batches *= (size_t)y->dims[d];
    work_kind w = work_of(y->dtype);
    size_t es = work_size(w);
    work_buf A = {0}, B = {0}, Y = {0};
    xc_status s = work_load(a, ta, w, &A);
    if (s == XC_OK) s = work_load(a, tb, w, &B);
    if (s == XC_OK) s = work_target(a, y, w, &Y);
    /* an empty output has nothing to compute; an empty inner dimension (k = 0) has no operand
     * buffers at all, and the products only read them for k > 0 */
    for (size_t i = 0; s == XC_OK && m * n > 0 && i < batches; i++) {
        const char *pa = A.p ? (const char *)A.p + es * (size_t)xc_ref_offset((int64_t)i, batch_rank, y->dims, sa) : NULL;
        const char *pb = B.p ? (const char *)B.p + es * (size_t)xc_ref_offset((int64_t)i, batch_rank, y->dims, sb) : NULL;
        products[w](pa, pb, (char *)Y.p + es * i * (size_t)(m * n), m, k, n, k, 1);
    }
    if (s == XC_OK) work_store(y, w, &Y);
    work_release(&A);
    work_release(&B);
    work_release(&Y);
    return s;
}

/* ---- Einsum ---- */

/* Products one Einsum may compute (minutes of the naive loop; real equations need far fewer). */
#define XC_EINSUM_MAX_TERMS 1e11

/* Steps the odometer over all labels (the last fastest), keeping each input's offset in step. */
static void einsum_advance(const xc_einsum_plan *p, int64_t *count, int64_t (*stride)[XC_EINSUM_MAX_LABELS], int64_t *off)
{
    for (int l = p->n_labels - 1; l >= 0; l--) {
        int wrap = ++count[l] == p->extent[l];
        for (int k = 0; k < p->n_in; k++) off[k] += stride[k][l] * (wrap ? 1 - p->extent[l] : 1);
        if (!wrap) return;
        count[l] = 0;
    }
}

/* Each input's step per label: the sum of the strides of its axes carrying that label (repeated
 * labels, i.e. diagonals, add up), 0 along size-1 axes that broadcast. */
static void einsum_strides(const xc_einsum_plan *p, const xc_tensor *const *in, int64_t (*stride)[XC_EINSUM_MAX_LABELS])
{
    for (int k = 0; k < p->n_in; k++) {
        int64_t s = 1;
        for (int ax = in[k]->rank - 1; ax >= 0; ax--) {
            if (in[k]->dims[ax] != 1) stride[k][p->in_label[k][ax]] += s;
            s *= in[k]->dims[ax];
        }
    }
}

/* Each output element sums, over every combination of the summed labels, the product of the
 * inputs' elements; output labels are outermost, so the output is written in order. */
static void einsum_compute(const xc_einsum_plan *p, const xc_tensor *const *in, double *const *vals, xc_tensor *y)
{
    int64_t stride[XC_EINSUM_MAX_INPUTS][XC_EINSUM_MAX_LABELS] = {{0}}, count[XC_EINSUM_MAX_LABELS] = {0};
    int64_t off[XC_EINSUM_MAX_INPUTS] = {0};
    einsum_strides(p, in, stride);
    size_t n_out = xc_tensor_numel(y), n_sum = 1;
    for (int l = p->out_rank; l < p->n_labels; l++) n_sum *= (size_t)p->extent[l];
    if (!n_sum) return; /* an empty sum: the zero-filled output is the answer */
    for (size_t o = 0; o < n_out; o++) {
        double acc = 0;
        for (size_t t = 0; t < n_sum; t++) {
            double prod = 1;
            for (int k = 0; k < p->n_in; k++) prod *= vals[k][off[k]];
            acc += prod;
            einsum_advance(p, count, stride, off);
        }
        xc_store_f64(y->dtype, y->data, o, acc);
    }
}

static xc_status ref_einsum(xc_ref_args *a)
{
    xc_type_shape shapes[XC_EINSUM_MAX_INPUTS];
    xc_einsum_plan p;
    if (a->n_in > XC_EINSUM_MAX_INPUTS) return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "more than %d inputs", XC_EINSUM_MAX_INPUTS);
    for (int k = 0; k < a->n_in; k++) {
        shapes[k].rank = a->in[k]->rank;
        memcpy(shapes[k].dims, a->in[k]->dims, sizeof shapes[k].dims);
    }
    if (xc_einsum_plan_make(xc_attr_string(a->node, "equation", ""), a->n_in, shapes, &p) != XC_OK)
        return xc_ref_fail(a, XC_ERR_MODEL, "%s", xc_error_message());
    double *vals[XC_EINSUM_MAX_INPUTS] = {0};
    xc_status s = XC_OK;
    for (int k = 0; k < a->n_in && s == XC_OK; k++) {
        size_t n = xc_tensor_numel(a->in[k]);
        if (!(vals[k] = malloc(n ? n * sizeof(double) : 1))) s = xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; vals[k] && i < n; i++) vals[k][i] = xc_load_f64(a->in[k]->dtype, a->in[k]->data, i);
    }
    /* labels of different inputs multiply: "ab,cd,ef->" over 1000-sized axes is 1e18 terms, from
     * inputs of 4 MB each; the naive loop would never end (and n_sum would wrap) */
    double terms = (double)xc_tensor_numel(a->out[0]);
    for (int l = p.out_rank; l < p.n_labels; l++) terms *= (double)p.extent[l];
    if (s == XC_OK && terms > XC_EINSUM_MAX_TERMS)
        s = xc_ref_fail(a, XC_ERR_UNSUPPORTED, "equation '%s' needs %.3g products; the reference computes at most %.0e",
                        xc_attr_string(a->node, "equation", ""), terms, XC_EINSUM_MAX_TERMS);
    if (s == XC_OK) einsum_compute(&p, a->in, vals, a->out[0]);
    for (int k = 0; k < a->n_in; k++) free(vals[k]);
    return s;
}

const xc_ref_kernel xc_ref_matmul[] = {
    {"Gemm", ref_gemm},
    {"MatMul", ref_matmul},
    {"Einsum", ref_einsum},
    {0},
};

/* index.c — reference kernels of the ops that work along one axis or produce indices: ArgMax,
 * ArgMin, TopK, CumSum, CumProd, NonZero, OneHot and Trilu.
 *
 * Along-axis ops view the input as [outer, n, inner] (n: the axis) and loop o, k, i with i
 * innermost, so memory streams contiguously. Inference has already checked axes, k and depth
 * against the actual shapes, so kernels only normalize them. */
#include "ref.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct axis_split {
    int64_t outer, n, inner;
} axis_split;

static axis_split split_at(const xc_tensor *x, int axis)
{
    axis_split s = {1, x->dims[axis], 1};
    for (int d = 0; d < axis; d++) s.outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++) s.inner *= x->dims[d];
    return s;
}

static int normalize(int64_t axis, int rank) { return (int)(axis < 0 ? axis + rank : axis); }

static int cmp_f64(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) - isnan(b); /* NaN above every number, as numpy sorts */
    return (a > b) - (a < b);
}

/* Orders elements i and j of x (<0, 0, >0), exactly for every numeric dtype. */
static int compare(const xc_tensor *x, size_t i, size_t j)
{
    if (x->dtype == XC_FLOAT) return cmp_f64(((const float *)x->data)[i], ((const float *)x->data)[j]);
    if (xc_dtype_is_float(x->dtype)) return cmp_f64(xc_load_f64(x->dtype, x->data, i), xc_load_f64(x->dtype, x->data, j));
    if (x->dtype == XC_UINT64) {
        uint64_t a = ((const uint64_t *)x->data)[i], b = ((const uint64_t *)x->data)[j];
        return (a > b) - (a < b);
    }
    int64_t a = xc_load_i64(x->dtype, x->data, i), b = xc_load_i64(x->dtype, x->data, j);
    return (a > b) - (a < b);
}

/* ArgMax (sign 1) / ArgMin (sign -1): the output, zeroed, starts with index 0 as the best of
 * every column; later rows replace it when better (or equal, with select_last_index). */
static xc_status arg_extreme(xc_ref_args *a, int sign)
{
    const xc_tensor *x = a->in[0];
    axis_split s = split_at(x, normalize(xc_attr_int(a->node, "axis", 0), x->rank));
    int last = xc_attr_int(a->node, "select_last_index", 0) != 0;
    int64_t *best = a->out[0]->data;
    if (s.n == 0 && s.outer * s.inner > 0) return xc_ref_fail(a, XC_ERR_MODEL, "the axis is empty: there is no index to return");
    for (int64_t o = 0; o < s.outer; o++)
        for (int64_t k = 1; k < s.n; k++)
            for (int64_t i = 0; i < s.inner; i++) {
                int64_t *b = &best[o * s.inner + i];
                int c = sign * compare(x, (size_t)((o * s.n + k) * s.inner + i), (size_t)((o * s.n + *b) * s.inner + i));
                if (c > 0 || (c == 0 && last)) *b = k;
            }
    return XC_OK;
}

static xc_status ref_argmax(xc_ref_args *a) { return arg_extreme(a, 1); }
static xc_status ref_argmin(xc_ref_args *a) { return arg_extreme(a, -1); }

/* One slice of TopK: the elements base + idx * stride of x. */
typedef struct topk_slice {
    const xc_tensor *x;
    int64_t base, stride;
    int largest;
} topk_slice;

/* <0 when index ia ranks before ib: the better value, or on equal values the lower index. */
static int rank_cmp(const topk_slice *t, int64_t ia, int64_t ib)
{
    int c = compare(t->x, (size_t)(t->base + ia * t->stride), (size_t)(t->base + ib * t->stride));
    if (t->largest) c = -c;
    return c ? c : (ia > ib) - (ia < ib);
}

static int rank_cmp_sort(const void *pa, const void *pb, void *ctx)
{
    return rank_cmp(ctx, *(const int64_t *)pa, *(const int64_t *)pb);
}

/* Restores the heap below `at`: every parent ranks after its children, so the root is the
 * worst index kept. */
static void sift_down(const topk_slice *t, int64_t *heap, int64_t k, int64_t at)
{
    for (;;) {
        int64_t worst = at, l = 2 * at + 1, r = l + 1;
        if (l < k && rank_cmp(t, heap[l], heap[worst]) > 0) worst = l;
        if (r < k && rank_cmp(t, heap[r], heap[worst]) > 0) worst = r;
        if (worst == at) return;
        int64_t tmp = heap[at];
        heap[at] = heap[worst];
        heap[worst] = tmp;
        at = worst;
    }
}

/* The k best indices of a slice of n, in rank order: a heap of the k best seen so far
 * (O(n log k)), then a sort of those k. */
static void select_top(const topk_slice *t, int64_t n, int64_t k, int64_t *best)
{
    for (int64_t j = 0; j < k; j++) best[j] = j;
    for (int64_t j = k / 2 - 1; j >= 0; j--) sift_down(t, best, k, j);
    for (int64_t j = k; j < n; j++)
        if (k && rank_cmp(t, j, best[0]) < 0) {
            best[0] = j;
            sift_down(t, best, k, 0);
        }
    qsort_r(best, (size_t)k, sizeof *best, rank_cmp_sort, (void *)t);
}

/* TopK: the k best of each slice along the axis, always sorted (which `sorted=0` allows). */
static xc_status ref_topk(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *values = a->out[0], *indices = a->out[1];
    int axis = normalize(xc_attr_int(a->node, "axis", -1), x->rank);
    axis_split s = split_at(x, axis);
    int64_t k = values->dims[axis];
    size_t esize = xc_dtype_size(x->dtype);
    int64_t *best = malloc((size_t)(k ? k : 1) * sizeof *best);
    if (!best) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    topk_slice t = {x, 0, s.inner, xc_attr_int(a->node, "largest", 1) != 0};
    for (int64_t o = 0; o < s.outer; o++)
        for (int64_t i = 0; i < s.inner; i++) {
            t.base = o * s.n * s.inner + i;
            select_top(&t, s.n, k, best);
            for (int64_t j = 0; j < k; j++) {
                size_t dst = (size_t)((o * k + j) * s.inner + i);
                memcpy((char *)values->data + dst * esize, (const char *)x->data + (size_t)(t.base + best[j] * s.inner) * esize,
                       esize);
                ((int64_t *)indices->data)[dst] = best[j];
            }
        }
    free(best);
    return XC_OK;
}

/* A running value per column: double for float inputs (so long scans stay accurate), int64 for
 * integers (exact, wrapping like numpy on overflow). */
typedef union running {
    double f;
    int64_t i;
} running;

typedef struct scan_mode {
    int product, exclusive;
} scan_mode;

/* Folds one row of x (inner elements from `row`) into the running values and writes y's row:
 * the value before the fold when exclusive, after it otherwise. */
static void scan_row(const scan_mode *m, const xc_tensor *x, xc_tensor *y, size_t row, int64_t inner, running *run)
{
    if (xc_dtype_is_float(x->dtype)) {
        for (int64_t i = 0; i < inner; i++) {
            double v = xc_load_f64(x->dtype, x->data, row + i);
            double next = m->product ? run[i].f * v : run[i].f + v;
            xc_store_f64(y->dtype, y->data, row + i, m->exclusive ? run[i].f : next);
            run[i].f = next;
        }
        return;
    }
    for (int64_t i = 0; i < inner; i++) {
        uint64_t v = (uint64_t)xc_load_i64(x->dtype, x->data, row + i), r = (uint64_t)run[i].i;
        int64_t next = (int64_t)(m->product ? r * v : r + v);
        xc_store_i64(y->dtype, y->data, row + i, m->exclusive ? run[i].i : next);
        run[i].i = next;
    }
}

/* CumSum / CumProd: rows along the axis in order (or reversed), columns innermost. */
static xc_status cumulate(xc_ref_args *a, int product)
{
    const xc_tensor *x = a->in[0];
    axis_split s = split_at(x, normalize(xc_load_i64(a->in[1]->dtype, a->in[1]->data, 0), x->rank));
    scan_mode m = {product, xc_attr_int(a->node, "exclusive", 0) != 0};
    int reverse = xc_attr_int(a->node, "reverse", 0) != 0, ints = !xc_dtype_is_float(x->dtype);
    running *run = malloc((size_t)(s.inner ? s.inner : 1) * sizeof *run);
    if (!run) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (int64_t o = 0; o < s.outer; o++) {
        for (int64_t i = 0; i < s.inner; i++) {
            if (ints)
                run[i].i = product;
            else
                run[i].f = product;
        }
        for (int64_t step = 0; step < s.n; step++) {
            int64_t k = reverse ? s.n - 1 - step : step;
            scan_row(&m, x, a->out[0], (size_t)((o * s.n + k) * s.inner), s.inner, run);
        }
    }
    free(run);
    return XC_OK;
}

static xc_status ref_cumsum(xc_ref_args *a) { return cumulate(a, 0); }
static xc_status ref_cumprod(xc_ref_args *a) { return cumulate(a, 1); }

static int nonzero_at(const xc_tensor *x, size_t i)
{
    if (xc_dtype_is_float(x->dtype)) return xc_load_f64(x->dtype, x->data, i) != 0; /* -0.0 is zero, NaN is not */
    return xc_load_i64(x->dtype, x->data, i) != 0;
}

/* NonZero: counts first, then allocates [rank, count] and writes the coordinates, one row per
 * axis, walking x in order with an odometer. */
static xc_status ref_nonzero(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    size_t numel = xc_tensor_numel(x), count = 0;
    for (size_t i = 0; i < numel; i++) count += nonzero_at(x, i);
    int64_t dims[2] = {x->rank, (int64_t)count}, coord[XC_MAX_RANK] = {0};
    XC_TRY(xc_tensor_new(XC_INT64, 2, dims, &a->out[0]));
    int64_t *y = a->out[0]->data;
    for (size_t i = 0, j = 0; i < numel; i++) {
        if (nonzero_at(x, i)) {
            for (int d = 0; d < x->rank; d++) y[(size_t)d * count + j] = coord[d];
            j++;
        }
        for (int d = x->rank - 1; d >= 0 && ++coord[d] == x->dims[d]; d--) coord[d] = 0;
    }
    return XC_OK;
}

/* OneHot: fills with off_value, then sets on_value where an index (negative ones count from the
 * end) falls inside [0, depth); others leave their row all off, as the spec says. */
static xc_status ref_onehot(xc_ref_args *a)
{
    const xc_tensor *ind = a->in[0], *values = a->in[2];
    xc_tensor *y = a->out[0];
    int axis = normalize(xc_attr_int(a->node, "axis", -1), y->rank);
    axis_split s = split_at(y, axis);
    size_t esize = xc_dtype_size(y->dtype), numel = xc_tensor_numel(y);
    const char *off = values->data, *on = off + esize;
    for (size_t e = 0; e < numel; e++) memcpy((char *)y->data + e * esize, off, esize);
    for (int64_t o = 0; o < s.outer; o++)
        for (int64_t i = 0; i < s.inner; i++) {
            int64_t v = xc_load_i64(ind->dtype, ind->data, (size_t)(o * s.inner + i)); /* floats truncate */
            if (v < 0) v += s.n;
            if (v >= 0 && v < s.n) memcpy((char *)y->data + (size_t)((o * s.n + v) * s.inner + i) * esize, on, esize);
        }
    return XC_OK;
}

/* Trilu: keeps, in each row r of every matrix, the columns c with c - r >= k (upper) or
 * c - r <= k (lower); the output is zeroed already, so kept runs are copied whole. */
static xc_status ref_trilu(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
    int64_t k = a->n_in > 1 && a->in[1] ? xc_load_i64(a->in[1]->dtype, a->in[1]->data, 0) : 0;
    int upper = xc_attr_int(a->node, "upper", 1) != 0;
    size_t numel = xc_tensor_numel(x), esize = xc_dtype_size(x->dtype);
    if (!numel) return XC_OK;
    k = k < -rows ? -rows : k > cols ? cols : k; /* same result, and r + k cannot overflow */
    for (size_t m = 0; m < numel / (size_t)(rows * cols); m++)
        for (int64_t r = 0; r < rows; r++) {
            int64_t lo = upper ? r + k : 0, hi = upper ? cols : r + k + 1;
            lo = lo < 0 ? 0 : lo;
            hi = hi > cols ? cols : hi;
            size_t at = ((m * (size_t)rows + (size_t)r) * (size_t)cols + (size_t)lo) * esize;
            if (hi > lo) memcpy((char *)a->out[0]->data + at, (const char *)x->data + at, (size_t)(hi - lo) * esize);
        }
    return XC_OK;
}

const xc_ref_kernel xc_ref_index[] = {
    {"ArgMax", ref_argmax}, {"ArgMin", ref_argmin},   {"TopK", ref_topk},
    {"CumSum", ref_cumsum}, {"CumProd", ref_cumprod}, {"NonZero", ref_nonzero},
    {"OneHot", ref_onehot}, {"Trilu", ref_trilu},     {0},
};

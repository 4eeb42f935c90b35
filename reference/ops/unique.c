/* unique.c — reference kernel of Unique. X is viewed as n slices of `len` elements along the
 * axis (single elements without one). The slice indices are sorted by content, ties by
 * position (so each group starts at its first occurrence); NaN sorts after every number and
 * equals itself, as numpy.unique does. Unsorted output lists groups by first occurrence. */
#include "ref.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct slices {
    const xc_tensor *x;
    size_t outer, n, inner; /* x as [outer, n, inner]: slice j is x[:, j, :] */
} slices;

static int cmp_elem(xc_dtype t, const void *p, size_t i, size_t j)
{
    if (xc_dtype_is_float(t)) {
        double a = xc_load_f64(t, p, i), b = xc_load_f64(t, p, j);
        if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
        return (a > b) - (a < b);
    }
    if (t == XC_UINT64) {
        uint64_t a = ((const uint64_t *)p)[i], b = ((const uint64_t *)p)[j];
        return (a > b) - (a < b);
    }
    int64_t a = xc_load_i64(t, p, i), b = xc_load_i64(t, p, j);
    return (a > b) - (a < b);
}

/* Compares slices a and b element by element, in row-major order. */
static int cmp_slices(const slices *s, size_t a, size_t b)
{
    for (size_t o = 0; o < s->outer; o++)
        for (size_t i = 0; i < s->inner; i++) {
            int c = cmp_elem(s->x->dtype, s->x->data, (o * s->n + a) * s->inner + i, (o * s->n + b) * s->inner + i);
            if (c) return c;
        }
    return 0;
}

static int cmp_order(const void *pa, const void *pb, void *ctx)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = cmp_slices(ctx, a, b);
    return c ? c : (a > b) - (a < b);
}

static int cmp_size(const void *pa, const void *pb, void *ctx)
{
    (void)ctx;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

/* Output o as a new 1-D int64 tensor of n values. */
static xc_status int_output(xc_ref_args *a, int o, size_t n, const int64_t *v)
{
    if (o >= a->n_out || !a->node->outputs[o][0]) return XC_OK;
    int64_t d = (int64_t)n;
    xc_tensor_free(a->out[o]);
    a->out[o] = NULL;
    XC_TRY(xc_tensor_new(XC_INT64, 1, &d, &a->out[o]));
    if (n) memcpy(a->out[o]->data, v, n * sizeof *v);
    return XC_OK;
}

static xc_status emit(xc_ref_args *a, const slices *s, size_t groups, const size_t *first, const int64_t *inverse,
                      const int64_t *counts)
{
    const xc_tensor *x = s->x;
    int64_t dims[XC_MAX_RANK], *idx = malloc((groups + 1) * sizeof *idx);
    if (!idx) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    int has_axis = xc_node_attr(a->node, "axis") != NULL, axis = 0, rank = 1;
    if (has_axis) {
        int64_t v = xc_attr_int(a->node, "axis", 0);
        axis = (int)(v < 0 ? v + x->rank : v);
        rank = x->rank;
        memcpy(dims, x->dims, sizeof dims);
    }
    dims[axis] = (int64_t)groups;
    xc_tensor_free(a->out[0]);
    a->out[0] = NULL;
    xc_status st = xc_tensor_new(x->dtype, rank, dims, &a->out[0]);
    size_t es = xc_dtype_size(x->dtype);
    for (size_t g = 0; st == XC_OK && g < groups; g++) {
        idx[g] = (int64_t)first[g];
        for (size_t o = 0; o < s->outer; o++)
            memcpy((char *)a->out[0]->data + ((o * groups + g) * s->inner) * es,
                   (const char *)x->data + ((o * s->n + first[g]) * s->inner) * es, s->inner * es);
    }
    if (st == XC_OK) st = int_output(a, 1, groups, idx);
    if (st == XC_OK) st = int_output(a, 2, s->n, inverse);
    if (st == XC_OK) st = int_output(a, 3, groups, counts);
    free(idx);
    return st;
}

static xc_status ref_unique(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    slices s = {x, 1, xc_tensor_numel(x), 1};
    if (xc_node_attr(a->node, "axis")) {
        int64_t v = xc_attr_int(a->node, "axis", 0);
        int axis = (int)(v < 0 ? v + x->rank : v);
        s.n = (size_t)x->dims[axis];
        for (int k = 0; k < axis; k++) s.outer *= (size_t)x->dims[k];
        for (int k = axis + 1; k < x->rank; k++) s.inner *= (size_t)x->dims[k];
    }
    size_t n = s.n, groups = 0, *order = malloc((n + 1) * sizeof *order), *first = malloc((n + 1) * sizeof *first);
    int64_t *inverse = malloc((n + 1) * sizeof *inverse), *counts = calloc(n + 1, sizeof *counts);
    size_t *group_of = malloc((n + 1) * sizeof *group_of);
    xc_status st = order && first && inverse && counts && group_of ? XC_OK : xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    if (st == XC_OK) {
        for (size_t j = 0; j < n; j++) order[j] = j;
        qsort_r(order, n, sizeof *order, cmp_order, &s);
        for (size_t j = 0; j < n; j++) {
            if (j == 0 || cmp_slices(&s, order[j - 1], order[j])) first[groups++] = order[j];
            group_of[order[j]] = groups - 1;
        }
        /* unsorted: renumber groups by first occurrence (first[] sorted ascending) */
        size_t *rank_of = order; /* reused: sorted-group -> output position */
        if (!xc_attr_int(a->node, "sorted", 1)) {
            size_t *by_pos = malloc((groups + 1) * sizeof *by_pos);
            if (!by_pos) st = xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
            for (size_t g = 0; by_pos && g < groups; g++) by_pos[g] = first[g];
            if (by_pos) qsort_r(by_pos, groups, sizeof *by_pos, cmp_size, NULL);
            for (size_t g = 0; by_pos && g < groups; g++) rank_of[group_of[by_pos[g]]] = g;
            for (size_t g = 0; by_pos && g < groups; g++) first[g] = by_pos[g];
            free(by_pos);
        } else {
            for (size_t g = 0; g < groups; g++) rank_of[g] = g;
        }
        for (size_t j = 0; st == XC_OK && j < n; j++) {
            inverse[j] = (int64_t)rank_of[group_of[j]];
            counts[inverse[j]]++;
        }
    }
    if (st == XC_OK) st = emit(a, &s, groups, first, inverse, counts);
    free(order);
    free(first);
    free(inverse);
    free(counts);
    free(group_of);
    return st;
}

const xc_ref_kernel xc_ref_unique[] = {
    {"Unique", ref_unique},
    {0},
};

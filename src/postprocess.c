/* postprocess.c — top-K postprocessing of outputs before comparison (see postprocess.h). */
#include "postprocess.h"
#include "tolerance_spec.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

xc_status xc_topk_parse(char *text, xc_topk *out)
{
    char *fn = xc_split_tensor_name(text, &out->name); /* the function has no ':' of its own */
    long k, axis = -1;
    char *comma = strchr(fn, ',');
    if (comma) *comma = 0;
    int ok = !strncmp(fn, "top-", 4) && parse_int(fn + 4, 1, INT_MAX, &k);
    if (ok && comma) ok = !strncmp(comma + 1, "axis=", 5) && parse_int(comma + 6, -XC_MAX_RANK, XC_MAX_RANK - 1, &axis);
    if (comma) *comma = ',';
    if (!ok) return xc_fail(XC_ERR_USAGE, "--postprocess: '%s' is not [NAME:]top-K[,axis=A] (K >= 1, A an axis)", fn);
    out->k = (int)k;
    out->axis = (int)axis;
    return XC_OK;
}

const xc_topk *xc_topk_for(const xc_topk *list, int n, const char *name)
{
    const xc_topk *global = NULL;
    for (int i = 0; i < n; i++) {
        if (list[i].name && name && !strcmp(list[i].name, name)) return &list[i];
        if (!list[i].name) global = &list[i];
    }
    return global;
}

/* Sort key: larger first, NaN last, then lower index first (a stable descending sort). */
typedef struct keyed {
    double v;
    int64_t i;
} keyed;

static int by_value_desc(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    int na = isnan(a->v), nb = isnan(b->v);
    if (na != nb) return na - nb;
    if (!na && a->v != b->v) return a->v > b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

xc_status xc_topk_indices(const xc_tensor *t, int k, int axis, xc_tensor **out)
{
    *out = NULL;
    if (t->rank == 0) return xc_fail(XC_ERR_USAGE, "--postprocess top-%d: '%s' is a scalar", k, t->name ? t->name : "?");
    int ax = axis < 0 ? axis + t->rank : axis;
    if (ax < 0 || ax >= t->rank)
        return xc_fail(XC_ERR_USAGE, "--postprocess top-%d,axis=%d: '%s' has rank %d", k, axis, t->name ? t->name : "?", t->rank);
    int64_t len = t->dims[ax], kk = k < len ? k : len;
    size_t inner = 1, outer = 1;
    for (int d = ax + 1; d < t->rank; d++) inner *= (size_t)t->dims[d];
    for (int d = 0; d < ax; d++) outer *= (size_t)t->dims[d];
    int64_t dims[XC_MAX_RANK];
    memcpy(dims, t->dims, sizeof dims);
    dims[ax] = kk;
    XC_TRY(xc_tensor_new(XC_INT64, t->rank, dims, out));
    keyed *row = malloc(sizeof *row * (size_t)(len ? len : 1));
    if (!row) {
        xc_tensor_free(*out);
        *out = NULL;
        return xc_fail(XC_ERR_NOMEM, "out of memory in --postprocess");
    }
    int64_t *dst = (*out)->data;
    for (size_t o = 0; o < outer; o++)
        for (size_t in = 0; in < inner; in++) {
            for (int64_t j = 0; j < len; j++) {
                row[j].v = xc_load_f64(t->dtype, t->data, (o * (size_t)len + (size_t)j) * inner + in);
                row[j].i = j;
            }
            qsort(row, (size_t)len, sizeof *row, by_value_desc);
            for (int64_t j = 0; j < kk; j++) dst[(o * (size_t)kk + (size_t)j) * inner + in] = row[j].i;
        }
    free(row);
    if (t->name) {
        xc_status s = xc_tensor_set_name(*out, t->name);
        if (s != XC_OK) {
            xc_tensor_free(*out);
            *out = NULL;
            return s;
        }
    }
    return XC_OK;
}

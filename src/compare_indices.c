/* compare_indices.c — the indices comparison (see compare_indices.h). */
#include "compare_indices.h"
#include <string.h>

xc_status xc_compare_indices(const xc_tensor *out, const xc_tensor *ref, long tol, xc_indices_result *res)
{
    memset(res, 0, sizeof *res);
    res->index_tolerance = tol;
    if (tol < 0) return xc_fail(XC_ERR_USAGE, "--index-tolerance must be at least 0, got %ld", tol);
    if (!xc_shape_equal(out->rank, out->dims, ref->rank, ref->dims)) {
        res->shape_mismatch = 1;
        return XC_OK;
    }
    size_t n = xc_tensor_numel(out), len = out->rank ? (size_t)out->dims[out->rank - 1] : 1;
    res->batches = len ? n / len : 0;
    res->passed = 1;
    size_t checked_len = (size_t)tol < len ? len - (size_t)tol : 0;
    for (size_t b = 0; b < res->batches; b++) {
        size_t base = b * len;
        for (size_t p = 0; p < checked_len; p++) {
            double v = xc_load_f64(out->dtype, out->data, base + p);
            res->checked++;
            if (v == xc_load_f64(ref->dtype, ref->data, base + p)) continue;
            long dist = -1;
            for (size_t q = 0; q < len; q++)
                if (xc_load_f64(ref->dtype, ref->data, base + q) == v) {
                    dist = q > p ? (long)(q - p) : (long)(p - q);
                    break;
                }
            int fail = dist < 0 || dist > tol;
            if (dist < 0)
                res->n_missing++;
            else if (dist > tol)
                res->n_far++;
            if (dist > res->max_distance) res->max_distance = dist;
            if (fail && !res->has_failure) {
                res->has_failure = 1;
                res->first_fail = base + p;
                res->first_value = v;
                res->first_distance = dist;
            }
            if (fail) res->passed = 0;
        }
    }
    return XC_OK;
}

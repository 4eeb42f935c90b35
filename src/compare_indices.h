/* compare_indices.h — Polygraphy's "indices" comparison, for outputs that hold indices (TopK,
 * ArgMax, or --postprocess top-K). The last axis holds the indices; every leading coordinate is a
 * batch of its own. In each batch, each value of the output at position p must appear in the
 * reference's batch at a position q with |p - q| <= index_tolerance (the first occurrence of the
 * value counts); with a tolerance N the output's last N positions are not checked (a Top-K
 * output compared this way should be a Top-(K + N)). Shapes must be equal. This is Polygraphy
 * 0.53.6's IndicesCompareFunc step for step (a scalar counts as one batch of one value). */
#ifndef XC_COMPARE_INDICES_H
#define XC_COMPARE_INDICES_H
#include "tensor.h"

typedef struct xc_indices_result {
    int passed;
    int shape_mismatch;
    long index_tolerance;
    size_t batches, checked; /* batches, output values checked */
    size_t n_missing, n_far; /* values absent from the reference's batch; present but too far */
    long max_distance;       /* largest |p - q| among values found (0 if none) */
    int has_failure;
    size_t first_fail;   /* flat index in the output of the first failing value */
    double first_value;  /* that value */
    long first_distance; /* its distance, -1 when missing */
} xc_indices_result;

xc_status xc_compare_indices(const xc_tensor *out, const xc_tensor *ref, long index_tolerance, xc_indices_result *res);
#endif

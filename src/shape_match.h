/* shape_match.h — --no-shape-check: bring the reference to the output's shape before comparing,
 * as Polygraphy's try_match_shape does with check_shapes=False: a reference of another rank is
 * reshaped (same element count); one of the same rank whose dims are a permutation of the
 * output's is transposed (each output axis takes the first unused reference axis of its length,
 * so [3,2] against [2,3] is a transpose, not a reshape); then reshaped if the counts agree.
 * Different element counts stay a shape mismatch (Polygraphy raises there). */
#ifndef XC_SHAPE_MATCH_H
#define XC_SHAPE_MATCH_H
#include "tensor.h"

/* *out: a new tensor, ref in out's shape (NULL when it cannot be matched: counts differ).
 * *permuted: 1 when it was transposed (perm[] then holds the reference axis of each axis). */
xc_status xc_match_shape(const xc_tensor *ref, int rank, const int64_t *dims, xc_tensor **out, int *permuted, int *perm);
#endif

/* matmul_einsum.h — the product ops' shape facts: the parsed form of an Einsum equation, shared
 * by the Einsum schema (shape inference) and its reference kernel, and MatMul's output shape,
 * shared by the MatMul family, so each is understood in one place only. */
#ifndef XC_MATMUL_EINSUM_H
#define XC_MATMUL_EINSUM_H
#include "schema.h"

#define XC_EINSUM_MAX_INPUTS 16
#define XC_EINSUM_MAX_LABELS (52 + XC_MAX_RANK) /* the letters, then one label per ellipsis axis */

/* Labels are renumbered so that the output's axes carry labels 0..out_rank-1 in order and the
 * summed-over labels follow: iterating labels in order visits the output row-major. */
typedef struct xc_einsum_plan {
    int n_in;
    int n_labels;
    int out_rank;
    int64_t extent[XC_EINSUM_MAX_LABELS]; /* -1 where unknown (load time) */
    int in_rank[XC_EINSUM_MAX_INPUTS];
    int in_label[XC_EINSUM_MAX_INPUTS][XC_MAX_RANK]; /* label of each input axis */
} xc_einsum_plan;

/* Parses equation (numpy.einsum syntax: letters, one "..." per term, optional "->" output; an
 * implicit output is the ellipsis axes then the letters used once, in ASCII order) against the
 * inputs' shapes, whose ranks must be known. Size-1 axes broadcast. Fails with XC_ERR_MODEL. */
xc_status xc_einsum_plan_make(const char *equation, int n_in, const xc_type_shape *in, xc_einsum_plan *p);

/* MatMul's output shape (numpy matmul: batch dimensions broadcast, rank-1 operands promoted
 * and dropped again) for inputs ia and ib, set as output 0 of dtype t; *m and *n are the rows
 * of A and columns of B (-1 when unknown). Shared by MatMul, MatMulInteger and QLinearMatMul. */
xc_status xc_infer_matmul_shape(xc_infer_ctx *c, int ia, int ib, xc_dtype t, int64_t *m, int64_t *n);

#endif

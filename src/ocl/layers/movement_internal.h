/* movement_internal.h — shared between the movement kind's files (internal). */
#ifndef XC_OCL_MOVEMENT_INTERNAL_H
#define XC_OCL_MOVEMENT_INTERNAL_H
#include "ocl/engine.h"

#define MV_VIEW_RANK (2 * XC_MAX_RANK)

/* A gather over a view of the output (see kernels/movement.cl): the output seen as `rank` axes;
 * index i along axis k reads input element offset off[k][i] (summed over axes); < 0: padding. */
typedef struct mv_view {
    int rank;
    int64_t dims[MV_VIEW_RANK];
    int64_t *off[MV_VIEW_RANK];
    int64_t *buf; /* holds every table */
} mv_view;

/* 1 if layer l's op is one mv_view_build handles (Transpose, Slice, Expand, Tile, Pad,
 * DepthToSpace, SpaceToDepth, nearest Resize/Upsample). */
int mv_is_view_op(const xc_node *n);
/* Builds l's view; fails (no error kept by callers that only probe) when l's arguments are not
 * constant or its mode is not supported. Free with mv_view_free. */
xc_status mv_view_build(const xc_engine *e, const xc_layer *l, mv_view *v);
void mv_view_free(mv_view *v);
/* Pad's fill value as the bits of one stored element of l's output (half under fp16). */
uint64_t mv_pad_fill(const xc_engine *e, const xc_layer *l);

/* Transpose as a perm over merged axes: size-1 axes dropped, input axes that stay adjacent in
 * the output merged. dims: the merged input dims; perm[k]: input axis of output axis k. Returns
 * the merged rank. */
int mv_transpose_coalesce(const xc_engine *e, const xc_layer *l, int64_t *dims, int *perm);

/* Element storage: bytes of one element of t as layer l binds it (floats are halves under fp16,
 * constants included: xc_launch_input uploads them so) and its OpenCL copy type. */
size_t mv_elem_size(const xc_layer *l, const xc_etensor *t);
const char *mv_copy_type(size_t bytes);
/* 1 if every tensor of l has fewer than 2^31 elements (kernels index with int). */
int mv_int_indexable(const xc_engine *e, const xc_layer *l);
/* Uploads int32 values as a read-only buffer and binds it to k. */
xc_status mv_launch_ints(xc_engine *e, xc_launch *k, const int *vals, size_t n);

/* The elementwise part (movement_elementwise.c): Cast, Where, comparisons, logic ops. */
int mv_is_elementwise_op(const xc_node *n);
int mv_elementwise_accepts(const xc_engine *e, const xc_layer *l);
extern const xc_tactic mv_elementwise_tactic;
#endif

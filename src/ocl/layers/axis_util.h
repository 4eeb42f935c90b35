/* axis_util.h — what the along-axis and index layer kinds share (arg_extreme.c, cumsum.c, hardmax.c,
 * topk.c, onehot.c, trilu.c, gather_elements.c, gather_nd.c, mod.c): the [outer, n, inner]
 * view of a tensor around an axis and the -D defines that type a kernel's operands. */
#ifndef XC_OCL_AXIS_UTIL_H
#define XC_OCL_AXIS_UTIL_H
#include "movement_internal.h"

typedef struct ax_split {
    int64_t outer, n, inner;
} ax_split;

/* Axis attribute or value a (negative counts from the end) normalized for rank; -1 if outside. */
int ax_normalize(int64_t a, int rank);
ax_split ax_split_at(const xc_etensor *t, int axis);
/* The arguments every along-axis kernel starts its scalars with, in this order: how many
 * work-items (items), the axis length and the stride of one step along it. */
void ax_launch_axis(xc_launch *k, int64_t items, ax_split s);
/* The OpenCL type of an integer or bool dtype (bool: uchar); NULL for others. */
const char *ax_int_type(xc_dtype t);
/* 1 if t is float32 or an integer dtype a kernel can compute on (ax_type_define handles it). */
int ax_numeric(xc_dtype t);
/* Appends " -D<name>_FLOAT" (float32, stored as store_t) or " -D<name>_T=<type>" to buf. */
void ax_type_define(char *buf, size_t len, const char *name, xc_dtype t);
/* The int64 scalar held by constant tensor id (first element); 0 if it is not a constant integer. */
int ax_const_int(const xc_engine *e, int id, int64_t *out);
#endif

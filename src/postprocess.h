/* postprocess.h — transforms applied to both sides of a comparison before it is made
 * (Polygraphy's --postprocess): top-K replaces a tensor with the int64 indices of its K largest
 * values along an axis (default the last), largest first, ties in index order, NaN after every
 * number (numpy's argsort(-x, kind="stable"), as Polygraphy's TopKPostprocessFunc takes it);
 * K larger than the axis is clamped. For classifier outputs: compare which classes won, not
 * their scores. */
#ifndef XC_POSTPROCESS_H
#define XC_POSTPROCESS_H
#include "tensor.h"

typedef struct xc_topk {
    const char *name; /* NULL: every output */
    int k;
    int axis; /* may be negative (from the end) */
} xc_topk;

/* Parses "[NAME:]top-K[,axis=A]" (the name is borrowed from text, which is modified). */
xc_status xc_topk_parse(char *text, xc_topk *out);
/* The entry for output `name` among n (a named one wins over a global one); NULL if none. */
const xc_topk *xc_topk_for(const xc_topk *list, int n, const char *name);
/* The top-K indices of t along axis (int64, the axis shrunk to min(K, its length)). */
xc_status xc_topk_indices(const xc_tensor *t, int k, int axis, xc_tensor **out);
#endif

/* clip_bounds.h — Clip's bounds: one rule that the reference, the engine's kernels and its
 * fusion passes all use, so that their defaults cannot drift apart again. */
#ifndef XC_CLIP_BOUNDS_H
#define XC_CLIP_BOUNDS_H
#include "graph.h"

/* Before opset 11 the bounds are the float attributes min and max, defaulting to the lowest and
 * the largest float (ONNX Clip-1/6). From opset 11 they are the optional inputs min (1) and
 * max (2): an absent one bounds nothing (-inf, +inf), so infinities pass through. lo_in/hi_in:
 * those inputs' values, NULL when absent (not read before opset 11). */
void xc_clip_bounds(const xc_node *n, const double *lo_in, const double *hi_in, double *lo, double *hi);

#endif

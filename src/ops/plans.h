/* plans.h — argument resolution shared by an op's schema (inference) and its kernels, so both
 * read an operator's inputs and attributes the same way. Each is defined in the op's schema file. */
#ifndef XC_PLANS_H
#define XC_PLANS_H
#include "graph.h"

/* Slice (src/ops/movement.c): per axis of a (rank, dims) input, the first index, step and count.
 * Opsets 1-9 read the starts/ends/axes attributes; 10+ inputs 1-4. dims may be -1 at load time. */
xc_status xc_slice_plan(const xc_node *n, int n_in, const xc_tensor *const *in, int rank, const int64_t *dims, int64_t *start,
                        int64_t *step, int64_t *count);
/* Pad (src/ops/movement.c): amounts before/after each axis (negative crops). */
xc_status xc_pad_plan(const xc_node *n, int n_in, const xc_tensor *const *in, int rank, int64_t *begin, int64_t *end);
/* Pad's modes, and the input index read at position j (relative to the input's first element)
 * along an axis of size d > 0, or -1 for the constant value (src/ops/movement.c). */
typedef enum { XC_PAD_CONSTANT, XC_PAD_REFLECT, XC_PAD_EDGE, XC_PAD_WRAP } xc_pad_mode;
xc_pad_mode xc_pad_mode_of(const xc_node *n);
int64_t xc_pad_source(xc_pad_mode mode, int64_t j, int64_t d);
/* Shape (src/ops/shape.c): the axes [start, end) it reports, opset 15's attributes clamped. */
void xc_shape_axes(const xc_node *n, int rank, int *start, int *end);
/* Resize/Upsample (src/ops/resize.c): per-axis scales and output dims. */
xc_status xc_resize_plan(const xc_node *n, int rank, const int64_t *in_dims, const xc_tensor *const *in, double *scale,
                         int64_t *out_dims);
/* Resize's sampling rules (src/ops/resize.c): options from the node (Upsample and Resize-10
 * use asymmetric coordinates and onnxruntime's legacy nearest rounding), where output position
 * y of an axis samples the input, and the input position nearest mode picks. */
typedef enum { XC_INTERP_NEAREST, XC_INTERP_LINEAR, XC_INTERP_CUBIC } xc_interp_mode;
typedef enum {
    XC_COORD_HALF_PIXEL,
    XC_COORD_HALF_PIXEL_SYMMETRIC,
    XC_COORD_PYTORCH_HALF_PIXEL,
    XC_COORD_ALIGN_CORNERS,
    XC_COORD_ASYMMETRIC,
    XC_COORD_TF_HALF_PIXEL_FOR_NN,
    XC_COORD_TF_CROP_AND_RESIZE
} xc_coord_mode;
typedef enum {
    XC_NEAREST_ROUND_PREFER_FLOOR,
    XC_NEAREST_ROUND_PREFER_CEIL,
    XC_NEAREST_FLOOR,
    XC_NEAREST_CEIL,
    XC_NEAREST_LEGACY
} xc_nearest_mode;
typedef struct xc_resize_opts {
    xc_interp_mode mode;
    xc_coord_mode coord;
    xc_nearest_mode nearest;
    double cubic_a, extrapolation;
    int exclude_outside, antialias;
} xc_resize_opts;
xc_resize_opts xc_resize_opts_of(const xc_node *n);
/* roi is read only for tf_crop_and_resize. */
double xc_resize_source(const xc_resize_opts *o, double y, double scale, int64_t in, int64_t out, const double *roi);
double xc_resize_nearest(xc_nearest_mode m, double x, double scale);
/* One axis' interpolation (src/ops/resize_taps.c): output position y reads input positions
 * src[y*n + t] with weights w[y*n + t]; positions flagged `outside` (tf_crop_and_resize outside
 * the input) take the extrapolation value instead. */
typedef struct xc_resize_taps {
    int n;
    int64_t *src;
    double *w;
    unsigned char *outside;
} xc_resize_taps;
xc_status xc_resize_taps_build(const xc_resize_opts *o, double scale, int64_t in, int64_t out, const double *roi,
                               xc_resize_taps *t);
void xc_resize_taps_free(xc_resize_taps *t);
/* 1 if the taps copy the axis unchanged. */
int xc_resize_taps_identity(const xc_resize_taps *t, int64_t in, int64_t out);
#endif

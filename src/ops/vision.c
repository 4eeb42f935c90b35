/* vision.c — schemas of the detection and sampling ops: NonMaxSuppression, RoiAlign,
 * MaxRoiPool, GridSample, AffineGrid, DeformConv, Col2Im, CenterCropPad and MaxUnpool.
 *
 * Attribute values the kernels depend on (modes, sizes, thresholds' shapes) are checked here, so
 * a bad model fails at load naming the node, and the kernels (reference/ops/<op>.c) only read
 * them. Shapes that depend on input values (Col2Im's image_shape, AffineGrid's size,
 * CenterCropPad's shape, MaxUnpool's output_shape) are known whenever those inputs are constants,
 * and always at run time; NonMaxSuppression's count depends on the data, so its kernel allocates. */
#include "conv_geom.h"
#include "checked.h"
#include <string.h>

#define ATTRS_END                                                                                                                \
    {                                                                                                                            \
        NULL, 0, 0                                                                                                               \
    }
static const xc_attr_spec nms_attrs[] = {{"center_point_box", XC_ATTR_INT, 0}, ATTRS_END};
#define ROI_ALIGN_ATTRS                                                                                                          \
    {"mode", XC_ATTR_STRING, 0}, {"output_height", XC_ATTR_INT, 0}, {"output_width", XC_ATTR_INT, 0},                            \
        {"sampling_ratio", XC_ATTR_INT, 0},                                                                                      \
    {                                                                                                                            \
        "spatial_scale", XC_ATTR_FLOAT, 0                                                                                        \
    }
static const xc_attr_spec roi_align_10[] = {ROI_ALIGN_ATTRS, ATTRS_END};
static const xc_attr_spec roi_align_16[] = {ROI_ALIGN_ATTRS, {"coordinate_transformation_mode", XC_ATTR_STRING, 0}, ATTRS_END};
static const xc_attr_spec max_roi_pool_attrs[] = {
    {"pooled_shape", XC_ATTR_INTS, 1}, {"spatial_scale", XC_ATTR_FLOAT, 0}, ATTRS_END};
static const xc_attr_spec grid_sample_attrs[] = {
    {"align_corners", XC_ATTR_INT, 0}, {"mode", XC_ATTR_STRING, 0}, {"padding_mode", XC_ATTR_STRING, 0}, ATTRS_END};
static const xc_attr_spec affine_grid_attrs[] = {{"align_corners", XC_ATTR_INT, 0}, ATTRS_END};
static const xc_attr_spec deform_conv_attrs[] = {{"dilations", XC_ATTR_INTS, 0},
                                                 {"group", XC_ATTR_INT, 0},
                                                 {"kernel_shape", XC_ATTR_INTS, 0},
                                                 {"offset_group", XC_ATTR_INT, 0},
                                                 {"pads", XC_ATTR_INTS, 0},
                                                 {"strides", XC_ATTR_INTS, 0},
                                                 ATTRS_END};
static const xc_attr_spec col2im_attrs[] = {
    {"dilations", XC_ATTR_INTS, 0}, {"pads", XC_ATTR_INTS, 0}, {"strides", XC_ATTR_INTS, 0}, ATTRS_END};
static const xc_attr_spec center_crop_pad_attrs[] = {{"axes", XC_ATTR_INTS, 0}, ATTRS_END};
static const xc_attr_spec max_unpool_attrs[] = {
    {"kernel_shape", XC_ATTR_INTS, 1}, {"pads", XC_ATTR_INTS, 0}, {"strides", XC_ATTR_INTS, 0}, ATTRS_END};

#define F32 XC_BIT(XC_FLOAT)
#define I64 XC_BIT(XC_INT64)
#define INDEX_TYPES (XC_BIT(XC_INT32) | XC_BIT(XC_INT64))

/* Fails unless input i (when present and of known rank) has the given rank. */
static xc_status need_rank(xc_infer_ctx *c, int i, int rank, const char *what)
{
    if (i >= c->n_in || !c->in[i].present || c->in[i].rank < 0 || c->in[i].rank == rank) return XC_OK;
    return xc_infer_fail(c, "%s ('%s') must have rank %d, has %d", what, c->node->inputs[i], rank, c->in[i].rank);
}

/* Fails unless dim d of input i is v (when both are known). */
static xc_status need_dim(xc_infer_ctx *c, int i, int d, int64_t v, const char *what)
{
    const xc_type_shape *t = &c->in[i];
    if (i >= c->n_in || !t->present || t->rank <= d || t->dims[d] < 0 || v < 0 || t->dims[d] == v) return XC_OK;
    return xc_infer_fail(c, "%s ('%s') has %lld along axis %d, expected %lld", what, c->node->inputs[i], (long long)t->dims[d], d,
                         (long long)v);
}

/* Fails unless the optional input i is a scalar or a one-element 1-D tensor. */
static xc_status need_scalar(xc_infer_ctx *c, int i, const char *what)
{
    const xc_type_shape *t = &c->in[i];
    if (i >= c->n_in || !t->present || t->rank < 0) return XC_OK;
    if (t->rank > 1 || (t->rank == 1 && t->dims[0] >= 0 && t->dims[0] != 1))
        return xc_infer_fail(c, "%s ('%s') must be a scalar", what, c->node->inputs[i]);
    return XC_OK;
}

/* Index of the string attribute's value among names (NULL-terminated), or a failure listing them. */
static xc_status pick_string(xc_infer_ctx *c, const char *attr, const char *def, const char *const *names, int *idx)
{
    const char *v = xc_attr_string(c->node, attr, def);
    for (int k = 0; names[k]; k++)
        if (!strcmp(v, names[k])) {
            *idx = k;
            return XC_OK;
        }
    char list[256] = "";
    for (int k = 0; names[k]; k++) {
        if (k) strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, names[k], sizeof list - strlen(list) - 1);
    }
    return xc_infer_fail(c, "%s '%s' is not one of %s", attr, v, list);
}

/* NonMaxSuppression: boxes [B, N, 4], scores [B, C, N] -> int64 [count, 3] (batch, class, box);
 * the count depends on the data, so the kernel allocates. */
static xc_status infer_nms(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, F32));
    XC_TRY(xc_infer_require_type(c, 1, F32));
    XC_TRY(xc_infer_require_type(c, 2, I64));
    XC_TRY(xc_infer_require_type(c, 3, F32));
    XC_TRY(xc_infer_require_type(c, 4, F32));
    int64_t cpb = xc_attr_int(c->node, "center_point_box", 0);
    if (cpb != 0 && cpb != 1) return xc_infer_fail(c, "center_point_box is %lld, must be 0 or 1", (long long)cpb);
    XC_TRY(need_rank(c, 0, 3, "boxes"));
    XC_TRY(need_rank(c, 1, 3, "scores"));
    XC_TRY(need_dim(c, 0, 2, 4, "boxes"));
    if (c->in[0].rank == 3 && c->in[1].rank == 3) {
        XC_TRY(need_dim(c, 1, 0, c->in[0].dims[0], "scores (batch)"));
        XC_TRY(need_dim(c, 1, 2, c->in[0].dims[1], "scores (boxes)"));
    }
    XC_TRY(need_scalar(c, 2, "max_output_boxes_per_class"));
    XC_TRY(need_scalar(c, 3, "iou_threshold"));
    XC_TRY(need_scalar(c, 4, "score_threshold"));
    double iou;
    if (xc_infer_input_float(c, 3, &iou) && !(iou >= 0 && iou <= 1))
        return xc_infer_fail(c, "iou_threshold is %g, must be in [0, 1]", iou);
    int64_t dims[2] = {-1, 3};
    xc_infer_set(c, 0, XC_INT64, 2, dims);
    return XC_OK;
}

/* RoiAlign: X [N, C, H, W], rois [R, 4], batch_indices [R] -> [R, C, output_height, output_width]. */
static xc_status infer_roi_align(xc_infer_ctx *c)
{
    static const char *const modes[] = {"avg", "max", NULL};
    static const char *const ctms[] = {"half_pixel", "output_half_pixel", NULL};
    int idx;
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 1, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 2, I64));
    if (c->in[0].dtype != XC_UNDEFINED && c->in[1].dtype != XC_UNDEFINED && c->in[0].dtype != c->in[1].dtype)
        return xc_infer_fail(c, "rois are %s, X is %s: they must match", xc_dtype_name(c->in[1].dtype),
                             xc_dtype_name(c->in[0].dtype));
    XC_TRY(pick_string(c, "mode", "avg", modes, &idx));
    if (c->opset >= 16) XC_TRY(pick_string(c, "coordinate_transformation_mode", "half_pixel", ctms, &idx));
    int64_t oh = xc_attr_int(c->node, "output_height", 1), ow = xc_attr_int(c->node, "output_width", 1);
    int64_t sr = xc_attr_int(c->node, "sampling_ratio", 0);
    if (oh < 1 || ow < 1)
        return xc_infer_fail(c, "output_height and output_width must be >= 1, are %lld and %lld", (long long)oh, (long long)ow);
    if (sr < 0) return xc_infer_fail(c, "sampling_ratio is %lld, must be >= 0", (long long)sr);
    XC_TRY(need_rank(c, 0, 4, "X"));
    XC_TRY(need_rank(c, 1, 2, "rois"));
    XC_TRY(need_rank(c, 2, 1, "batch_indices"));
    XC_TRY(need_dim(c, 1, 1, 4, "rois"));
    if (c->in[1].rank == 2) XC_TRY(need_dim(c, 2, 0, c->in[1].dims[0], "batch_indices"));
    int64_t dims[4] = {c->in[1].rank == 2 ? c->in[1].dims[0] : -1, c->in[0].rank == 4 ? c->in[0].dims[1] : -1, oh, ow};
    if (dims[0] < 0 && c->in[2].rank == 1) dims[0] = c->in[2].dims[0];
    xc_infer_set(c, 0, c->in[0].dtype, 4, dims);
    return XC_OK;
}

/* MaxRoiPool: X [N, C, H, W], rois [R, 5] (batch, x1, y1, x2, y2) -> [R, C, pooled_shape...]. */
static xc_status infer_max_roi_pool(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 1, XC_T_FLOATS));
    const int64_t *ps;
    size_t np = 0;
    xc_attr_ints(c->node, "pooled_shape", &ps, &np);
    if (np != 2 || ps[0] < 1 || ps[1] < 1) return xc_infer_fail(c, "pooled_shape must be two values >= 1");
    XC_TRY(need_rank(c, 0, 4, "X"));
    XC_TRY(need_rank(c, 1, 2, "rois"));
    XC_TRY(need_dim(c, 1, 1, 5, "rois"));
    int64_t dims[4] = {c->in[1].rank == 2 ? c->in[1].dims[0] : -1, c->in[0].rank == 4 ? c->in[0].dims[1] : -1, ps[0], ps[1]};
    xc_infer_set(c, 0, c->in[0].dtype, 4, dims);
    return XC_OK;
}

/* GridSample: X [N, C, D1..Dr], grid [N, O1..Or, r] -> [N, C, O1..Or]. Opset 16 has 2-D inputs
 * and the modes bilinear/nearest/bicubic; opset 20 renamed them linear/nearest/cubic and allows
 * 1 to 3 spatial axes here (the spec's N-D). */
static xc_status infer_grid_sample(xc_infer_ctx *c)
{
    static const char *const modes16[] = {"bilinear", "nearest", "bicubic", NULL};
    static const char *const modes20[] = {"linear", "nearest", "cubic", NULL};
    static const char *const pads[] = {"zeros", "border", "reflection", NULL};
    int idx;
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 1, XC_T_FLOATS));
    int v20 = c->opset >= 20;
    const char *mode = xc_attr_string(c->node, "mode", "");
    if (v20 && (!strcmp(mode, "bilinear") || !strcmp(mode, "bicubic")))
        return xc_infer_fail(c, "mode '%s' is GridSample-16's name; from opset 20 it is '%s'", mode, mode + 2);
    XC_TRY(pick_string(c, "mode", v20 ? "linear" : "bilinear", v20 ? modes20 : modes16, &idx));
    XC_TRY(pick_string(c, "padding_mode", "zeros", pads, &idx));
    int64_t ac = xc_attr_int(c->node, "align_corners", 0);
    if (ac != 0 && ac != 1) return xc_infer_fail(c, "align_corners is %lld, must be 0 or 1", (long long)ac);
    const xc_type_shape *x = &c->in[0], *g = &c->in[1];
    if (x->rank < 0 || g->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    int nsp = x->rank - 2;
    if (v20 ? nsp < 1 || nsp > 3 : nsp != 2)
        return xc_infer_unsupported(c, "X has rank %d; GridSample-%d takes %s", x->rank, v20 ? 20 : 16,
                                    v20 ? "rank 3 to 5 here" : "rank 4");
    if (g->rank != x->rank) return xc_infer_fail(c, "grid has rank %d, must have X's rank %d", g->rank, x->rank);
    XC_TRY(need_dim(c, 1, 0, x->dims[0], "grid (batch)"));
    XC_TRY(need_dim(c, 1, g->rank - 1, nsp, "grid (coordinates)"));
    int64_t dims[XC_MAX_RANK] = {x->dims[0], x->dims[1]};
    for (int k = 0; k < nsp; k++) dims[2 + k] = g->dims[1 + k];
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

/* AffineGrid: theta [N, 2, 3] with size (N, C, H, W) -> [N, H, W, 2]; theta [N, 3, 4] with
 * size (N, C, D, H, W) -> [N, D, H, W, 3]. */
static xc_status infer_affine_grid(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 1, I64));
    int64_t ac = xc_attr_int(c->node, "align_corners", 0);
    if (ac != 0 && ac != 1) return xc_infer_fail(c, "align_corners is %lld, must be 0 or 1", (long long)ac);
    XC_TRY(need_rank(c, 0, 3, "theta"));
    XC_TRY(need_rank(c, 1, 1, "size"));
    const xc_type_shape *th = &c->in[0], *sz = &c->in[1];
    int64_t len = sz->rank == 1 ? sz->dims[0] : -1, size[5];
    size_t n = 0;
    if (len >= 0 && len != 4 && len != 5)
        return xc_infer_fail(c, "size has %lld values, must have 4 (2-D) or 5 (3-D)", (long long)len);
    if (len < 0 && th->rank == 3 && th->dims[1] > 0) len = th->dims[1] + 2;
    if (len < 0) {
        xc_infer_unknown(c, 0, th->dtype);
        return XC_OK;
    }
    int nsp = (int)len - 2;
    XC_TRY(need_dim(c, 0, 1, nsp, "theta"));
    XC_TRY(need_dim(c, 0, 2, nsp + 1, "theta"));
    int64_t dims[XC_MAX_RANK] = {th->rank == 3 ? th->dims[0] : -1};
    for (int k = 0; k < nsp; k++) dims[1 + k] = -1;
    dims[1 + nsp] = nsp;
    if (xc_infer_input_ints(c, 1, size, 5, &n)) {
        for (size_t k = 0; k < n; k++)
            if (size[k] < 0) return xc_infer_fail(c, "size[%zu] is %lld, must be >= 0", k, (long long)size[k]);
        XC_TRY(need_dim(c, 0, 0, size[0], "theta (batch)"));
        dims[0] = size[0];
        for (int k = 0; k < nsp; k++) dims[1 + k] = size[2 + k];
    }
    xc_infer_set(c, 0, th->dtype, nsp + 2, dims);
    return XC_OK;
}

/* DeformConv (2-D): X [N, C, H, W], W [oC, C/group, kH, kW], offset [N, og*2*kH*kW, oH, oW],
 * B [oC], mask [N, og*kH*kW, oH, oW] -> [N, oC, oH, oW]; oH, oW as for Conv. */
static xc_status infer_deform_conv(xc_infer_ctx *c)
{
    for (int i = 0; i < 5; i++) XC_TRY(xc_infer_require_type(c, i, XC_T_FLOATS));
    const xc_type_shape *x = &c->in[0], *w = &c->in[1];
    int64_t group = xc_attr_int(c->node, "group", 1), og = xc_attr_int(c->node, "offset_group", 1);
    if (group < 1 || og < 1)
        return xc_infer_fail(c, "group and offset_group must be >= 1, are %lld and %lld", (long long)group, (long long)og);
    if (x->rank < 0 || w->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    if (x->rank != 4) return xc_infer_unsupported(c, "X has rank %d; only 2-D DeformConv (rank 4) is supported", x->rank);
    XC_TRY(need_rank(c, 1, 4, "W"));
    XC_TRY(need_rank(c, 2, 4, "offset"));
    XC_TRY(need_rank(c, 3, 1, "B"));
    XC_TRY(need_rank(c, 4, 4, "mask"));
    int64_t cin = x->dims[1], cout = w->dims[0];
    if (cin >= 0 && w->dims[1] >= 0 && cin != w->dims[1] * group)
        return xc_infer_fail(c, "X has %lld channels, W expects %lld x group %lld", (long long)cin, (long long)w->dims[1],
                             (long long)group);
    if (cout >= 0 && cout % group)
        return xc_infer_fail(c, "W has %lld output channels, not divisible by group %lld", (long long)cout, (long long)group);
    if (cin >= 0 && cin % og)
        return xc_infer_fail(c, "X has %lld channels, not divisible by offset_group %lld", (long long)cin, (long long)og);
    xc_window win;
    XC_TRY(xc_window_forward(c->node, 2, x->dims + 2, w->dims + 2, &win));
    int64_t taps = win.kernel[0] >= 0 && win.kernel[1] >= 0 ? win.kernel[0] * win.kernel[1] : -1, want;
    if (taps >= 0) {
        XC_TRY(xc_mul_i64(c->node, "offset channels", og, 2 * taps, &want));
        XC_TRY(need_dim(c, 2, 1, want, "offset"));
        XC_TRY(need_dim(c, 4, 1, og * taps, "mask"));
    }
    XC_TRY(need_dim(c, 2, 0, x->dims[0], "offset (batch)"));
    XC_TRY(need_dim(c, 4, 0, x->dims[0], "mask (batch)"));
    XC_TRY(need_dim(c, 3, 0, cout, "B"));
    for (int a = 0; a < 2; a++) {
        XC_TRY(need_dim(c, 2, 2 + a, win.out[a], "offset (output size)"));
        XC_TRY(need_dim(c, 4, 2 + a, win.out[a], "mask (output size)"));
    }
    int64_t dims[4] = {x->dims[0], cout, win.out[0], win.out[1]};
    xc_infer_set(c, 0, x->dtype, 4, dims);
    return XC_OK;
}

/* Col2Im: input [N, C*prod(block_shape), L] -> [N, C, image_shape...]; L must be the number of
 * blocks the window geometry (pads, strides, dilations) fits in the image. */
static xc_status infer_col2im(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_NUMERIC));
    XC_TRY(xc_infer_require_type(c, 1, I64));
    XC_TRY(xc_infer_require_type(c, 2, I64));
    XC_TRY(need_rank(c, 0, 3, "input"));
    XC_TRY(need_rank(c, 1, 1, "image_shape"));
    XC_TRY(need_rank(c, 2, 1, "block_shape"));
    const xc_type_shape *x = &c->in[0];
    int64_t img[XC_MAX_SPATIAL] = {0}, blk[XC_MAX_SPATIAL] = {0};
    size_t ni = 0, nb = 0;
    int known_img = xc_infer_input_ints(c, 1, img, XC_MAX_SPATIAL, &ni);
    int known_blk = xc_infer_input_ints(c, 2, blk, XC_MAX_SPATIAL, &nb);
    int64_t nsp = c->in[1].rank == 1 ? c->in[1].dims[0] : -1;
    if (nsp < 0 && c->in[2].rank == 1) nsp = c->in[2].dims[0];
    if (nsp > XC_MAX_SPATIAL) return xc_infer_unsupported(c, "%lld spatial axes (at most %d)", (long long)nsp, XC_MAX_SPATIAL);
    if (nsp == 0) return xc_infer_fail(c, "image_shape is empty");
    if (c->in[1].rank == 1 && c->in[2].rank == 1 && c->in[1].dims[0] >= 0 && c->in[2].dims[0] >= 0
        && c->in[1].dims[0] != c->in[2].dims[0])
        return xc_infer_fail(c, "image_shape has %lld values, block_shape %lld: they must match", (long long)c->in[1].dims[0],
                             (long long)c->in[2].dims[0]);
    if (nsp < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    int64_t dims[XC_MAX_RANK] = {x->rank == 3 ? x->dims[0] : -1, -1};
    for (int k = 0; k < nsp; k++) dims[2 + k] = known_img ? img[k] : -1;
    if (known_img)
        for (size_t k = 0; k < ni; k++)
            if (img[k] < 1) return xc_infer_fail(c, "image_shape[%zu] is %lld, must be >= 1", k, (long long)img[k]);
    if (known_blk) {
        int64_t prod = 1;
        for (size_t k = 0; k < nb; k++) {
            if (blk[k] < 1) return xc_infer_fail(c, "block_shape[%zu] is %lld, must be >= 1", k, (long long)blk[k]);
            XC_TRY(xc_mul_i64(c->node, "block size", prod, blk[k], &prod));
        }
        if (x->rank == 3 && x->dims[1] >= 0) {
            if (x->dims[1] % prod)
                return xc_infer_fail(c, "input has %lld rows, not a multiple of the block size %lld", (long long)x->dims[1],
                                     (long long)prod);
            dims[1] = x->dims[1] / prod;
        }
    }
    if (known_img && known_blk) {
        xc_window w;
        XC_TRY(xc_window_forward(c->node, (int)nsp, img, blk, &w));
        int64_t blocks = 1;
        for (int k = 0; k < nsp; k++) XC_TRY(xc_mul_i64(c->node, "block count", blocks, w.out[k], &blocks));
        XC_TRY(need_dim(c, 0, 2, blocks, "input (blocks)"));
    }
    xc_infer_set(c, 0, x->dtype, (int)nsp + 2, dims);
    return XC_OK;
}

/* The axes CenterCropPad works on: the attribute normalized, or every axis. */
static xc_status crop_axes(xc_infer_ctx *c, int rank, int *axes, int *n)
{
    const int64_t *v;
    size_t len;
    if (!xc_attr_ints(c->node, "axes", &v, &len)) {
        for (int k = 0; k < rank; k++) axes[k] = k;
        *n = rank;
        return XC_OK;
    }
    if (len > (size_t)rank) return xc_infer_fail(c, "axes has %zu values, more than the rank %d", len, rank);
    for (size_t k = 0; k < len; k++) {
        XC_TRY(xc_normalize_axis(c, v[k], rank, &axes[k]));
        for (size_t j = 0; j < k; j++)
            if (axes[j] == axes[k]) return xc_infer_fail(c, "axis %d is given twice in axes", axes[k]);
    }
    *n = (int)len;
    return XC_OK;
}

/* CenterCropPad: input_data with each listed axis cropped or padded (centered) to shape's value. */
static xc_status infer_center_crop_pad(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    XC_TRY(xc_infer_require_type(c, 1, INDEX_TYPES));
    XC_TRY(need_rank(c, 1, 1, "shape"));
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    int axes[XC_MAX_RANK] = {0}, n = 0;
    XC_TRY(crop_axes(c, x->rank, axes, &n));
    XC_TRY(need_dim(c, 1, 0, n, "shape"));
    int64_t dims[XC_MAX_RANK], sh[XC_MAX_RANK];
    size_t count = 0;
    int known = xc_infer_input_ints(c, 1, sh, XC_MAX_RANK, &count);
    memcpy(dims, x->dims, sizeof dims);
    for (int k = 0; k < n; k++) {
        dims[axes[k]] = known ? sh[k] : -1;
        if (known && sh[k] < 0) return xc_infer_fail(c, "shape[%d] is %lld, must be >= 0", k, (long long)sh[k]);
    }
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

/* MaxUnpool: X [N, C, spatial...] and its MaxPool indices -> [N, C, (in-1)*stride + kernel - pads]
 * per axis, or output_shape (opset 11) when given. */
static xc_status infer_max_unpool(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 1, I64));
    XC_TRY(xc_infer_require_type(c, 2, I64));
    const xc_type_shape *x = &c->in[0], *ind = &c->in[1];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    if (x->rank < 3) return xc_infer_fail(c, "X must have rank >= 3 (N, C, spatial...), has %d", x->rank);
    if (xc_infer_shape_known(x) && xc_infer_shape_known(ind)
        && (ind->rank != x->rank || memcmp(ind->dims, x->dims, sizeof *x->dims * x->rank))) {
        char sx[256], si[256];
        return xc_infer_fail(c, "I has shape %s, must match X's %s", xc_dims_str(ind->rank, ind->dims, si, sizeof si),
                             xc_dims_str(x->rank, x->dims, sx, sizeof sx));
    }
    xc_window w;
    XC_TRY(xc_window_transpose(c->node, x->rank - 2, x->dims + 2, NULL, &w));
    int64_t dims[XC_MAX_RANK] = {x->dims[0], x->dims[1]};
    for (int a = 0; a < w.nsp; a++) dims[2 + a] = w.out[a];
    if (c->n_in > 2 && c->in[2].present) {
        XC_TRY(need_rank(c, 2, 1, "output_shape"));
        XC_TRY(need_dim(c, 2, 0, x->rank, "output_shape"));
        int64_t os[XC_MAX_RANK] = {0};
        size_t n = 0;
        if (!xc_infer_input_ints(c, 2, os, XC_MAX_RANK, &n)) {
            for (int a = 0; a < x->rank; a++) dims[a] = -1;
        } else {
            for (int a = 0; a < x->rank; a++) {
                if (os[a] < 0) return xc_infer_fail(c, "output_shape[%d] is %lld, must be >= 0", a, (long long)os[a]);
                if (a < 2 && x->dims[a] >= 0 && os[a] != x->dims[a])
                    return xc_infer_fail(c, "output_shape[%d] is %lld, must be X's %lld", a, (long long)os[a],
                                         (long long)x->dims[a]);
                dims[a] = os[a];
            }
        }
    }
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

const xc_op_schema xc_schemas_vision[] = {
    {"NonMaxSuppression", 10, 2, 5, 1, 1, nms_attrs, infer_nms},
    {"RoiAlign", 10, 3, 3, 1, 1, roi_align_10, infer_roi_align},
    {"RoiAlign", 16, 3, 3, 1, 1, roi_align_16, infer_roi_align},
    {"MaxRoiPool", 1, 2, 2, 1, 1, max_roi_pool_attrs, infer_max_roi_pool},
    {"GridSample", 16, 2, 2, 1, 1, grid_sample_attrs, infer_grid_sample},
    {"AffineGrid", 20, 2, 2, 1, 1, affine_grid_attrs, infer_affine_grid},
    {"DeformConv", 19, 3, 5, 1, 1, deform_conv_attrs, infer_deform_conv},
    {"Col2Im", 18, 3, 3, 1, 1, col2im_attrs, infer_col2im},
    {"CenterCropPad", 18, 2, 2, 1, 1, center_crop_pad_attrs, infer_center_crop_pad},
    {"MaxUnpool", 9, 2, 2, 1, 1, max_unpool_attrs, infer_max_unpool},
    {"MaxUnpool", 11, 2, 3, 1, 1, max_unpool_attrs, infer_max_unpool},
    {0},
};

/* resize.c — schemas of Resize (opsets 10, 11, 13, 18) and Upsample (opsets 1, 7, 9), and the
 * resize "plan" (each axis' scale factor and output size) that the reference kernel shares.
 * Upsample and Resize-10 take scale factors only; Resize-11+ takes either scales or sizes
 * (optionally on a subset of axes, with keep_aspect_ratio_policy, from opset 18). */
#include "schema.h"
#include "plans.h"
#include <math.h>
#include <string.h>

static const xc_attr_spec upsample1_attrs[] = {
    {"mode", XC_ATTR_STRING, 0}, {"height_scale", XC_ATTR_FLOAT, 1}, {"width_scale", XC_ATTR_FLOAT, 1}, {NULL, 0, 0}};
static const xc_attr_spec upsample7_attrs[] = {{"mode", XC_ATTR_STRING, 0}, {"scales", XC_ATTR_FLOATS, 1}, {NULL, 0, 0}};
static const xc_attr_spec mode_attrs[] = {{"mode", XC_ATTR_STRING, 0}, {NULL, 0, 0}};
static const xc_attr_spec resize11_attrs[] = {{"coordinate_transformation_mode", XC_ATTR_STRING, 0},
                                              {"cubic_coeff_a", XC_ATTR_FLOAT, 0},
                                              {"exclude_outside", XC_ATTR_INT, 0},
                                              {"extrapolation_value", XC_ATTR_FLOAT, 0},
                                              {"mode", XC_ATTR_STRING, 0},
                                              {"nearest_mode", XC_ATTR_STRING, 0},
                                              {NULL, 0, 0}};
static const xc_attr_spec resize18_attrs[] = {{"antialias", XC_ATTR_INT, 0},
                                              {"axes", XC_ATTR_INTS, 0},
                                              {"coordinate_transformation_mode", XC_ATTR_STRING, 0},
                                              {"cubic_coeff_a", XC_ATTR_FLOAT, 0},
                                              {"exclude_outside", XC_ATTR_INT, 0},
                                              {"extrapolation_value", XC_ATTR_FLOAT, 0},
                                              {"keep_aspect_ratio_policy", XC_ATTR_STRING, 0},
                                              {"mode", XC_ATTR_STRING, 0},
                                              {"nearest_mode", XC_ATTR_STRING, 0},
                                              {NULL, 0, 0}};

static xc_status plan_fail(const xc_node *n, const char *msg)
{
    char lb[256];
    return xc_fail(XC_ERR_MODEL, "%s: %s", xc_node_label(n, lb, sizeof lb), msg);
}

/* Index of the node's scales input, or -1 where they are attributes (Upsample-1/7). */
static int scales_input(const xc_node *n)
{
    if (!strcmp(n->op_type, "Upsample")) return n->opset >= 9 ? 1 : -1;
    return n->opset >= 11 ? 2 : 1;
}

/* Input i when present and non-empty (empty scales/sizes/roi tensors stand for "omitted"). */
static const xc_tensor *given(const xc_node *n, const xc_tensor *const *in, int i)
{
    if (i < 0 || i >= n->n_inputs || !n->inputs[i][0] || !in[i] || !xc_tensor_numel(in[i])) return NULL;
    return in[i];
}

/* The resized axes: the `axes` attribute (opset 18+) or all of them. */
static xc_status resize_axes(const xc_node *n, int rank, int *axes, int *count)
{
    const int64_t *list;
    size_t len;
    if (!xc_attr_ints(n, "axes", &list, &len)) {
        for (int k = 0; k < rank; k++) axes[k] = k;
        *count = rank;
        return XC_OK;
    }
    int seen[XC_MAX_RANK] = {0};
    if (len > (size_t)rank) return plan_fail(n, "more axes than the input has dims");
    for (size_t k = 0; k < len; k++) {
        int64_t ax = list[k] < 0 ? list[k] + rank : list[k];
        if (ax < 0 || ax >= rank || seen[ax]++) return plan_fail(n, "axes must be distinct and within the input's rank");
        axes[k] = (int)ax;
    }
    *count = (int)len;
    return XC_OK;
}

/* The requested scale factors (attributes or input) into vals; 0 when none are given. */
static size_t requested_scales(const xc_node *n, const xc_tensor *scales, double *vals)
{
    const float *f;
    size_t count;
    if (scales) {
        count = xc_tensor_numel(scales);
        for (size_t k = 0; k < count && k < XC_MAX_RANK; k++) vals[k] = xc_load_f64(scales->dtype, scales->data, k);
        return count;
    }
    if (xc_attr_floats(n, "scales", &f, &count)) {
        for (size_t k = 0; k < count && k < XC_MAX_RANK; k++) vals[k] = f[k];
        return count;
    }
    if (!xc_node_attr(n, "height_scale")) return 0;
    vals[0] = vals[1] = 1; /* Upsample-1: NCHW, scaling H and W */
    vals[2] = xc_attr_float(n, "height_scale", 1);
    vals[3] = xc_attr_float(n, "width_scale", 1);
    return 4;
}

/* Output sizes from sizes[], keeping the aspect ratio over the resized axes when asked:
 * one scale for all of them (the smallest or the largest), sizes rounded half up. */
static xc_status plan_sizes(const xc_node *n, const xc_tensor *sizes, const int64_t *in_dims, const int *axes, int n_axes,
                            double *scale, int64_t *out_dims)
{
    const char *policy = xc_attr_string(n, "keep_aspect_ratio_policy", "stretch");
    int larger = !strcmp(policy, "not_larger"), smaller = !strcmp(policy, "not_smaller");
    double common = larger ? INFINITY : 0;
    for (int k = 0; k < n_axes; k++) {
        int ax = axes[k];
        int64_t size = xc_load_i64(sizes->dtype, sizes->data, k);
        if (size < 0) return plan_fail(n, "sizes must not be negative");
        if (in_dims[ax] == 0 && size > 0) return plan_fail(n, "an empty axis cannot be resized to a non-empty one");
        scale[ax] = in_dims[ax] > 0 ? (double)size / (double)in_dims[ax] : 1;
        out_dims[ax] = size;
        if (larger && scale[ax] < common) common = scale[ax];
        if (smaller && scale[ax] > common) common = scale[ax];
    }
    for (int k = 0; (larger || smaller) && k < n_axes; k++) {
        int ax = axes[k];
        scale[ax] = common;
        out_dims[ax] = in_dims[ax] < 0 ? -1 : (int64_t)(common * (double)in_dims[ax] + 0.5);
    }
    return XC_OK;
}

/* Per-axis scale factors and output dims (-1 where the input dim is unknown). Scales give
 * floor(in * scale); sizes give the scale size / in. Axes not resized keep scale 1. */
xc_status xc_resize_plan(const xc_node *n, int rank, const int64_t *in_dims, const xc_tensor *const *in, double *scale,
                         int64_t *out_dims)
{
    int axes[XC_MAX_RANK], n_axes;
    double vals[XC_MAX_RANK];
    XC_TRY(resize_axes(n, rank, axes, &n_axes));
    for (int k = 0; k < rank; k++) {
        scale[k] = 1;
        out_dims[k] = in_dims[k];
    }
    const xc_tensor *sizes = given(n, in, 3);
    size_t count = requested_scales(n, given(n, in, scales_input(n)), vals);
    if (count && sizes) return plan_fail(n, "only one of scales and sizes may be given");
    if (!count && !sizes) return plan_fail(n, "needs scales or sizes");
    if ((sizes ? xc_tensor_numel(sizes) : count) != (size_t)n_axes)
        return plan_fail(n, "the number of scales or sizes must equal the number of resized axes");
    if (sizes) return plan_sizes(n, sizes, in_dims, axes, n_axes, scale, out_dims);
    for (int k = 0; k < n_axes; k++) {
        int ax = axes[k];
        if (!(vals[k] > 0)) return plan_fail(n, "scales must be positive");
        scale[ax] = vals[k];
        double d = in_dims[ax] < 0 ? -1 : floor(vals[k] * (double)in_dims[ax]);
        if (!(d < 0x1p62)) /* also an infinite scale; the size limit refuses anything near this anyway */
            return xc_node_fail(n, XC_ERR_MODEL, "scale %g makes axis %d of size %lld too large", vals[k], ax,
                                (long long)in_dims[ax]);
        out_dims[ax] = (int64_t)d;
    }
    return XC_OK;
}

static int one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list)) return 1;
    return 0;
}

/* The string attributes must name modes that exist (for this op's version). */
static xc_status check_modes(xc_infer_ctx *c)
{
    static const char *const modes[] = {"nearest", "linear", "cubic", NULL};
    static const char *const upsample_modes[] = {"nearest", "linear", "bilinear", NULL};
    static const char *const coords[] = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                                         "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize", NULL};
    static const char *const nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil", NULL};
    static const char *const policies[] = {"stretch", "not_larger", "not_smaller", NULL};
    int legacy = scales_input(c->node) != 2;
    const struct {
        const char *attr, *def;
        const char *const *allowed;
    } checks[] = {
        {"mode", "nearest", legacy ? upsample_modes : modes},
        {"coordinate_transformation_mode", "half_pixel", coords},
        {"nearest_mode", "round_prefer_floor", nearest},
        {"keep_aspect_ratio_policy", "stretch", policies},
    };
    for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++) {
        const char *v = xc_attr_string(c->node, checks[k].attr, checks[k].def);
        if (!one_of(v, checks[k].allowed)) return xc_infer_fail(c, "unknown %s '%s'", checks[k].attr, v);
    }
    return XC_OK;
}

/* Output dims from the plan once scales/sizes are known; before that, the rank with unknown
 * dims (except on axes that the `axes` attribute leaves alone). */
static xc_status infer_resize(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_NUMERIC));
    XC_TRY(check_modes(c));
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    const xc_tensor *in[4] = {NULL, NULL, NULL, NULL};
    int unknown = 0;
    for (int i = 1; i < c->n_in && i < 4; i++) {
        in[i] = c->in[i].value;
        /* roi (input 1 of Resize-11+) does not affect the shape */
        unknown |= c->in[i].present && !in[i] && !(i == 1 && scales_input(c->node) == 2);
    }
    int64_t dims[XC_MAX_RANK];
    double scale[XC_MAX_RANK];
    if (!unknown) {
        XC_TRY(xc_resize_plan(c->node, x->rank, x->dims, in, scale, dims));
    } else {
        int axes[XC_MAX_RANK], n_axes;
        XC_TRY(resize_axes(c->node, x->rank, axes, &n_axes));
        memcpy(dims, x->dims, sizeof dims);
        for (int k = 0; k < n_axes; k++) dims[axes[k]] = -1;
    }
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

const xc_op_schema xc_schemas_resize[] = {
    {"Upsample", 1, 1, 1, 1, 1, upsample1_attrs, infer_resize}, {"Upsample", 7, 1, 1, 1, 1, upsample7_attrs, infer_resize},
    {"Upsample", 9, 2, 2, 1, 1, mode_attrs, infer_resize},      {"Resize", 10, 2, 2, 1, 1, mode_attrs, infer_resize},
    {"Resize", 11, 3, 4, 1, 1, resize11_attrs, infer_resize},   {"Resize", 13, 1, 4, 1, 1, resize11_attrs, infer_resize},
    {"Resize", 18, 1, 4, 1, 1, resize18_attrs, infer_resize},   {0},
};

/* ---- sampling rules shared by the reference kernel and the OpenCL movement kind ---- */

/* Index of s in list (the schema has rejected values that are not there). */
static int pick_name(const char *s, const char *const *list, int count)
{
    for (int k = 0; k < count; k++)
        if (!strcmp(s, list[k])) return k;
    return 0;
}

xc_resize_opts xc_resize_opts_of(const xc_node *n)
{
    static const char *const modes[] = {"nearest", "linear", "cubic"};
    static const char *const coords[] = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                                         "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
    static const char *const nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    const char *mode = xc_attr_string(n, "mode", "nearest");
    xc_resize_opts o = {
        .mode = !strcmp(mode, "bilinear") ? XC_INTERP_LINEAR : (xc_interp_mode)pick_name(mode, modes, 3),
        .coord = (xc_coord_mode)pick_name(xc_attr_string(n, "coordinate_transformation_mode", "half_pixel"), coords, 7),
        .nearest = (xc_nearest_mode)pick_name(xc_attr_string(n, "nearest_mode", "round_prefer_floor"), nearest, 4),
        .cubic_a = xc_attr_float(n, "cubic_coeff_a", -0.75f),
        .extrapolation = xc_attr_float(n, "extrapolation_value", 0),
        .exclude_outside = xc_attr_int(n, "exclude_outside", 0) != 0,
        .antialias = xc_attr_int(n, "antialias", 0) != 0,
    };
    if (!strcmp(n->op_type, "Upsample") || n->opset < 11) {
        o.coord = XC_COORD_ASYMMETRIC;
        o.nearest = XC_NEAREST_LEGACY;
    }
    return o;
}

/* Where output position y of an axis samples the input (in input coordinates). As in onnx's
 * reference (and its test data), align_corners and tf_crop_and_resize divide by the fractional
 * output length scale * in, not by the integer output size. */
double xc_resize_source(const xc_resize_opts *o, double y, double scale, int64_t in, int64_t out, const double *roi)
{
    double out_w = scale * (double)in;
    switch (o->coord) {
    case XC_COORD_HALF_PIXEL: return (y + 0.5) / scale - 0.5;
    case XC_COORD_HALF_PIXEL_SYMMETRIC: {
        double adjustment = (double)out / (scale * (double)in), offset = (double)in / 2 * (1 - adjustment);
        return offset + (y + 0.5) / scale - 0.5;
    }
    case XC_COORD_PYTORCH_HALF_PIXEL: return out > 1 ? (y + 0.5) / scale - 0.5 : 0;
    case XC_COORD_ALIGN_CORNERS: return out_w == 1 ? 0 : y * (double)(in - 1) / (out_w - 1);
    case XC_COORD_ASYMMETRIC: return y / scale;
    case XC_COORD_TF_HALF_PIXEL_FOR_NN: return (y + 0.5) / scale;
    case XC_COORD_TF_CROP_AND_RESIZE:
        if (out_w == 1) return 0.5 * (roi[0] + roi[1]) * (double)(in - 1);
        return y * (roi[1] - roi[0]) * (double)(in - 1) / (out_w - 1) + roi[0] * (double)(in - 1);
    }
    return 0;
}

/* The input position nearest mode picks for a non-integer coordinate x. */
double xc_resize_nearest(xc_nearest_mode m, double x, double scale)
{
    double f = floor(x), r = x - f;
    switch (m) {
    case XC_NEAREST_ROUND_PREFER_FLOOR: return r > 0.5 ? f + 1 : f;
    case XC_NEAREST_ROUND_PREFER_CEIL: return r >= 0.5 ? f + 1 : f;
    case XC_NEAREST_FLOOR: return f;
    case XC_NEAREST_CEIL: return f + 1;
    case XC_NEAREST_LEGACY: return scale < 1 ? f + 1 : f;
    }
    return f;
}

/* shape.c — schemas of the shape operators. Reshape, Flatten, Squeeze and Unsqueeze give their
 * input's data a new shape; Shape, Size, ConstantOfShape, Range and EyeLike build tensors from
 * shapes and scalars. Shapes that depend on input values (Reshape's target, Unsqueeze's axes,
 * Range's bounds, ...) are computed here whenever the values are known, which is always the case
 * at run time, so the kernels only fill buffers. */
#include "schema.h"
#include "checked.h"
#include "plans.h"
#include <math.h>
#include <string.h>

/* Whether an int list is absent, given but not known yet (load time), or known. */
typedef enum { LIST_ABSENT, LIST_UNKNOWN, LIST_KNOWN } list_state;

/* Reads the int list an op takes as attribute `attr` before opset `since` and as input `i` from
 * then on (attr NULL: always an input). At most XC_MAX_RANK values: the lists read here are
 * shapes or axes. */
static xc_status int_list(xc_infer_ctx *c, int since, const char *attr, int i, int64_t *vals, size_t *count, list_state *state)
{
    *state = LIST_ABSENT;
    *count = 0;
    if (attr && c->opset < since) {
        const int64_t *v;
        if (!xc_attr_ints(c->node, attr, &v, count)) return XC_OK;
        if (*count > XC_MAX_RANK)
            return xc_infer_unsupported(c, "'%s' has %zu values; crosscheck supports rank <= %d", attr, *count, XC_MAX_RANK);
        for (size_t k = 0; k < *count; k++) vals[k] = v[k];
        *state = LIST_KNOWN;
        return XC_OK;
    }
    if (i >= c->n_in || !c->in[i].present) return XC_OK;
    const xc_tensor *t = c->in[i].value;
    *state = LIST_UNKNOWN;
    xc_dtype dt = t ? t->dtype : c->in[i].dtype; /* the spec says int64: int32 is refused, known value or not */
    if (dt != XC_UNDEFINED && dt != XC_INT64)
        return xc_infer_fail(c, "input '%s' must be an int64 tensor, not %s", c->node->inputs[i], xc_dtype_name(dt));
    if (!t) return XC_OK;
    if (xc_tensor_numel(t) > XC_MAX_RANK)
        return xc_infer_unsupported(c, "input '%s' has %zu values; crosscheck supports rank <= %d", c->node->inputs[i],
                                    xc_tensor_numel(t), XC_MAX_RANK);
    xc_infer_input_ints(c, i, vals, XC_MAX_RANK, count);
    *state = LIST_KNOWN;
    return XC_OK;
}

/* Output o gets dtype t and the rank given by the length of the 1-D input i (whose values are
 * not known yet), with every dim unknown. */
static void rank_from_length(xc_infer_ctx *c, int o, xc_dtype t, int i)
{
    const xc_type_shape *s = &c->in[i];
    int64_t dims[XC_MAX_RANK];
    if (s->rank != 1 || s->dims[0] < 0 || s->dims[0] > XC_MAX_RANK) {
        xc_infer_unknown(c, o, t);
        return;
    }
    for (int k = 0; k < s->dims[0]; k++) dims[k] = -1;
    xc_infer_set(c, o, t, (int)s->dims[0], dims);
}

/* Product of dims[from..to), or -1 when one of them is unknown. */
static xc_status dims_product(xc_infer_ctx *c, const int64_t *dims, int from, int to, int64_t *prod)
{
    *prod = 1;
    for (int k = from; k < to; k++) {
        if (dims[k] < 0) {
            *prod = -1;
            return XC_OK;
        }
        XC_TRY(xc_mul_i64(c->node, "element count", *prod, dims[k], prod));
    }
    return XC_OK;
}

/* Reshape: 0 copies the input's dim (unless allowzero), one -1 takes what is left. */
static xc_status infer_reshape(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int64_t dims[XC_MAX_RANK];
    size_t n;
    list_state st;
    XC_TRY(int_list(c, 5, "shape", 1, dims, &n, &st));
    if (st == LIST_ABSENT) return xc_infer_fail(c, "needs the 'shape' attribute");
    if (st == LIST_UNKNOWN) {
        rank_from_length(c, 0, x->dtype, 1);
        return XC_OK;
    }
    int allowzero = xc_attr_int(c->node, "allowzero", 0) != 0, rest = -1;
    for (int k = 0; k < (int)n; k++) {
        if (dims[k] == 0 && !allowzero) {
            if (x->rank >= 0 && k >= x->rank) return xc_infer_fail(c, "shape copies dim %d of a rank-%d input", k, x->rank);
            dims[k] = x->rank < 0 ? -1 : x->dims[k];
        } else if (dims[k] == -1) {
            if (rest >= 0) return xc_infer_fail(c, "shape has more than one -1");
            rest = k;
            dims[k] = 1; /* placeholder, so the product below covers the other dims */
        } else if (dims[k] < -1) {
            return xc_infer_fail(c, "shape has the invalid dim %lld", (long long)dims[k]);
        }
    }
    int64_t total = -1, given;
    if (x->rank >= 0) XC_TRY(dims_product(c, x->dims, 0, x->rank, &total));
    XC_TRY(dims_product(c, dims, 0, (int)n, &given));
    char sx[256], sy[256];
    if (rest >= 0) {
        int solvable = total >= 0 && given >= 0;
        if (solvable && given == 0) return xc_infer_fail(c, "cannot infer the -1 dim next to a 0 dim");
        dims[rest] = solvable && total % given == 0 ? total / given : -1;
        if (solvable && dims[rest] < 0)
            return xc_infer_fail(c, "cannot reshape %s into %s", xc_dims_str(x->rank, x->dims, sx, sizeof sx),
                                 xc_dims_str((int)n, dims, sy, sizeof sy));
    } else if (total >= 0 && given >= 0 && total != given) {
        return xc_infer_fail(c, "cannot reshape %s into %s", xc_dims_str(x->rank, x->dims, sx, sizeof sx),
                             xc_dims_str((int)n, dims, sy, sizeof sy));
    }
    xc_infer_set(c, 0, x->dtype, (int)n, dims);
    return XC_OK;
}

/* Flatten: 2-D [prod(dims before axis), prod(dims from axis)]; axis in [-r, r]. */
static xc_status infer_flatten(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int64_t dims[2] = {-1, -1}, axis = xc_attr_int(c->node, "axis", 1);
    if (x->rank >= 0) {
        if (axis < -x->rank || axis > x->rank)
            return xc_infer_fail(c, "axis %lld is out of range for rank %d", (long long)axis, x->rank);
        if (axis < 0) axis += x->rank;
        XC_TRY(dims_product(c, x->dims, 0, (int)axis, &dims[0]));
        XC_TRY(dims_product(c, x->dims, (int)axis, x->rank, &dims[1]));
    }
    xc_infer_set(c, 0, x->dtype, 2, dims);
    return XC_OK;
}

/* Squeeze: drops the listed axes (which must have size 1), or every size-1 axis. */
static xc_status infer_squeeze(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int64_t axes[XC_MAX_RANK], dims[XC_MAX_RANK];
    size_t n;
    list_state st;
    XC_TRY(int_list(c, 13, "axes", 1, axes, &n, &st));
    int drop[XC_MAX_RANK] = {0}, r = 0;
    for (int k = 0; k < x->rank && st == LIST_ABSENT; k++) {
        if (x->dims[k] < 0) st = LIST_UNKNOWN; /* whether it has size 1 decides the rank */
        drop[k] = x->dims[k] == 1;
    }
    if (x->rank < 0 || st == LIST_UNKNOWN) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    for (size_t i = 0; i < n; i++) {
        int k;
        XC_TRY(xc_normalize_axis(c, axes[i], x->rank, &k));
        if (x->dims[k] > 1 || x->dims[k] == 0)
            return xc_infer_fail(c, "cannot squeeze axis %d of size %lld", k, (long long)x->dims[k]);
        drop[k] = 1;
    }
    for (int k = 0; k < x->rank; k++)
        if (!drop[k]) dims[r++] = x->dims[k];
    xc_infer_set(c, 0, x->dtype, r, dims);
    return XC_OK;
}

/* Unsqueeze: inserts size-1 axes at the listed positions of the output. */
static xc_status infer_unsqueeze(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int64_t axes[XC_MAX_RANK], dims[XC_MAX_RANK];
    size_t n;
    list_state st;
    XC_TRY(int_list(c, 13, "axes", 1, axes, &n, &st));
    if (st == LIST_ABSENT) return xc_infer_fail(c, "needs axes");
    if (x->rank < 0 || st == LIST_UNKNOWN) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    int r = x->rank + (int)n, added[XC_MAX_RANK] = {0};
    if (r > XC_MAX_RANK) return xc_infer_unsupported(c, "output rank %d exceeds %d", r, XC_MAX_RANK);
    for (size_t i = 0; i < n; i++) {
        int k;
        XC_TRY(xc_normalize_axis(c, axes[i], r, &k));
        if (added[k]) return xc_infer_fail(c, "axis %d is listed twice", k);
        added[k] = 1;
    }
    for (int k = 0, j = 0; k < r; k++) dims[k] = added[k] ? 1 : x->dims[j++];
    xc_infer_set(c, 0, x->dtype, r, dims);
    return XC_OK;
}

static int clamp_axis(int64_t axis, int rank)
{
    if (axis < 0) axis += rank;
    return axis < 0 ? 0 : axis > rank ? rank : (int)axis;
}

/* The axes [start, end) whose sizes Shape returns for a rank-`rank` input: opset 15's start and
 * end attributes, clamped to [0, rank]. Shared with the kernel in reference/ops/shape.c. */
void xc_shape_axes(const xc_node *n, int rank, int *start, int *end)
{
    *start = clamp_axis(xc_attr_int(n, "start", 0), rank);
    *end = clamp_axis(xc_attr_int(n, "end", rank), rank);
    if (*end < *start) *end = *start;
}

static xc_status infer_shape(xc_infer_ctx *c)
{
    int64_t len = -1;
    if (c->in[0].rank >= 0) {
        int start, end;
        xc_shape_axes(c->node, c->in[0].rank, &start, &end);
        len = end - start;
    }
    xc_infer_set(c, 0, XC_INT64, 1, &len);
    return XC_OK;
}

static xc_status infer_size(xc_infer_ctx *c)
{
    xc_infer_set(c, 0, XC_INT64, 0, NULL);
    return XC_OK;
}

/* ConstantOfShape: the shape comes from input 0, the dtype from the one-element `value`. */
static xc_status infer_constant_of_shape(xc_infer_ctx *c)
{
    const xc_attr *v = xc_node_attr(c->node, "value");
    if (v && xc_tensor_numel(v->t) != 1) return xc_infer_fail(c, "'value' must hold exactly one element");
    xc_dtype t = v ? v->t->dtype : XC_FLOAT;
    int64_t dims[XC_MAX_RANK];
    size_t n;
    list_state st;
    XC_TRY(int_list(c, 0, NULL, 0, dims, &n, &st));
    if (st == LIST_UNKNOWN) {
        rank_from_length(c, 0, t, 0);
        return XC_OK;
    }
    for (size_t k = 0; k < n; k++)
        if (dims[k] < 0) return xc_infer_fail(c, "shape has the negative dim %lld", (long long)dims[k]);
    xc_infer_set(c, 0, t, (int)n, dims);
    return XC_OK;
}

/* Element count of integer Range: max(ceil((limit - start) / delta), 0), exactly. */
static xc_status range_count_int(xc_infer_ctx *c, int64_t start, int64_t limit, int64_t delta, int64_t *n)
{
    int64_t diff, q = 0;
    XC_TRY(xc_sub_i64(c->node, "limit - start", limit, start, &diff));
    XC_TRY(xc_div_i64(c->node, "the element count (limit - start) / delta", diff, delta, &q));
    if (diff % delta && (diff < 0) == (delta < 0)) q++; /* a remainder means |delta| >= 2: q + 1 fits */
    *n = q > 0 ? q : 0;
    return XC_OK;
}

/* Range's element count, computed as the spec writes it (floats in double). */
static xc_status range_count(xc_infer_ctx *c, int64_t *n)
{
    const xc_tensor *start = c->in[0].value, *limit = c->in[1].value, *delta = c->in[2].value;
    if (xc_dtype_is_int(start->dtype)) {
        int64_t d = xc_load_i64(delta->dtype, delta->data, 0);
        if (!d) return xc_infer_fail(c, "delta is 0");
        return range_count_int(c, xc_load_i64(start->dtype, start->data, 0), xc_load_i64(limit->dtype, limit->data, 0), d, n);
    }
    double s = xc_load_f64(start->dtype, start->data, 0), l = xc_load_f64(limit->dtype, limit->data, 0);
    double d = xc_load_f64(delta->dtype, delta->data, 0);
    if (d == 0) return xc_infer_fail(c, "delta is 0");
    double q = ceil((l - s) / d);
    if (!(q < 9007199254740992.0)) return xc_infer_fail(c, "element count %g is not a valid size", q);
    *n = q > 0 ? (int64_t)q : 0;
    return XC_OK;
}

static xc_status infer_range(xc_infer_ctx *c)
{
    uint32_t mask = XC_BIT(XC_FLOAT) | XC_BIT(XC_DOUBLE) | XC_BIT(XC_INT16) | XC_BIT(XC_INT32) | XC_BIT(XC_INT64);
    if (c->opset >= 27) mask |= XC_BIT(XC_FLOAT16) | XC_BIT(XC_BFLOAT16);
    int64_t stash = xc_attr_int(c->node, "stash_type", XC_FLOAT);
    if (stash != XC_FLOAT && stash != XC_DOUBLE) return xc_infer_unsupported(c, "stash_type %lld", (long long)stash);
    int known = 1;
    for (int i = 0; i < 3; i++) {
        XC_TRY(xc_infer_require_type(c, i, mask));
        if (c->in[i].dtype != c->in[0].dtype) return xc_infer_fail(c, "start, limit and delta must share one dtype");
        if (c->in[i].value && xc_tensor_numel(c->in[i].value) != 1)
            return xc_infer_fail(c, "input '%s' must be a scalar", c->node->inputs[i]);
        known &= c->in[i].value != NULL;
    }
    int64_t n = -1;
    if (known) XC_TRY(range_count(c, &n));
    xc_infer_set(c, 0, c->in[0].dtype, 1, &n);
    return XC_OK;
}

/* EyeLike: a 2-D tensor shaped like the input, ones on diagonal k, dtype from the attribute. */
static xc_status infer_eye_like(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    if (x->rank >= 0 && x->rank != 2) return xc_infer_fail(c, "input must be 2-D, has rank %d", x->rank);
    int64_t t = xc_attr_int(c->node, "dtype", x->dtype);
    if (t < 0 || t >= 32 || !(XC_T_ALL & XC_BIT(t))) return xc_infer_unsupported(c, "dtype %lld", (long long)t);
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = (xc_dtype)t;
    return XC_OK;
}

static const xc_attr_spec reshape1_attrs[] = {{"shape", XC_ATTR_INTS, 0}, {"consumed_inputs", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec reshape14_attrs[] = {{"allowzero", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec axis_attrs[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec axes_attrs[] = {{"axes", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec axes_required_attrs[] = {{"axes", XC_ATTR_INTS, 1}, {NULL, 0, 0}};
static const xc_attr_spec shape15_attrs[] = {{"start", XC_ATTR_INT, 0}, {"end", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec value_attrs[] = {{"value", XC_ATTR_TENSOR, 0}, {NULL, 0, 0}};
static const xc_attr_spec range27_attrs[] = {{"stash_type", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec eye_like_attrs[] = {{"dtype", XC_ATTR_INT, 0}, {"k", XC_ATTR_INT, 0}, {NULL, 0, 0}};

const xc_op_schema xc_schemas_shape[] = {
    {"Reshape", 1, 1, 1, 1, 1, reshape1_attrs, infer_reshape},
    {"Reshape", 5, 2, 2, 1, 1, NULL, infer_reshape},
    {"Reshape", 14, 2, 2, 1, 1, reshape14_attrs, infer_reshape},
    {"Flatten", 1, 1, 1, 1, 1, axis_attrs, infer_flatten},
    {"Squeeze", 1, 1, 1, 1, 1, axes_attrs, infer_squeeze},
    {"Squeeze", 13, 1, 2, 1, 1, NULL, infer_squeeze},
    {"Unsqueeze", 1, 1, 1, 1, 1, axes_required_attrs, infer_unsqueeze},
    {"Unsqueeze", 13, 2, 2, 1, 1, NULL, infer_unsqueeze},
    {"Shape", 1, 1, 1, 1, 1, NULL, infer_shape},
    {"Shape", 15, 1, 1, 1, 1, shape15_attrs, infer_shape},
    {"Size", 1, 1, 1, 1, 1, NULL, infer_size},
    {"ConstantOfShape", 9, 1, 1, 1, 1, value_attrs, infer_constant_of_shape},
    {"Range", 11, 3, 3, 1, 1, NULL, infer_range},
    {"Range", 27, 3, 3, 1, 1, range27_attrs, infer_range},
    {"EyeLike", 9, 1, 1, 1, 1, eye_like_attrs, infer_eye_like},
    {0},
};

/* misc.c — schemas of operators that fit no other family: Compress (keep the slices a boolean
 * condition selects), ReverseSequence (reverse each batch entry's first sequence_lens steps),
 * TensorScatter (write an update into a KV cache at per-batch positions), BitCast (reinterpret
 * the bytes as another type of the same width), SwiGLU (A * sigmoid(alpha * A) * B) and Det
 * (determinants of the trailing square matrices). */
#include "schema.h"
#include <string.h>

static const xc_attr_spec compress_attrs[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec reverse_attrs[] = {{"batch_axis", XC_ATTR_INT, 0}, {"time_axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec scatter_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"mode", XC_ATTR_STRING, 0}, {NULL, 0, 0}};
static const xc_attr_spec bitcast_attrs[] = {{"to", XC_ATTR_INT, 1}, {NULL, 0, 0}};
static const xc_attr_spec swiglu_attrs[] = {{"alpha", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};

static int dims_clash(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }

/* The output keeps input i's kept slices along axis (or its flattened elements without one):
 * as many as the condition's true entries when the condition is known. */
static xc_status infer_compress(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    XC_TRY(xc_infer_require_type(c, 1, XC_BIT(XC_BOOL)));
    const xc_type_shape *x = &c->in[0], *cond = &c->in[1];
    if (cond->rank >= 0 && cond->rank != 1) return xc_infer_fail(c, "condition must be 1-D, got rank %d", cond->rank);
    int64_t kept = -1;
    if (cond->value) {
        kept = 0;
        for (size_t k = 0; k < xc_tensor_numel(cond->value); k++) kept += ((const uint8_t *)cond->value->data)[k] != 0;
    }
    if (!xc_node_attr(c->node, "axis")) {
        xc_infer_set(c, 0, x->dtype, 1, &kept);
        return XC_OK;
    }
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    int axis;
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 0), x->rank, &axis));
    xc_infer_copy(c, 0, 0);
    c->out[0].dims[axis] = kept;
    return XC_OK;
}

static xc_status infer_reverse_sequence(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    XC_TRY(xc_infer_require_type(c, 1, XC_BIT(XC_INT64)));
    int64_t b = xc_attr_int(c->node, "batch_axis", 1), t = xc_attr_int(c->node, "time_axis", 0);
    if ((b != 0 && b != 1) || (t != 0 && t != 1) || b == t)
        return xc_infer_fail(c, "batch_axis %lld and time_axis %lld must be 0 and 1 in some order", (long long)b, (long long)t);
    const xc_type_shape *x = &c->in[0], *lens = &c->in[1];
    if (x->rank >= 0 && x->rank < 2) return xc_infer_fail(c, "input must have rank >= 2, got %d", x->rank);
    if (lens->rank >= 0 && (lens->rank != 1 || (x->rank >= 0 && dims_clash(lens->dims[0], x->dims[b]))))
        return xc_infer_fail(c, "sequence_lens must be 1-D with one length per batch entry");
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

static xc_status infer_tensor_scatter(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    XC_TRY(xc_infer_require_type(c, 2, XC_BIT(XC_INT64)));
    const char *mode = xc_attr_string(c->node, "mode", "linear");
    if (strcmp(mode, "linear") && strcmp(mode, "circular")) return xc_infer_fail(c, "mode '%s' is not linear or circular", mode);
    const xc_type_shape *x = &c->in[0], *u = &c->in[1];
    if (x->dtype && u->dtype && x->dtype != u->dtype)
        return xc_infer_fail(c, "update is %s but past_cache is %s", xc_dtype_name(u->dtype), xc_dtype_name(x->dtype));
    if (x->rank >= 0) {
        int axis;
        XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", -2), x->rank, &axis));
        if (axis == 0) return xc_infer_fail(c, "axis must not be the batch axis 0");
        if (u->rank >= 0 && u->rank != x->rank)
            return xc_infer_fail(c, "update has rank %d but past_cache has %d", u->rank, x->rank);
        for (int k = 0; u->rank >= 0 && k < x->rank; k++)
            if (k == axis ? u->dims[k] >= 0 && x->dims[k] >= 0 && u->dims[k] > x->dims[k] : dims_clash(u->dims[k], x->dims[k]))
                return xc_infer_fail(c, "update dim %d is %lld, past_cache has %lld", k, (long long)u->dims[k],
                                     (long long)x->dims[k]);
    }
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

static xc_status infer_bitcast(xc_infer_ctx *c)
{
    int64_t to = xc_attr_int(c->node, "to", 0);
    if (to <= 0 || to >= XC_DTYPE_COUNT) return xc_infer_fail(c, "'to' %lld is not a tensor type", (long long)to);
    if (to == XC_STRING || !xc_dtype_supported((xc_dtype)to))
        return xc_infer_unsupported(c, "BitCast to %s is not supported", xc_dtype_name((xc_dtype)to));
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    xc_dtype t = c->in[0].dtype;
    if (t && xc_dtype_size(t) != xc_dtype_size((xc_dtype)to))
        return xc_infer_fail(c, "%s and %s differ in width", xc_dtype_name(t), xc_dtype_name((xc_dtype)to));
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = (xc_dtype)to;
    return XC_OK;
}

static xc_status infer_swiglu(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    const xc_type_shape *a = &c->in[0], *b = &c->in[1];
    if (a->dtype && b->dtype && a->dtype != b->dtype)
        return xc_infer_fail(c, "A is %s but B is %s", xc_dtype_name(a->dtype), xc_dtype_name(b->dtype));
    if (a->rank >= 0 && b->rank >= 0) {
        int clash = a->rank != b->rank;
        for (int k = 0; !clash && k < a->rank; k++) clash = dims_clash(a->dims[k], b->dims[k]);
        if (clash) return xc_infer_fail(c, "A and B must have the same shape (no broadcasting)");
    }
    xc_infer_copy(c, 0, a->rank >= 0 ? 0 : 1);
    c->out[0].dtype = a->dtype;
    return XC_OK;
}

static xc_status infer_det(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    if (x->rank < 2 || dims_clash(x->dims[x->rank - 1], x->dims[x->rank - 2]))
        return xc_infer_fail(c, "input must end in square matrices [..., M, M]");
    xc_infer_set(c, 0, x->dtype, x->rank - 2, x->dims);
    return XC_OK;
}

const xc_op_schema xc_schemas_misc[] = {
    {"Compress", 9, 2, 2, 1, 1, compress_attrs, infer_compress},
    {"ReverseSequence", 10, 2, 2, 1, 1, reverse_attrs, infer_reverse_sequence},
    {"TensorScatter", 24, 2, 3, 1, 1, scatter_attrs, infer_tensor_scatter},
    {"BitCast", 26, 1, 1, 1, 1, bitcast_attrs, infer_bitcast},
    {"SwiGLU", 28, 2, 2, 1, 1, swiglu_attrs, infer_swiglu},
    {"Det", 11, 1, 1, 1, 1, NULL, infer_det},
    {0},
};

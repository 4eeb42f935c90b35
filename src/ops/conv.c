/* conv.c — schemas of Conv and ConvTranspose. Versions 1, 11 and 22 differ only in wording and
 * in admitting bfloat16, so one entry per op covers opsets 1..28. */
#include "conv_geom.h"

const xc_attr_spec xc_conv_attrs[] = {
    {"auto_pad", XC_ATTR_STRING, 0},
    {"dilations", XC_ATTR_INTS, 0},
    {"group", XC_ATTR_INT, 0},
    {"kernel_shape", XC_ATTR_INTS, 0},
    {"pads", XC_ATTR_INTS, 0},
    {"strides", XC_ATTR_INTS, 0},
    {NULL, 0, 0},
};

static const xc_attr_spec conv_transpose_attrs[] = {
    {"auto_pad", XC_ATTR_STRING, 0},   {"dilations", XC_ATTR_INTS, 0},      {"group", XC_ATTR_INT, 0},
    {"kernel_shape", XC_ATTR_INTS, 0}, {"output_padding", XC_ATTR_INTS, 0}, {"output_shape", XC_ATTR_INTS, 0},
    {"pads", XC_ATTR_INTS, 0},         {"strides", XC_ATTR_INTS, 0},        {NULL, 0, 0},
};

/* Shape of input i as rank dims, -1 everywhere when its rank is unknown. */
static void dims_or_unknown(const xc_type_shape *t, int rank, int64_t *dims)
{
    for (int k = 0; k < rank; k++) dims[k] = t->rank >= 0 ? t->dims[k] : -1;
}

static xc_status check_dtypes(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    xc_dtype t = c->in[0].dtype;
    for (int i = 1; i < c->n_in; i++)
        if (c->in[i].present && t != XC_UNDEFINED && c->in[i].dtype != XC_UNDEFINED && c->in[i].dtype != t)
            return xc_infer_fail(c, "input %d has dtype %s but X has %s", i, xc_dtype_name(c->in[i].dtype), xc_dtype_name(t));
    return XC_OK;
}

/* B, when given, is one value per output channel. */
static xc_status check_bias(xc_infer_ctx *c, int64_t out_channels)
{
    if (c->n_in < 3 || !c->in[2].present || c->in[2].rank < 0) return XC_OK;
    const xc_type_shape *b = &c->in[2];
    char got[128];
    if (b->rank != 1 || (out_channels >= 0 && b->dims[0] >= 0 && b->dims[0] != out_channels))
        return xc_infer_fail(c, "B has shape %s, expected one value per output channel (%lld)",
                             xc_dims_str(b->rank, b->dims, got, sizeof got), (long long)out_channels);
    return XC_OK;
}

/* Conv: W is [M, C/group, k...]; ConvTranspose: W is [C, M/group, k...]. Output [N, M, spatial...]. */
static xc_status infer_conv_like(xc_infer_ctx *c, int transpose)
{
    const xc_type_shape *x = &c->in[0], *wt = &c->in[1];
    XC_TRY(check_dtypes(c));
    int rank = x->rank >= 0 ? x->rank : wt->rank;
    if (rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    if (rank < 3) return xc_infer_fail(c, "X and W must have rank >= 3 (N, C, spatial...), got %d", rank);
    if (x->rank >= 0 && wt->rank >= 0 && x->rank != wt->rank)
        return xc_infer_fail(c, "X has rank %d but W has rank %d", x->rank, wt->rank);
    int64_t group = xc_attr_int(c->node, "group", 1), xd[XC_MAX_RANK], wd[XC_MAX_RANK];
    if (group < 1) return xc_infer_fail(c, "group is %lld", (long long)group);
    dims_or_unknown(x, rank, xd);
    dims_or_unknown(wt, rank, wd);
    int64_t w_in = transpose ? wd[0] : wd[1] < 0 ? -1 : wd[1] * group;
    int64_t m = transpose ? (wd[1] < 0 ? -1 : wd[1] * group) : wd[0];
    if (xd[1] >= 0 && w_in >= 0 && xd[1] != w_in)
        return xc_infer_fail(c, "X has %lld channels but W expects %lld (group %lld)", (long long)xd[1], (long long)w_in,
                             (long long)group);
    int64_t split = transpose ? xd[1] : m; /* the channel count group must divide */
    if (split >= 0 && split % group)
        return xc_infer_fail(c, "%lld %s channels are not divisible by group %lld", (long long)split,
                             transpose ? "input" : "output", (long long)group);
    XC_TRY(check_bias(c, m));
    xc_window w;
    if (transpose)
        XC_TRY(xc_window_transpose(c->node, rank - 2, xd + 2, wd + 2, &w));
    else
        XC_TRY(xc_window_forward(c->node, rank - 2, xd + 2, wd + 2, &w));
    int64_t dims[XC_MAX_RANK] = {xd[0], m};
    for (int a = 0; a < rank - 2; a++) dims[2 + a] = w.out[a];
    xc_infer_set(c, 0, x->dtype, rank, dims);
    return XC_OK;
}

static xc_status infer_conv(xc_infer_ctx *c) { return infer_conv_like(c, 0); }
static xc_status infer_conv_transpose(xc_infer_ctx *c) { return infer_conv_like(c, 1); }

const xc_op_schema xc_schemas_conv[] = {
    {"Conv", 1, 2, 3, 1, 1, xc_conv_attrs, infer_conv},
    {"ConvTranspose", 1, 2, 3, 1, 1, conv_transpose_attrs, infer_conv_transpose},
    {0},
};

/* random.c — schemas of the random generators: RandomUniform and RandomNormal (shape from the
 * `shape` attribute), RandomUniformLike and RandomNormalLike (shape, and dtype unless given,
 * from the input) and Bernoulli (one 0/1 draw per input probability). */
#include "schema.h"

#define RANDOM_ATTRS                                                                                                             \
    {"dtype", XC_ATTR_INT, 0}, { "seed", XC_ATTR_FLOAT, 0 }
static const xc_attr_spec uniform_attrs[] = {
    RANDOM_ATTRS, {"high", XC_ATTR_FLOAT, 0}, {"low", XC_ATTR_FLOAT, 0}, {"shape", XC_ATTR_INTS, 1}, {NULL, 0, 0}};
static const xc_attr_spec normal_attrs[] = {
    RANDOM_ATTRS, {"mean", XC_ATTR_FLOAT, 0}, {"scale", XC_ATTR_FLOAT, 0}, {"shape", XC_ATTR_INTS, 1}, {NULL, 0, 0}};
static const xc_attr_spec uniform_like_attrs[] = {
    RANDOM_ATTRS, {"high", XC_ATTR_FLOAT, 0}, {"low", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec normal_like_attrs[] = {
    RANDOM_ATTRS, {"mean", XC_ATTR_FLOAT, 0}, {"scale", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec bernoulli_attrs[] = {RANDOM_ATTRS, {NULL, 0, 0}};

/* The dtype attribute (def when absent) must be in mask. */
static xc_status out_dtype(xc_infer_ctx *c, xc_dtype def, uint32_t mask, xc_dtype *t)
{
    int64_t v = xc_attr_int(c->node, "dtype", def);
    if (!xc_node_attr(c->node, "dtype") && def == XC_UNDEFINED) v = XC_UNDEFINED;
    if (v != XC_UNDEFINED && (v < 0 || v >= 32 || !(mask & XC_BIT(v))))
        return xc_infer_fail(c, "dtype %lld is not one this op can produce", (long long)v);
    *t = (xc_dtype)v;
    return XC_OK;
}

/* low <= high (uniform) and scale >= 0 (normal). */
static xc_status check_params(xc_infer_ctx *c)
{
    float low = xc_attr_float(c->node, "low", 0), high = xc_attr_float(c->node, "high", 1);
    float scale = xc_attr_float(c->node, "scale", 1);
    if (!(low <= high)) return xc_infer_fail(c, "low %g is above high %g", low, high);
    if (!(scale >= 0)) return xc_infer_fail(c, "scale %g is negative", scale);
    return XC_OK;
}

static xc_status infer_random(xc_infer_ctx *c)
{
    xc_dtype t;
    XC_TRY(out_dtype(c, XC_FLOAT, XC_T_FLOATS, &t));
    XC_TRY(check_params(c));
    const int64_t *shape;
    size_t rank = 0;
    xc_attr_ints(c->node, "shape", &shape, &rank);
    if (rank > XC_MAX_RANK) return xc_infer_unsupported(c, "shape has rank %zu, more than %d", rank, XC_MAX_RANK);
    for (size_t k = 0; k < rank; k++)
        if (shape[k] < 0) return xc_infer_fail(c, "shape[%zu] is %lld", k, (long long)shape[k]);
    xc_infer_set(c, 0, t, (int)rank, shape);
    return XC_OK;
}

static xc_status infer_random_like(xc_infer_ctx *c)
{
    xc_dtype t;
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    XC_TRY(out_dtype(c, XC_UNDEFINED, XC_T_FLOATS, &t));
    if (t == XC_UNDEFINED && c->in[0].dtype && !(XC_T_FLOATS & XC_BIT(c->in[0].dtype)))
        return xc_infer_fail(c, "input is %s: give a float dtype attribute", xc_dtype_name(c->in[0].dtype));
    XC_TRY(check_params(c));
    xc_infer_copy(c, 0, 0);
    if (t != XC_UNDEFINED) c->out[0].dtype = t;
    return XC_OK;
}

static xc_status infer_bernoulli(xc_infer_ctx *c)
{
    xc_dtype t;
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(out_dtype(c, XC_UNDEFINED, XC_T_ALL, &t));
    xc_infer_copy(c, 0, 0);
    if (t != XC_UNDEFINED) c->out[0].dtype = t;
    return XC_OK;
}

const xc_op_schema xc_schemas_random[] = {
    {"RandomUniform", 1, 0, 0, 1, 1, uniform_attrs, infer_random},
    {"RandomNormal", 1, 0, 0, 1, 1, normal_attrs, infer_random},
    {"RandomUniformLike", 1, 1, 1, 1, 1, uniform_like_attrs, infer_random_like},
    {"RandomNormalLike", 1, 1, 1, 1, 1, normal_like_attrs, infer_random_like},
    {"Bernoulli", 15, 1, 1, 1, 1, bernoulli_attrs, infer_bernoulli},
    {0},
};

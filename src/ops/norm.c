/* norm.c — schemas of the normalization operators: BatchNormalization (inference only),
 * InstanceNormalization, GroupNormalization, LayerNormalization, RMSNormalization, LRN,
 * LpNormalization and MeanVarianceNormalization. Every output has the input's shape except
 * LayerNormalization's optional Mean and InvStdDev, which keep the leading dims up to `axis`. */
#include "schema.h"

/* Fails unless every present input (when its dtype is known) is a float type. */
static xc_status require_floats(xc_infer_ctx *c)
{
    for (int i = 0; i < c->n_in; i++) XC_TRY(xc_infer_require_type(c, i, XC_T_FLOATS));
    return XC_OK;
}

/* Fails unless input i (when its shape is known) has exactly the shape (rank, dims); unknown
 * dims on either side match. */
static xc_status require_shape(xc_infer_ctx *c, int i, int rank, const int64_t *dims)
{
    const xc_type_shape *p = &c->in[i];
    int ok = p->rank < 0 || p->rank == rank;
    for (int k = 0; ok && p->rank >= 0 && k < rank; k++) ok = p->dims[k] < 0 || dims[k] < 0 || p->dims[k] == dims[k];
    if (ok) return XC_OK;
    char got[256], want[256];
    return xc_infer_fail(c, "input '%s' has shape %s, expected %s", c->node->inputs[i],
                         xc_dims_str(p->rank, p->dims, got, sizeof got), xc_dims_str(rank, dims, want, sizeof want));
}

/* Fails unless input i (when present and known) broadcasts unidirectionally to (rank, dims). */
static xc_status require_broadcasts_to(xc_infer_ctx *c, int i, int rank, const int64_t *dims)
{
    const xc_type_shape *p = &c->in[i];
    if (!p->present || p->rank < 0) return XC_OK;
    int ok = 1;
    for (int k = 0; ok && k < p->rank; k++) {
        int t = k - p->rank + rank; /* the target dim this one aligns with, from the right */
        int64_t d = p->dims[k];
        ok = d == 1 || d < 0 || (t >= 0 && (dims[t] < 0 || d == dims[t]));
    }
    if (ok) return XC_OK;
    char got[256], want[256];
    return xc_infer_fail(c, "input '%s' of shape %s does not broadcast to the normalized shape %s", c->node->inputs[i],
                         xc_dims_str(p->rank, p->dims, got, sizeof got), xc_dims_str(rank, dims, want, sizeof want));
}

/* Fails unless X (when its rank is known) has at least the batch and channel dims. */
static xc_status require_channels(xc_infer_ctx *c)
{
    if (c->in[0].rank >= 0 && c->in[0].rank < 2)
        return xc_infer_fail(c, "input must have rank >= 2 (N x C x ...), has rank %d", c->in[0].rank);
    return XC_OK;
}

/* BatchNormalization-1..7 with spatial=0 takes per-activation parameters shaped like X[1:];
 * otherwise scale, B, mean and var are per channel, shaped [C]. */
static xc_status infer_batchnorm(xc_infer_ctx *c)
{
    XC_TRY(require_floats(c));
    XC_TRY(require_channels(c));
    if (c->opset >= 14 && xc_attr_int(c->node, "training_mode", 0))
        return xc_infer_unsupported(c, "training_mode=1 is not supported (inference only)");
    for (int o = 1; o < c->n_out; o++)
        if (c->out[o].present)
            return xc_infer_unsupported(c, "training-mode output %d ('%s') is not supported (inference only)", o,
                                        c->node->outputs[o]);
    const xc_type_shape *x = &c->in[0];
    int spatial = c->opset >= 9 || xc_attr_int(c->node, "spatial", 1);
    int param_rank = spatial ? 1 : x->rank - 1;
    for (int i = 1; x->rank >= 0 && i < 5; i++) XC_TRY(require_shape(c, i, param_rank, &x->dims[1]));
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

/* GroupNormalization splits the C channels into num_groups groups and normalizes each group
 * of each sample. Opset 18 takes scale and bias per group, opset 21 per channel. */
static xc_status infer_group_norm(xc_infer_ctx *c)
{
    XC_TRY(require_floats(c));
    XC_TRY(require_channels(c));
    int64_t groups = xc_attr_int(c->node, "num_groups", 0);
    if (groups <= 0) return xc_infer_fail(c, "num_groups must be positive, is %lld", (long long)groups);
    const xc_type_shape *x = &c->in[0];
    if (x->rank >= 0 && x->dims[1] >= 0 && x->dims[1] % groups)
        return xc_infer_fail(c, "%lld channels cannot be split into %lld groups", (long long)x->dims[1], (long long)groups);
    if (x->rank >= 0) {
        const int64_t *params = c->opset >= 21 ? &x->dims[1] : &groups;
        XC_TRY(require_shape(c, 1, 1, params));
        XC_TRY(require_shape(c, 2, 1, params));
    }
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

/* InstanceNormalization: each channel of each sample is normalized; scale and B are [C]. */
static xc_status infer_instance_norm(xc_infer_ctx *c)
{
    XC_TRY(require_floats(c));
    XC_TRY(require_channels(c));
    if (c->in[0].rank >= 0) {
        XC_TRY(require_shape(c, 1, 1, &c->in[0].dims[1]));
        XC_TRY(require_shape(c, 2, 1, &c->in[0].dims[1]));
    }
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

/* LayerNormalization and RMSNormalization normalize over the dims [axis, rank). Scale and B
 * broadcast to those dims. Mean and InvStdDev (LayerNormalization only) have dtype stash_type
 * and X's shape with the normalized dims set to 1. */
static xc_status infer_axis_norm(xc_infer_ctx *c)
{
    XC_TRY(require_floats(c));
    int64_t stash = xc_attr_int(c->node, "stash_type", XC_FLOAT);
    if (stash < 0 || stash >= 32 || !(XC_T_FLOATS & XC_BIT(stash)))
        return xc_infer_unsupported(c, "stash_type %lld is not a supported float type", (long long)stash);
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        for (int o = 1; o < c->n_out; o++) xc_infer_unknown(c, o, (xc_dtype)stash);
        return XC_OK;
    }
    int axis;
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", -1), x->rank, &axis));
    for (int i = 1; i < c->n_in; i++) XC_TRY(require_broadcasts_to(c, i, x->rank - axis, &x->dims[axis]));
    xc_infer_copy(c, 0, 0);
    int64_t stat_dims[XC_MAX_RANK];
    for (int k = 0; k < x->rank; k++) stat_dims[k] = k < axis ? x->dims[k] : 1;
    for (int o = 1; o < c->n_out; o++) xc_infer_set(c, o, (xc_dtype)stash, x->rank, stat_dims);
    return XC_OK;
}

static xc_status infer_lrn(xc_infer_ctx *c)
{
    XC_TRY(require_floats(c));
    XC_TRY(require_channels(c));
    int64_t size = xc_attr_int(c->node, "size", 0);
    if (size <= 0) return xc_infer_fail(c, "size must be positive, is %lld", (long long)size);
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

static xc_status infer_lp_norm(xc_infer_ctx *c)
{
    XC_TRY(require_floats(c));
    int64_t p = xc_attr_int(c->node, "p", 2);
    if (p != 1 && p != 2) return xc_infer_fail(c, "p must be 1 or 2, is %lld", (long long)p);
    if (c->in[0].rank >= 0) {
        int axis;
        XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", -1), c->in[0].rank, &axis));
    }
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

/* MeanVarianceNormalization normalizes over `axes` (default [0, 2, 3]). */
static xc_status infer_mvn(xc_infer_ctx *c)
{
    XC_TRY(require_floats(c));
    static const int64_t default_axes[] = {0, 2, 3};
    const int64_t *axes = default_axes;
    size_t n_axes = 3;
    xc_attr_ints(c->node, "axes", &axes, &n_axes);
    for (size_t k = 0; c->in[0].rank >= 0 && k < n_axes; k++) {
        int axis;
        XC_TRY(xc_normalize_axis(c, axes[k], c->in[0].rank, &axis));
    }
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

static const xc_attr_spec batchnorm1_attrs[] = {
    {"consumed_inputs", XC_ATTR_INTS, 1}, {"epsilon", XC_ATTR_FLOAT, 0}, {"is_test", XC_ATTR_INT, 0},
    {"momentum", XC_ATTR_FLOAT, 0},       {"spatial", XC_ATTR_INT, 0},   {NULL, 0, 0},
};
static const xc_attr_spec batchnorm6_attrs[] = {
    {"epsilon", XC_ATTR_FLOAT, 0},
    {"is_test", XC_ATTR_INT, 0},
    {"momentum", XC_ATTR_FLOAT, 0},
    {"spatial", XC_ATTR_INT, 0},
    {NULL, 0, 0},
};
static const xc_attr_spec batchnorm7_attrs[] = {
    {"epsilon", XC_ATTR_FLOAT, 0},
    {"momentum", XC_ATTR_FLOAT, 0},
    {"spatial", XC_ATTR_INT, 0},
    {NULL, 0, 0},
};
static const xc_attr_spec batchnorm9_attrs[] = {
    {"epsilon", XC_ATTR_FLOAT, 0},
    {"momentum", XC_ATTR_FLOAT, 0},
    {NULL, 0, 0},
};
static const xc_attr_spec batchnorm14_attrs[] = {
    {"epsilon", XC_ATTR_FLOAT, 0},
    {"momentum", XC_ATTR_FLOAT, 0},
    {"training_mode", XC_ATTR_INT, 0},
    {NULL, 0, 0},
};
static const xc_attr_spec instance_norm1_attrs[] = {
    {"consumed_inputs", XC_ATTR_INTS, 0},
    {"epsilon", XC_ATTR_FLOAT, 0},
    {NULL, 0, 0},
};
static const xc_attr_spec epsilon_attrs[] = {{"epsilon", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec group_norm18_attrs[] = {
    {"epsilon", XC_ATTR_FLOAT, 0},
    {"num_groups", XC_ATTR_INT, 1},
    {NULL, 0, 0},
};
static const xc_attr_spec group_norm21_attrs[] = {
    {"epsilon", XC_ATTR_FLOAT, 0},
    {"num_groups", XC_ATTR_INT, 1},
    {"stash_type", XC_ATTR_INT, 0},
    {NULL, 0, 0},
};
static const xc_attr_spec axis_norm_attrs[] = {
    {"axis", XC_ATTR_INT, 0},
    {"epsilon", XC_ATTR_FLOAT, 0},
    {"stash_type", XC_ATTR_INT, 0},
    {NULL, 0, 0},
};
static const xc_attr_spec lrn_attrs[] = {
    {"alpha", XC_ATTR_FLOAT, 0}, {"beta", XC_ATTR_FLOAT, 0}, {"bias", XC_ATTR_FLOAT, 0}, {"size", XC_ATTR_INT, 1}, {NULL, 0, 0},
};
static const xc_attr_spec lp_norm_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"p", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec mvn_attrs[] = {{"axes", XC_ATTR_INTS, 0}, {NULL, 0, 0}};

/* Versions not listed (BatchNormalization-15, InstanceNormalization-22, LRN-13,
 * LpNormalization-22, MeanVarianceNormalization-13) only widened the allowed dtypes. */
const xc_op_schema xc_schemas_norm[] = {
    {"BatchNormalization", 1, 5, 5, 1, 5, batchnorm1_attrs, infer_batchnorm},
    {"BatchNormalization", 6, 5, 5, 1, 5, batchnorm6_attrs, infer_batchnorm},
    {"BatchNormalization", 7, 5, 5, 1, 5, batchnorm7_attrs, infer_batchnorm},
    {"BatchNormalization", 9, 5, 5, 1, 5, batchnorm9_attrs, infer_batchnorm},
    {"BatchNormalization", 14, 5, 5, 1, 3, batchnorm14_attrs, infer_batchnorm},
    {"InstanceNormalization", 1, 3, 3, 1, 1, instance_norm1_attrs, infer_instance_norm},
    {"InstanceNormalization", 6, 3, 3, 1, 1, epsilon_attrs, infer_instance_norm},
    {"GroupNormalization", 18, 3, 3, 1, 1, group_norm18_attrs, infer_group_norm},
    {"GroupNormalization", 21, 3, 3, 1, 1, group_norm21_attrs, infer_group_norm},
    {"LayerNormalization", 17, 2, 3, 1, 3, axis_norm_attrs, infer_axis_norm},
    {"RMSNormalization", 23, 2, 2, 1, 1, axis_norm_attrs, infer_axis_norm},
    {"LRN", 1, 1, 1, 1, 1, lrn_attrs, infer_lrn},
    {"LpNormalization", 1, 1, 1, 1, 1, lp_norm_attrs, infer_lp_norm},
    {"MeanVarianceNormalization", 9, 1, 1, 1, 1, mvn_attrs, infer_mvn},
    {0},
};

/* gather.c — schemas of the indexing ops that read or write elements at positions given by an
 * index tensor: Gather, GatherElements, GatherND, ScatterElements (and its deprecated opset-9
 * name Scatter) and ScatterND. Index values are checked by the kernels, not here: at load time
 * they are usually unknown, and the output shapes never depend on them. */
#include "schema.h"
#include <string.h>

#define XC_T_INDEX (XC_BIT(XC_INT32) | XC_BIT(XC_INT64))

static const xc_attr_spec axis_attrs[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec batch_dims_attrs[] = {{"batch_dims", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec scatter_elements_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"reduction", XC_ATTR_STRING, 0}, {NULL, 0, 0}};
static const xc_attr_spec reduction_attrs[] = {{"reduction", XC_ATTR_STRING, 0}, {NULL, 0, 0}};

/* data, indices (and updates for scatters) must be known types; the indices must be int32/int64. */
static xc_status check_types(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    XC_TRY(xc_infer_require_type(c, 1, XC_T_INDEX));
    if (c->n_in > 2 && c->in[2].dtype != XC_UNDEFINED && c->in[0].dtype != XC_UNDEFINED && c->in[2].dtype != c->in[0].dtype)
        return xc_infer_fail(c, "updates are %s but data is %s", xc_dtype_name(c->in[2].dtype), xc_dtype_name(c->in[0].dtype));
    return XC_OK;
}

/* Output = data.shape[:axis] + indices.shape + data.shape[axis+1:]. */
static xc_status infer_gather(xc_infer_ctx *c)
{
    XC_TRY(check_types(c));
    const xc_type_shape *data = &c->in[0], *idx = &c->in[1];
    if (data->rank < 0 || idx->rank < 0) {
        xc_infer_unknown(c, 0, data->dtype);
        return XC_OK;
    }
    if (data->rank == 0) return xc_infer_fail(c, "data must have rank >= 1");
    int axis, rank = data->rank - 1 + idx->rank;
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 0), data->rank, &axis));
    if (rank > XC_MAX_RANK) return xc_infer_unsupported(c, "output rank %d exceeds %d", rank, XC_MAX_RANK);
    int64_t dims[XC_MAX_RANK];
    int r = 0;
    for (int k = 0; k < axis; k++) dims[r++] = data->dims[k];
    for (int k = 0; k < idx->rank; k++) dims[r++] = idx->dims[k];
    for (int k = axis + 1; k < data->rank; k++) dims[r++] = data->dims[k];
    xc_infer_set(c, 0, data->dtype, rank, dims);
    return XC_OK;
}

/* GatherElements/ScatterElements: indices have data's rank and may not exceed data's extent on
 * the axes other than `axis` (those coordinates are used as they are). */
static xc_status check_elements_shapes(xc_infer_ctx *c)
{
    const xc_type_shape *data = &c->in[0], *idx = &c->in[1];
    if (data->rank < 0 || idx->rank < 0) return XC_OK;
    if (data->rank == 0) return xc_infer_fail(c, "data must have rank >= 1");
    if (idx->rank != data->rank) return xc_infer_fail(c, "indices have rank %d but data has rank %d", idx->rank, data->rank);
    int axis;
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 0), data->rank, &axis));
    for (int k = 0; k < data->rank; k++)
        if (k != axis && idx->dims[k] >= 0 && data->dims[k] >= 0 && idx->dims[k] > data->dims[k])
            return xc_infer_fail(c, "indices dim %d is %lld, larger than data's %lld", k, (long long)idx->dims[k],
                                 (long long)data->dims[k]);
    return XC_OK;
}

static xc_status infer_gather_elements(xc_infer_ctx *c)
{
    XC_TRY(check_types(c));
    XC_TRY(check_elements_shapes(c));
    xc_infer_copy(c, 0, 1);
    c->out[0].dtype = c->in[0].dtype;
    return XC_OK;
}

/* GatherND: output = indices.shape[:-1] + data.shape[batch_dims + indices.shape[-1]:]. */
static xc_status infer_gather_nd(xc_infer_ctx *c)
{
    XC_TRY(check_types(c));
    const xc_type_shape *data = &c->in[0], *idx = &c->in[1];
    int64_t b = xc_attr_int(c->node, "batch_dims", 0);
    if (idx->rank == 0) return xc_infer_fail(c, "indices must have rank >= 1");
    if (data->rank < 0 || idx->rank < 0 || idx->dims[idx->rank - 1] < 0) {
        xc_infer_unknown(c, 0, data->dtype);
        return XC_OK;
    }
    int64_t last = idx->dims[idx->rank - 1];
    if (b < 0 || b >= data->rank || b >= idx->rank)
        return xc_infer_fail(c, "batch_dims %lld must be below both ranks (%d, %d)", (long long)b, data->rank, idx->rank);
    if (last < 1 || last > data->rank - b)
        return xc_infer_fail(c, "indices' last dim %lld must be in [1, %lld]", (long long)last, (long long)(data->rank - b));
    for (int k = 0; k < b; k++)
        if (data->dims[k] >= 0 && idx->dims[k] >= 0 && data->dims[k] != idx->dims[k])
            return xc_infer_fail(c, "batch dim %d differs: data %lld, indices %lld", k, (long long)data->dims[k],
                                 (long long)idx->dims[k]);
    int64_t dims[XC_MAX_RANK];
    int r = 0;
    for (int k = 0; k < idx->rank - 1; k++) dims[r++] = idx->dims[k];
    for (int k = (int)(b + last); k < data->rank; k++) dims[r++] = data->dims[k];
    xc_infer_set(c, 0, data->dtype, r, dims);
    return XC_OK;
}

static xc_status check_reduction(xc_infer_ctx *c)
{
    static const char *const known[] = {"none", "add", "mul", "max", "min"};
    const char *r = xc_attr_string(c->node, "reduction", "none");
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (!strcmp(r, known[k])) return XC_OK;
    return xc_infer_fail(c, "unknown reduction '%s'", r);
}

static int same_shape_where_known(const xc_type_shape *a, const xc_type_shape *b)
{
    if (a->rank < 0 || b->rank < 0) return 1;
    if (a->rank != b->rank) return 0;
    for (int k = 0; k < a->rank; k++)
        if (a->dims[k] >= 0 && b->dims[k] >= 0 && a->dims[k] != b->dims[k]) return 0;
    return 1;
}

static xc_status infer_scatter_elements(xc_infer_ctx *c)
{
    XC_TRY(check_types(c));
    XC_TRY(check_reduction(c));
    XC_TRY(check_elements_shapes(c));
    if (!same_shape_where_known(&c->in[1], &c->in[2])) return xc_infer_fail(c, "updates must have the shape of indices");
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

/* ScatterND: updates.shape = indices.shape[:-1] + data.shape[indices.shape[-1]:]. */
static xc_status infer_scatter_nd(xc_infer_ctx *c)
{
    XC_TRY(check_types(c));
    XC_TRY(check_reduction(c));
    const xc_type_shape *data = &c->in[0], *idx = &c->in[1], *upd = &c->in[2];
    xc_infer_copy(c, 0, 0);
    if (data->rank < 0 || idx->rank < 0 || upd->rank < 0) return XC_OK;
    if (idx->rank == 0) return xc_infer_fail(c, "indices must have rank >= 1");
    int64_t last = idx->dims[idx->rank - 1];
    if (last < 0) return XC_OK;
    if (last < 1 || last > data->rank)
        return xc_infer_fail(c, "indices' last dim %lld must be in [1, %d]", (long long)last, data->rank);
    int want_rank = idx->rank - 1 + data->rank - (int)last;
    if (upd->rank != want_rank) return xc_infer_fail(c, "updates have rank %d, expected %d", upd->rank, want_rank);
    for (int k = 0; k < want_rank; k++) {
        int64_t want = k < idx->rank - 1 ? idx->dims[k] : data->dims[last + k - (idx->rank - 1)];
        if (want >= 0 && upd->dims[k] >= 0 && want != upd->dims[k])
            return xc_infer_fail(c, "updates dim %d is %lld, expected %lld", k, (long long)upd->dims[k], (long long)want);
    }
    return XC_OK;
}

/* One entry per version range whose attributes differ; later versions only widened the type
 * lists (bfloat16) or added the reduction modes listed in the attribute. */
const xc_op_schema xc_schemas_gather[] = {
    {"Gather", 1, 2, 2, 1, 1, axis_attrs, infer_gather},
    {"GatherElements", 11, 2, 2, 1, 1, axis_attrs, infer_gather_elements},
    {"GatherND", 11, 2, 2, 1, 1, NULL, infer_gather_nd},
    {"GatherND", 12, 2, 2, 1, 1, batch_dims_attrs, infer_gather_nd},
    {"Scatter", 9, 3, 3, 1, 1, axis_attrs, infer_scatter_elements},
    {"ScatterElements", 11, 3, 3, 1, 1, axis_attrs, infer_scatter_elements},
    {"ScatterElements", 16, 3, 3, 1, 1, scatter_elements_attrs, infer_scatter_elements},
    {"ScatterND", 11, 3, 3, 1, 1, NULL, infer_scatter_nd},
    {"ScatterND", 16, 3, 3, 1, 1, reduction_attrs, infer_scatter_nd},
    {0},
};

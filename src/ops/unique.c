/* unique.c — schema of Unique: the distinct elements of X (or, with `axis`, its distinct
 * slices along that axis), sorted ascending (lexicographically for slices) or in order of first
 * occurrence, with each one's first index, every element's index into Y, and the counts. Every
 * size but inverse_indices' depends on the data, so those dims stay unknown until run time. */
#include "schema.h"

static const xc_attr_spec unique_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"sorted", XC_ATTR_INT, 0}, {NULL, 0, 0}};

static xc_status infer_unique(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_ALL));
    const xc_type_shape *x = &c->in[0];
    int64_t unknown = -1, total = -1;
    if (xc_infer_shape_known(x)) {
        total = 1;
        for (int k = 0; k < x->rank; k++) total *= x->dims[k];
    }
    if (!xc_node_attr(c->node, "axis")) {
        xc_infer_set(c, 0, x->dtype, 1, &unknown);
    } else if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
    } else {
        int axis;
        XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 0), x->rank, &axis));
        xc_infer_copy(c, 0, 0);
        c->out[0].dims[axis] = -1;
        total = x->dims[axis];
    }
    if (c->n_out > 1) xc_infer_set(c, 1, XC_INT64, 1, &unknown);
    if (c->n_out > 2) xc_infer_set(c, 2, XC_INT64, 1, &total);
    if (c->n_out > 3) xc_infer_set(c, 3, XC_INT64, 1, &unknown);
    return XC_OK;
}

const xc_op_schema xc_schemas_unique[] = {
    {"Unique", 11, 1, 1, 1, 4, unique_attrs, infer_unique},
    {0},
};

/* softmax.c — schemas of Softmax, LogSoftmax and Hardmax.
 *
 * Opsets 1 and 11 coerce the input to 2D at `axis` (default 1) and normalize each row of the
 * flattened trailing block; opset 13 normalizes along the single axis `axis` (default -1). The
 * shape is unchanged either way, so one inference function serves every version. */
#include "schema.h"

static const xc_attr_spec softmax_attrs[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};

static xc_status infer_softmax(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    if (c->in[0].rank >= 0) {
        int axis;
        XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", c->opset >= 13 ? -1 : 1), c->in[0].rank, &axis));
    }
    xc_infer_copy(c, 0, 0);
    return XC_OK;
}

const xc_op_schema xc_schemas_softmax[] = {
    {"Softmax", 1, 1, 1, 1, 1, softmax_attrs, infer_softmax},
    {"Softmax", 13, 1, 1, 1, 1, softmax_attrs, infer_softmax},
    {"LogSoftmax", 1, 1, 1, 1, 1, softmax_attrs, infer_softmax},
    {"LogSoftmax", 13, 1, 1, 1, 1, softmax_attrs, infer_softmax},
    {"Hardmax", 1, 1, 1, 1, 1, softmax_attrs, infer_softmax},
    {"Hardmax", 13, 1, 1, 1, 1, softmax_attrs, infer_softmax},
    {0},
};

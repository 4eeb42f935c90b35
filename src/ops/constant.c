/* constant.c — schema of Constant: exactly one of its value attributes gives the tensor. */
#include "schema.h"
#include <string.h>

static const xc_attr_spec constant_attrs[] = {
    {"value", XC_ATTR_TENSOR, 0},
    {"value_float", XC_ATTR_FLOAT, 0},
    {"value_floats", XC_ATTR_FLOATS, 0},
    {"value_int", XC_ATTR_INT, 0},
    {"value_ints", XC_ATTR_INTS, 0},
    {"value_string", XC_ATTR_STRING, 0},
    {"value_strings", XC_ATTR_STRINGS, 0},
    {"sparse_value", XC_ATTR_SPARSE_TENSOR, 0},
    {NULL, 0, 0},
};

static xc_status infer_constant(xc_infer_ctx *c)
{
    const xc_node *n = c->node;
    if (n->n_attrs != 1) return xc_infer_fail(c, "needs exactly one value attribute, has %d", n->n_attrs);
    const xc_attr *a = &n->attrs[0];
    int64_t count = (int64_t)a->n;
    if (!strcmp(a->name, "value"))
        xc_infer_set(c, 0, a->t->dtype, a->t->rank, a->t->dims);
    else if (!strcmp(a->name, "value_float"))
        xc_infer_set(c, 0, XC_FLOAT, 0, NULL);
    else if (!strcmp(a->name, "value_int"))
        xc_infer_set(c, 0, XC_INT64, 0, NULL);
    else if (!strcmp(a->name, "value_floats"))
        xc_infer_set(c, 0, XC_FLOAT, 1, &count);
    else if (!strcmp(a->name, "value_ints"))
        xc_infer_set(c, 0, XC_INT64, 1, &count);
    else
        return xc_infer_unsupported(c, "attribute '%s' (string or sparse constants) is not supported", a->name);
    return XC_OK;
}

const xc_op_schema xc_schemas_constant[] = {
    {"Constant", 1, 0, 0, 1, 1, constant_attrs, infer_constant},
    {0},
};

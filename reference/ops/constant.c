/* constant.c — reference kernel of Constant: copies the attribute's value. */
#include "ref.h"
#include <string.h>

static xc_status ref_constant(xc_ref_args *a)
{
    const xc_attr *at = &a->node->attrs[0];
    xc_tensor *y = a->out[0];
    if (!strcmp(at->name, "value")) {
        if (y->nbytes) memcpy(y->data, at->t->data, y->nbytes);
    } else if (!strcmp(at->name, "value_float")) {
        ((float *)y->data)[0] = at->f;
    } else if (!strcmp(at->name, "value_int")) {
        ((int64_t *)y->data)[0] = at->i;
    } else if (!strcmp(at->name, "value_floats")) {
        if (at->n) memcpy(y->data, at->floats, sizeof(float) * at->n);
    } else if (!strcmp(at->name, "value_ints")) {
        if (at->n) memcpy(y->data, at->ints, sizeof(int64_t) * at->n);
    }
    return XC_OK;
}

const xc_ref_kernel xc_ref_constant[] = {
    {"Constant", ref_constant},
    {0},
};

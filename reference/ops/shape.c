/* shape.c — reference kernels of the shape operators. The schemas (src/ops/shape.c) already
 * computed every output shape, so Reshape and its kin copy bytes, and the generators fill
 * their preallocated outputs. */
#include "ref.h"
#include <string.h>

#include "ops/plans.h"

/* Reshape, Flatten, Squeeze, Unsqueeze: same bytes, the shape inference gave the new shape. */
static xc_status ref_same_data(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    if (y->nbytes != x->nbytes) return xc_ref_fail(a, XC_ERR_INTERNAL, "output and input sizes differ");
    if (y->nbytes) memcpy(y->data, x->data, y->nbytes);
    return XC_OK;
}

static xc_status ref_shape(xc_ref_args *a)
{
    int start, end;
    xc_shape_axes(a->node, a->in[0]->rank, &start, &end);
    int64_t *y = a->out[0]->data;
    for (int k = start; k < end; k++) y[k - start] = a->in[0]->dims[k];
    return XC_OK;
}

static xc_status ref_size(xc_ref_args *a)
{
    *(int64_t *)a->out[0]->data = (int64_t)xc_tensor_numel(a->in[0]);
    return XC_OK;
}

/* Every element is a copy of the `value` attribute's one element (default: float 0, which the
 * zero-filled output already holds). */
static xc_status ref_constant_of_shape(xc_ref_args *a)
{
    const xc_attr *v = xc_node_attr(a->node, "value");
    xc_tensor *y = a->out[0];
    if (!v) return XC_OK;
    size_t esz = xc_dtype_size(y->dtype), n = xc_tensor_numel(y);
    for (size_t i = 0; i < n; i++) memcpy((char *)y->data + i * esz, v->t->data, esz);
    return XC_OK;
}

/* output[i] = start + i * delta, exactly for ints; floats compute in double, float16/bfloat16 in
 * the stash type (float by default), as the spec and its numpy reference do. */
static xc_status ref_range(xc_ref_args *a)
{
    const xc_tensor *start = a->in[0], *delta = a->in[2];
    xc_tensor *y = a->out[0];
    size_t n = xc_tensor_numel(y);
    xc_dtype t = y->dtype;
    if (xc_dtype_is_int(t)) {
        int64_t s = xc_load_i64(t, start->data, 0), d = xc_load_i64(t, delta->data, 0);
        for (size_t i = 0; i < n; i++) xc_store_i64(t, y->data, i, s + (int64_t)i * d);
    } else if ((t == XC_FLOAT16 || t == XC_BFLOAT16) && xc_attr_int(a->node, "stash_type", XC_FLOAT) == XC_FLOAT) {
        float s = xc_load_f32(t, start->data, 0), d = xc_load_f32(t, delta->data, 0);
        for (size_t i = 0; i < n; i++) xc_store_f32(t, y->data, i, s + (float)i * d);
    } else {
        double s = xc_load_f64(t, start->data, 0), d = xc_load_f64(t, delta->data, 0);
        for (size_t i = 0; i < n; i++) xc_store_f64(t, y->data, i, s + (double)i * d);
    }
    return XC_OK;
}

/* Ones at (i, i + k), zeros (from the zero-filled output) elsewhere. */
static xc_status ref_eye_like(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    int64_t rows = y->dims[0], cols = y->dims[1], k = xc_attr_int(a->node, "k", 0);
    for (int64_t i = 0; i < rows; i++)
        if (k >= -i && k < cols - i) xc_store_f64(y->dtype, y->data, (size_t)(i * cols + i + k), 1.0);
    return XC_OK;
}

const xc_ref_kernel xc_ref_shape[] = {
    {"Reshape", ref_same_data},
    {"Flatten", ref_same_data},
    {"Squeeze", ref_same_data},
    {"Unsqueeze", ref_same_data},
    {"Shape", ref_shape},
    {"Size", ref_size},
    {"ConstantOfShape", ref_constant_of_shape},
    {"Range", ref_range},
    {"EyeLike", ref_eye_like},
    {0},
};

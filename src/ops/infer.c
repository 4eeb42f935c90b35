/* infer.c — helpers shared by the operators' type and shape inference functions. */
#include "schema.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

xc_status xc_infer_fail(const xc_infer_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xc_status s = xc_node_vfail(c->node, XC_ERR_MODEL, fmt, ap);
    va_end(ap);
    return s;
}

xc_status xc_infer_unsupported(const xc_infer_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xc_status s = xc_node_vfail(c->node, XC_ERR_UNSUPPORTED, fmt, ap);
    va_end(ap);
    return s;
}

xc_status xc_infer_require_type(xc_infer_ctx *c, int i, uint32_t mask)
{
    if (i >= c->n_in || !c->in[i].present || c->in[i].dtype == XC_UNDEFINED) return XC_OK;
    xc_dtype t = c->in[i].dtype;
    if ((unsigned)t < 32 && (mask & XC_BIT(t))) return XC_OK;
    return xc_infer_unsupported(c, "input %d ('%s') has dtype %s, which this op does not support", i, c->node->inputs[i],
                                xc_dtype_name(t));
}

void xc_infer_copy(xc_infer_ctx *c, int o, int i)
{
    c->out[o].dtype = c->in[i].dtype;
    c->out[o].kind = c->in[i].kind;
    c->out[o].rank = c->in[i].rank;
    memcpy(c->out[o].dims, c->in[i].dims, sizeof c->out[o].dims);
}

void xc_infer_set(xc_infer_ctx *c, int o, xc_dtype t, int rank, const int64_t *dims)
{
    c->out[o].dtype = t;
    c->out[o].rank = rank;
    for (int k = 0; k < rank; k++) c->out[o].dims[k] = dims[k];
}

void xc_infer_unknown(xc_infer_ctx *c, int o, xc_dtype t)
{
    c->out[o].dtype = t;
    c->out[o].rank = -1;
}

int xc_infer_shape_known(const xc_type_shape *t)
{
    if (t->rank < 0) return 0;
    for (int k = 0; k < t->rank; k++)
        if (t->dims[k] < 0) return 0;
    return 1;
}

xc_status xc_broadcast_shape(int ra, const int64_t *a, int rb, const int64_t *b, int *rank, int64_t *out)
{
    int r = ra > rb ? ra : rb;
    int64_t dims[XC_MAX_RANK]; /* out may alias a or b */
    for (int k = 0; k < r; k++) {
        int64_t da = k < r - ra ? 1 : a[k - (r - ra)];
        int64_t db = k < r - rb ? 1 : b[k - (r - rb)];
        if (da == db || db == 1)
            dims[k] = da;
        else if (da == 1)
            dims[k] = db;
        else if (da < 0 || db < 0)
            dims[k] = da < 0 ? db : da; /* unknown meets known: assume it broadcasts */
        else {
            char sa[256], sb[256];
            return xc_fail(XC_ERR_MODEL, "shapes %s and %s cannot be broadcast", xc_dims_str(ra, a, sa, sizeof sa),
                           xc_dims_str(rb, b, sb, sizeof sb));
        }
    }
    for (int k = 0; k < r; k++) out[k] = dims[k];
    *rank = r;
    return XC_OK;
}

xc_status xc_infer_broadcast(xc_infer_ctx *c, int o, xc_dtype t)
{
    int rank = 0;
    int64_t dims[XC_MAX_RANK];
    for (int i = 0; i < c->n_in; i++) {
        if (!c->in[i].present) continue;
        if (c->in[i].rank < 0) {
            xc_infer_unknown(c, o, t);
            return XC_OK;
        }
        if (xc_broadcast_shape(rank, dims, c->in[i].rank, c->in[i].dims, &rank, dims) != XC_OK) {
            char lb[256];
            return xc_error_prefix(XC_ERR_MODEL, "%s: ", xc_node_label(c->node, lb, sizeof lb));
        }
    }
    xc_infer_set(c, o, t, rank, dims);
    return XC_OK;
}

int xc_infer_input_ints(xc_infer_ctx *c, int i, int64_t *vals, size_t max, size_t *count)
{
    if (i >= c->n_in || !c->in[i].present || !c->in[i].value) return 0;
    const xc_tensor *t = c->in[i].value;
    if (t->dtype != XC_INT64 && t->dtype != XC_INT32) return 0;
    size_t n = xc_tensor_numel(t);
    if (n > max) return 0;
    for (size_t k = 0; k < n; k++) vals[k] = xc_load_i64(t->dtype, t->data, k);
    *count = n;
    return 1;
}

int xc_infer_input_float(xc_infer_ctx *c, int i, double *val)
{
    if (i >= c->n_in || !c->in[i].present || !c->in[i].value) return 0;
    const xc_tensor *t = c->in[i].value;
    if (xc_tensor_numel(t) != 1) return 0;
    *val = xc_load_f64(t->dtype, t->data, 0);
    return 1;
}

xc_status xc_normalize_axis(const xc_infer_ctx *c, int64_t axis, int rank, int *out)
{
    if (axis < -rank || axis >= rank) return xc_infer_fail(c, "axis %lld is out of range for rank %d", (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return XC_OK;
}

/* signal.c — schemas of DFT and STFT.
 *
 * Signals carry their complex parts in a last dim of 1 (real) or 2 (real, imaginary). DFT
 * transforms along one axis: opset 17 names it in the `axis` attribute (default 1), opset 20
 * in an optional input (default -2, counted with the complex dim). dft_length zero-pads or
 * truncates the signal; onesided keeps the first length/2 + 1 bins; inverse + onesided takes
 * such bins and gives back the real signal (numpy's irfft). STFT is a onesided (by default)
 * DFT of each frame_length-long frame, frame_step apart, times the window. */
#include "schema.h"
#include "signal.h"

static const xc_attr_spec dft17_attrs[] = {
    {"axis", XC_ATTR_INT, 0}, {"inverse", XC_ATTR_INT, 0}, {"onesided", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec dft20_attrs[] = {{"inverse", XC_ATTR_INT, 0}, {"onesided", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec stft_attrs[] = {{"onesided", XC_ATTR_INT, 0}, {NULL, 0, 0}};

/* A scalar (or one-element) int tensor's value. */
static xc_status scalar_int(const xc_node *n, const char *what, const xc_tensor *t, int64_t *v)
{
    if ((t->dtype != XC_INT32 && t->dtype != XC_INT64) || xc_tensor_numel(t) != 1)
        return xc_node_fail(n, XC_ERR_MODEL, "%s must be one int32/int64 value", what);
    *v = xc_load_i64(t->dtype, t->data, 0);
    return XC_OK;
}

static xc_status dft_axis(const xc_node *n, int opset, int rank, int axis_present, const xc_tensor *axis_t, int *axis)
{
    int64_t a = opset >= 20 ? -2 : xc_attr_int(n, "axis", 1);
    if (opset >= 20 && axis_present) {
        if (!axis_t) {
            *axis = -1;
            return XC_OK;
        }
        XC_TRY(scalar_int(n, "axis", axis_t, &a));
    }
    if (a < -rank || a > rank - 2 || a == -1)
        return xc_node_fail(n, XC_ERR_MODEL, "axis %lld is out of range for a rank-%d signal ([-%d, -2] or [0, %d])",
                            (long long)a, rank, rank, rank - 2);
    *axis = (int)(a < 0 ? a + rank : a);
    return XC_OK;
}

xc_status xc_dft_plan_of(const xc_node *n, int opset, int rank, const int64_t *dims, int len_present, const xc_tensor *len,
                         int axis_present, const xc_tensor *axis_t, xc_dft_plan *p)
{
    p->inverse = xc_attr_int(n, "inverse", 0) != 0;
    p->onesided = xc_attr_int(n, "onesided", 0) != 0;
    p->real_out = p->inverse && p->onesided;
    if (rank < 2) return xc_node_fail(n, XC_ERR_MODEL, "input must have rank >= 2 ([..., n, 1 or 2]), got %d", rank);
    if (dims[rank - 1] >= 0 && dims[rank - 1] != 1 && dims[rank - 1] != 2)
        return xc_node_fail(n, XC_ERR_MODEL, "last dim must be 1 (real) or 2 (complex), got %lld", (long long)dims[rank - 1]);
    XC_TRY(dft_axis(n, opset, rank, axis_present, axis_t, &p->axis));
    p->length = p->out_len = -1;
    if (len_present && !len) return XC_OK;
    if (len) {
        XC_TRY(scalar_int(n, "dft_length", len, &p->length));
        if (p->length < 1) return xc_node_fail(n, XC_ERR_MODEL, "dft_length %lld is not positive", (long long)p->length);
    } else if (p->axis >= 0 && dims[p->axis] >= 0) {
        p->length = p->real_out ? 2 * (dims[p->axis] - 1) : dims[p->axis];
        if (p->length < 1) return xc_node_fail(n, XC_ERR_MODEL, "the signal axis is too short for a transform");
    }
    if (p->length >= 0) p->out_len = p->onesided && !p->inverse ? p->length / 2 + 1 : p->length;
    return XC_OK;
}

static xc_status infer_dft(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 1, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    XC_TRY(xc_infer_require_type(c, 2, XC_BIT(XC_INT64)));
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    int lp = c->n_in > 1 && c->in[1].present, ap = c->n_in > 2 && c->in[2].present;
    xc_dft_plan p;
    XC_TRY(
        xc_dft_plan_of(c->node, c->opset, x->rank, x->dims, lp, lp ? c->in[1].value : NULL, ap, ap ? c->in[2].value : NULL, &p));
    xc_infer_copy(c, 0, 0);
    int64_t *d = c->out[0].dims;
    d[x->rank - 1] = p.real_out ? 1 : 2;
    if (p.axis < 0)
        for (int k = 0; k < x->rank - 1; k++) d[k] = -1;
    else
        d[p.axis] = p.out_len;
    return XC_OK;
}

xc_status xc_stft_plan_of(const xc_node *n, const int64_t *dims, const xc_tensor *step, int window_present, int64_t window_len,
                          int len_present, const xc_tensor *len, xc_stft_plan *p)
{
    p->step = p->length = p->frames = p->bins = -1;
    if (step) {
        XC_TRY(scalar_int(n, "frame_step", step, &p->step));
        if (p->step < 1) return xc_node_fail(n, XC_ERR_MODEL, "frame_step %lld is not positive", (long long)p->step);
    }
    if (len) {
        XC_TRY(scalar_int(n, "frame_length", len, &p->length));
        if (p->length < 1) return xc_node_fail(n, XC_ERR_MODEL, "frame_length %lld is not positive", (long long)p->length);
        if (window_present && window_len >= 0 && window_len != p->length)
            return xc_node_fail(n, XC_ERR_MODEL, "window has %lld samples but frame_length is %lld", (long long)window_len,
                                (long long)p->length);
    } else if (!len_present) {
        if (!window_present) return xc_node_fail(n, XC_ERR_MODEL, "needs a window or a frame_length");
        p->length = window_len;
    }
    if (p->length < 0) return XC_OK;
    p->bins = xc_attr_int(n, "onesided", 1) ? p->length / 2 + 1 : p->length;
    if (dims[1] >= 0 && p->step > 0) {
        if (dims[1] < p->length)
            return xc_node_fail(n, XC_ERR_MODEL, "signal of %lld samples is shorter than one frame (%lld)", (long long)dims[1],
                                (long long)p->length);
        p->frames = (dims[1] - p->length) / p->step + 1;
    }
    return XC_OK;
}

static xc_status infer_stft(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 1, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    XC_TRY(xc_infer_require_type(c, 2, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 3, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    const xc_type_shape *x = &c->in[0];
    int64_t unknown[3] = {-1, -1, -1};
    const int64_t *dims = x->rank >= 0 ? x->dims : unknown;
    if (x->rank >= 0 && (x->rank != 3 || (dims[2] >= 0 && dims[2] != 1 && dims[2] != 2)))
        return xc_infer_fail(c, "signal must be [batch, samples, 1 or 2]");
    int wp = c->n_in > 2 && c->in[2].present, lp = c->n_in > 3 && c->in[3].present;
    const xc_type_shape *w = &c->in[2];
    if (wp && w->rank >= 0 && w->rank != 1) return xc_infer_fail(c, "window must be 1-D");
    xc_stft_plan p;
    XC_TRY(xc_stft_plan_of(c->node, dims, c->in[1].value, wp, wp && w->rank == 1 ? w->dims[0] : -1, lp,
                           lp ? c->in[3].value : NULL, &p));
    int64_t out[4] = {dims[0], p.frames, p.bins, 2};
    xc_infer_set(c, 0, x->dtype, 4, out);
    return XC_OK;
}

const xc_op_schema xc_schemas_signal[] = {
    {"DFT", 17, 1, 2, 1, 1, dft17_attrs, infer_dft},
    {"DFT", 20, 1, 3, 1, 1, dft20_attrs, infer_dft},
    {"STFT", 17, 2, 4, 1, 1, stft_attrs, infer_stft},
    {0},
};

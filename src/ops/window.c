/* window.c — schemas of the window generators HannWindow, HammingWindow and BlackmanWindow
 * (a 1-D window of `size` samples, periodic by default) and of MelWeightMatrix (the
 * [dft_length/2 + 1, num_mel_bins] matrix that maps a onesided spectrum to mel bands). All
 * take their sizes as scalar inputs and their output type from `output_datatype`. */
#include "schema.h"

static const xc_attr_spec window_attrs[] = {{"output_datatype", XC_ATTR_INT, 0}, {"periodic", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec mel_attrs[] = {{"output_datatype", XC_ATTR_INT, 0}, {NULL, 0, 0}};

static xc_status output_type(xc_infer_ctx *c, xc_dtype *t)
{
    int64_t v = xc_attr_int(c->node, "output_datatype", XC_FLOAT);
    if (v <= 0 || v >= 32 || !(XC_T_NUMERIC & XC_BIT(v)))
        return xc_infer_fail(c, "output_datatype %lld is not a numeric type crosscheck supports", (long long)v);
    *t = (xc_dtype)v;
    return XC_OK;
}

/* Input i's scalar value, or -1 when unknown; fails if known but not one value >= min. */
static xc_status size_input(xc_infer_ctx *c, int i, const char *what, int64_t min, int64_t *v)
{
    size_t n = 0;
    *v = -1;
    if (c->in[i].rank > 0 && !(c->in[i].rank == 1 && c->in[i].dims[0] == 1)) return xc_infer_fail(c, "%s must be a scalar", what);
    if (!xc_infer_input_ints(c, i, v, 1, &n)) return XC_OK;
    if (n != 1 || *v < min) return xc_infer_fail(c, "%s %lld must be >= %lld", what, (long long)*v, (long long)min);
    return XC_OK;
}

static xc_status infer_window(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    xc_dtype t = XC_FLOAT;
    XC_TRY(output_type(c, &t));
    int64_t size;
    XC_TRY(size_input(c, 0, "size", 0, &size));
    xc_infer_set(c, 0, t, 1, &size);
    return XC_OK;
}

static xc_status infer_mel(xc_infer_ctx *c)
{
    for (int i = 0; i < 3; i++) XC_TRY(xc_infer_require_type(c, i, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    for (int i = 3; i < 5; i++) XC_TRY(xc_infer_require_type(c, i, XC_T_FLOATS));
    xc_dtype t = XC_FLOAT;
    XC_TRY(output_type(c, &t));
    int64_t bins, dft_len, rate;
    XC_TRY(size_input(c, 0, "num_mel_bins", 1, &bins));
    XC_TRY(size_input(c, 1, "dft_length", 1, &dft_len));
    XC_TRY(size_input(c, 2, "sample_rate", 1, &rate));
    int64_t dims[2] = {dft_len < 0 ? -1 : dft_len / 2 + 1, bins};
    xc_infer_set(c, 0, t, 2, dims);
    return XC_OK;
}

const xc_op_schema xc_schemas_window[] = {
    {"HannWindow", 17, 1, 1, 1, 1, window_attrs, infer_window},
    {"HammingWindow", 17, 1, 1, 1, 1, window_attrs, infer_window},
    {"BlackmanWindow", 17, 1, 1, 1, 1, window_attrs, infer_window},
    {"MelWeightMatrix", 17, 5, 5, 1, 1, mel_attrs, infer_mel},
    {0},
};

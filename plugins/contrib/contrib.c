/* contrib.c — the plugin's entry point and the helpers its ops share. */
#include "contrib.h"

XC_PLUGIN_ABI;

XC_PLUGIN_EXPORT xc_status xc_plugin_init(xc_plugin_registry *r)
{
    xc_status s = contrib_register_gelu(r);
    if (s == XC_OK) s = contrib_register_skip_layer_norm(r);
    if (s == XC_OK) s = contrib_register_fused_matmul(r);
    return s;
}

xc_status contrib_require_float(const xc_plugin_node *n, int n_in, const xc_plugin_shape *in)
{
    for (int i = 0; i < n_in; i++)
        if (in[i].present && in[i].dtype != XC_UNDEFINED && in[i].dtype != XC_FLOAT)
            return xc_plugin_fail(n, XC_ERR_UNSUPPORTED, "input %d is %s; this plugin implements float32 only", i,
                                  xc_dtype_name(in[i].dtype));
    return XC_OK;
}

void contrib_same_shape(xc_plugin_shape *out, const xc_plugin_shape *in)
{
    out->dtype = XC_FLOAT;
    out->rank = in->rank;
    for (int k = 0; k < in->rank; k++) out->dims[k] = in->dims[k];
}

xc_status contrib_alloc_like(xc_tensor **out, const xc_tensor *t)
{
    return *out ? XC_OK : xc_tensor_new(XC_FLOAT, xc_tensor_rank(t), xc_tensor_dims(t), out);
}

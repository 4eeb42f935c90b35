/* quant_util.c — scales, zero points and integer types for the quantized layer kinds. */
#include "quant_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xq_is_q8(xc_dtype t) { return t == XC_INT8 || t == XC_UINT8; }

int xq_is_q16(xc_dtype t) { return xq_is_q8(t) || t == XC_INT16 || t == XC_UINT16; }

const char *xq_cl_type(xc_dtype t)
{
    switch (t) {
    case XC_INT8: return "char";
    case XC_UINT8: return "uchar";
    case XC_INT16: return "short";
    case XC_UINT16: return "ushort";
    case XC_INT32: return "int";
    default: return NULL;
    }
}

void xq_sat_defines(char *buf, size_t len, xc_dtype t)
{
    int bits = 8 * (int)xc_dtype_size(t), sign = t == XC_INT8 || t == XC_INT16;
    long lo = sign ? -(1L << (bits - 1)) : 0, hi = (1L << (bits - sign)) - 1;
    size_t o = strlen(buf);
    snprintf(buf + o, len - o, " -DY_T=%s -DY_MIN=%ld -DY_MAX=%ld", xq_cl_type(t), lo, hi);
}

int xq_params_ok(const xc_engine *e, int scale, int zp, size_t n, int runtime)
{
    if (scale < 0) return 0;
    const xc_etensor *s = &e->tensors[scale];
    size_t ns = xc_et_numel(s);
    if (s->dtype != XC_FLOAT || (!runtime && !s->value) || (ns != 1 && ns != n)) return 0;
    if (zp < 0) return 1;
    const xc_etensor *z = &e->tensors[zp];
    return (runtime || z->value) && xc_et_numel(z) == ns && (xq_is_q16(z->dtype) || z->dtype == XC_INT32);
}

xc_status xq_params_host(const xc_engine *e, int scale, int zp, size_t n, float **s, int **z)
{
    *s = malloc(sizeof **s * (n ? n : 1));
    *z = malloc(sizeof **z * (n ? n : 1));
    if (!*s || !*z) {
        free(*s);
        free(*z);
        *s = NULL;
        *z = NULL;
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    const xc_tensor *sv = e->tensors[scale].value, *zv = zp >= 0 ? e->tensors[zp].value : NULL;
    size_t ns = xc_et_numel(&e->tensors[scale]);
    for (size_t i = 0; i < n; i++) {
        size_t k = ns == 1 ? 0 : i;
        (*s)[i] = ((const float *)sv->data)[k];
        (*z)[i] = zv ? (int)xc_load_i64(zv->dtype, zv->data, k) : 0;
    }
    return XC_OK;
}

xc_status xq_params_upload(xc_engine *e, const xc_layer *l, const char *tag, int scale, int zp, size_t count, int *ws, int *wz)
{
    char ks[320], kz[320];
    snprintf(ks, sizeof ks, "qscale:%s:%d:%s", tag, (int)(l - e->layers), l->name);
    snprintf(kz, sizeof kz, "qzero:%s:%d:%s", tag, (int)(l - e->layers), l->name);
    xc_engine_find_derived(e, ks, ws);
    xc_engine_find_derived(e, kz, wz);
    if (*ws >= 0 && *wz >= 0) return XC_OK;
    float *s;
    int *z;
    XC_TRY(xq_params_host(e, scale, zp, count, &s, &z));
    xc_status st = *ws >= 0 ? XC_OK : xc_engine_add_derived(e, l, ks, s, count * sizeof *s, ws);
    if (st == XC_OK && *wz < 0) st = xc_engine_add_derived(e, l, kz, z, count * sizeof *z, wz);
    free(s);
    free(z);
    return st;
}

/* The scalar held by constant t (first element) as a double; def when t is absent. */
static double const_scalar(const xc_engine *e, int t, double def)
{
    if (t < 0) return def;
    const xc_tensor *v = e->tensors[t].value;
    return xc_load_f64(v->dtype, v->data, 0);
}

/* bias[c] += scale * t[c] (t broadcast from 1 element); t absent: nothing. */
static void add_bias(const xc_engine *e, int t, float scale, int channels, float *bias)
{
    if (t < 0) return;
    const xc_tensor *v = e->tensors[t].value;
    size_t n = xc_et_numel(&e->tensors[t]);
    for (int c = 0; c < channels; c++) bias[c] += scale * (float)xc_load_f64(v->dtype, v->data, n == 1 ? 0 : (size_t)c);
}

/* Weight element (c, k) of the packed [channel][k] layout, zero point subtracted. */
static int weight_at(const xc_tensor *wv, const int *wz, int channels, size_t kdim, int trans, size_t c, size_t k)
{
    return (int)xc_load_i64(wv->dtype, wv->data, trans ? k * (size_t)channels + c : c * kdim + k) - wz[c];
}

static xc_status upload_weights(xc_engine *e, const xc_layer *l, const char *key, const int *wz, int channels, int trans,
                                xq_packed *out)
{
    const xc_etensor *wt = &e->tensors[l->in[XQ_W]];
    size_t total = xc_et_numel(wt), kdim = total / (size_t)channels;
    int16_t *w16 = out->wide ? malloc(sizeof *w16 * total) : NULL;
    int8_t *w8 = out->wide ? NULL : malloc(total);
    if (!w16 && !w8) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t c = 0; c < (size_t)channels; c++)
        for (size_t k = 0; k < kdim; k++) {
            int v = weight_at(wt->value, wz, channels, kdim, trans, c, k);
            if (w16)
                w16[c * kdim + k] = (int16_t)v;
            else
                w8[c * kdim + k] = (int8_t)v;
        }
    xc_status s = w16 ? xc_engine_add_derived(e, l, key, w16, total * sizeof *w16, &out->w)
                      : xc_engine_add_derived(e, l, key, w8, total, &out->w);
    free(w16);
    free(w8);
    return s;
}

static xc_status upload_epilogue(xc_engine *e, const xc_layer *l, const char *km, const char *kb, const float *ws, int channels,
                                 float alpha, float beta, xq_packed *out)
{
    float *mult = malloc(sizeof *mult * (size_t)channels), *bias = calloc((size_t)channels, sizeof *bias);
    xc_status s = mult && bias ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    float xs = (float)const_scalar(e, l->in[XQ_XS], 1.0);
    for (int c = 0; s == XC_OK && c < channels; c++) mult[c] = alpha * xs * ws[c];
    if (s == XC_OK) {
        add_bias(e, l->in[XQ_BIAS], beta, channels, bias);
        add_bias(e, l->in[XQ_BIAS2], 1.0f, channels, bias);
    }
    if (s == XC_OK && out->mult < 0) s = xc_engine_add_derived(e, l, km, mult, sizeof *mult * (size_t)channels, &out->mult);
    if (s == XC_OK && out->bias < 0) s = xc_engine_add_derived(e, l, kb, bias, sizeof *bias * (size_t)channels, &out->bias);
    free(mult);
    free(bias);
    return s;
}

xc_status xq_pack(xc_engine *e, const xc_layer *l, int channels, int trans, float alpha, float beta, xq_packed *out)
{
    char kw[320], km[320], kb[320];
    int idx = (int)(l - e->layers);
    snprintf(kw, sizeof kw, "qweights:%d:%s", idx, l->name);
    snprintf(km, sizeof km, "qmult:%d:%s", idx, l->name);
    snprintf(kb, sizeof kb, "qbias:%d:%s", idx, l->name);
    xc_engine_find_derived(e, kw, &out->w);
    xc_engine_find_derived(e, km, &out->mult);
    xc_engine_find_derived(e, kb, &out->bias);
    float *ws;
    int *wz;
    XC_TRY(xq_params_host(e, l->in[XQ_WS], l->in[XQ_WZ], (size_t)channels, &ws, &wz));
    const xc_etensor *wt = &e->tensors[l->in[XQ_W]];
    size_t kdim = xc_et_numel(wt) / (size_t)channels;
    out->wide = 0; /* short weights only when a zero point pushes a value out of char's range */
    for (size_t c = 0; c < (size_t)channels; c++)
        for (size_t k = 0; k < kdim && !out->wide; k++) {
            int v = weight_at(wt->value, wz, channels, kdim, trans, c, k);
            out->wide = v < -128 || v > 127;
        }
    xc_status s = out->w < 0 ? upload_weights(e, l, kw, wz, channels, trans, out) : XC_OK;
    if (s == XC_OK && (out->mult < 0 || out->bias < 0)) s = upload_epilogue(e, l, km, kb, ws, channels, alpha, beta, out);
    free(ws);
    free(wz);
    return s;
}

void xq_layer_defines(const xc_engine *e, const xc_layer *l, int wide, char *buf, size_t len)
{
    size_t o = strlen(buf);
    xc_dtype xt = e->tensors[l->in[XQ_X]].dtype;
    snprintf(buf + o, len - o, " -cl-fp32-correctly-rounded-divide-sqrt -DX_T=%s%s -DW_T=%s%s",
             xt == XC_FLOAT ? "store_t" : xq_cl_type(xt), xt == XC_FLOAT ? " -DX_FLOAT" : "", wide ? "short" : "char",
             l->in[XQ_YS] >= 0 ? " -DREQUANT" : "");
    if (l->in[XQ_YS] >= 0) xq_sat_defines(buf, len, e->tensors[l->out[0]].dtype);
}

xc_status xq_bind_common(xc_engine *e, const xc_layer *l, xc_launch *k, const xq_packed *p)
{
    XC_TRY(xc_launch_input(e, l, k, l->in[XQ_X]));
    xc_launch_weight(k, p->w);
    xc_launch_weight(k, p->mult);
    xc_launch_weight(k, p->bias);
    xc_launch_tensor(k, l->out[0]);
    if (l->in[XQ_RES] >= 0)
        XC_TRY(xc_launch_input(e, l, k, l->in[XQ_RES]));
    else
        xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, (int64_t)const_scalar(e, l->in[XQ_XZ], 0));
    xc_launch_float(k, (float)const_scalar(e, l->in[XQ_XS], 1.0));
    xc_launch_float(k, (float)const_scalar(e, l->in[XQ_YS], 1.0));
    xc_launch_int(k, (int64_t)const_scalar(e, l->in[XQ_YZ], 0));
    return XC_OK;
}

/* qdq_implicit.c — implicit quantization (--int8), as TensorRT's int8 mode without Q/DQ nodes:
 * every float conv/gemm layer with constant weights whose input is a named activation becomes
 * an int8 layer (qconv/qgemm): its input quantized symmetrically on the fly (scale = amax / 127,
 * amax from calibration: qdq_calibrate.h), its weights quantized per output channel on the host
 * (scale = max |w[c]| / 127), int32 accumulation, float output (bias and activation in the
 * epilogue, after the residual add conv_residual fused). Layers --layer-precision constrains to
 * fp16 or fp32 stay float, in that precision. Runs only with --int8; --disable-fusion int8_implicit turns it off. */
#include "ocl/build.h"
#include "../layers/quant_util.h"
#include "qdq_calibrate.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const xc_layer_kind xc_kind_conv, xc_kind_gemm, xc_kind_qconv, xc_kind_qgemm;

#define PASS "int8_implicit"

/* The axis of L's weights that holds output channels, or -1 when L cannot go int8. */
static int channel_axis(const xc_engine *e, const xc_layer *L)
{
    if (L->dead || L->n_out != 1 || L->n_in < 2 || L->n_in > 4 || xc_layer_constraint(e, L) >= XC_LAYER_PREC_FP16) return -1;
    const xc_etensor *x = &e->tensors[L->in[0]], *w = &e->tensors[L->in[1]];
    if (x->value || x->dtype != XC_FLOAT || !x->name[0] || !xc_et_const_f32(w)) return -1;
    for (int i = 2; i < L->n_in; i++)
        if (L->in[i] >= 0 && L->in[i] != L->residual && (!e->tensors[L->in[i]].value || e->tensors[L->in[i]].dtype != XC_FLOAT))
            return -1;
    if (L->kind == &xc_kind_conv) return 0;
    if (L->residual >= 0) return -1;
    if (L->kind != &xc_kind_gemm || w->rank != 2 || x->rank < 2 || e->tensors[L->out[0]].rank != x->rank) return -1;
    int gemm = !L->node->domain[0] && !strcmp(L->node->op_type, "Gemm");
    if (gemm && (x->rank != 2 || xc_attr_int(L->node, "transA", 0))) return -1;
    int axis = gemm && xc_attr_int(L->node, "transB", 0) ? 0 : 1;
    if (w->dims[!axis] != x->dims[x->rank - 1]) return -1;
    for (int i = 2; i < L->n_in; i++) { /* a C of [M, N] has no per-channel form */
        size_t nb = L->in[i] >= 0 ? xc_et_numel(&e->tensors[L->in[i]]) : 1;
        if (nb != 1 && nb != (size_t)w->dims[axis]) return -1;
    }
    return axis;
}

/* A new constant tensor (name, dtype, dims) holding data; returns its id or -1. */
static int add_const(xc_engine *e, const char *name, xc_dtype dt, int rank, const int64_t *dims, const void *data)
{
    xc_tensor *v;
    if (xc_tensor_new(dt, rank, dims, &v) != XC_OK) return -1;
    memcpy(v->data, data, v->nbytes);
    int id = xc_engine_add_tensor(e, name, dt, rank, dims);
    if (id < 0) {
        xc_tensor_free(v);
        return -1;
    }
    e->tensors[id].value = v;
    return id;
}

/* Per-channel symmetric int8 weights of L (channel axis `axis` of a rank-2+ tensor); fills
 * in[XQ_W] and in[XQ_WS]. */
static xc_status quantize_weights(xc_engine *e, int l, int axis, int in[XQ_N_IN])
{
    int wid = e->layers[l].in[1];
    const xc_etensor *w = &e->tensors[wid];
    const float *wf = xc_et_const_f32(w);
    size_t total = xc_et_numel(w), channels = (size_t)w->dims[axis], inner = 1;
    for (int d = axis + 1; d < w->rank; d++) inner *= (size_t)w->dims[d];
    float *scale = calloc(channels, sizeof *scale);
    int8_t *q = malloc(total ? total : 1);
    char *name = malloc(strlen(w->name) + 16);
    xc_status s = scale && q && name ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; s == XC_OK && i < total; i++) {
        size_t c = i / inner % channels;
        scale[c] = fmaxf(scale[c], fabsf(wf[i]));
    }
    for (size_t c = 0; s == XC_OK && c < channels; c++) scale[c] = scale[c] > 0 && isfinite(scale[c]) ? scale[c] / 127.0f : 1.0f;
    for (size_t i = 0; s == XC_OK && i < total; i++)
        q[i] = (int8_t)fminf(fmaxf(rintf(wf[i] / scale[i / inner % channels]), -127.0f), 127.0f);
    int64_t cdims[1] = {(int64_t)channels}, wdims[XC_MAX_RANK];
    memcpy(wdims, w->dims, sizeof wdims);
    int rank = w->rank;
    if (s == XC_OK) {
        snprintf(name, strlen(w->name) + 16, "%s (int8)", w->name);
        in[XQ_W] = add_const(e, name, XC_INT8, rank, wdims, q);
        snprintf(name, strlen(w->name) + 16, "%s (scale)", w->name);
        in[XQ_WS] = add_const(e, name, XC_FLOAT, 1, cdims, scale);
        if (in[XQ_W] < 0 || in[XQ_WS] < 0) s = XC_ERR_NOMEM;
    }
    free(scale);
    free(q);
    free(name);
    return s;
}

static xc_status make_int8(xc_engine *e, int l, int axis, float amax)
{
    int in[XQ_N_IN];
    for (int i = 0; i < XQ_N_IN; i++) in[i] = -1;
    xc_layer *L = &e->layers[l];
    in[XQ_X] = L->in[0];
    in[XQ_BIAS] = L->n_in > 2 ? L->in[2] : -1;
    in[XQ_BIAS2] = L->n_in > 3 && L->in[3] != L->residual ? L->in[3] : -1;
    in[XQ_RES] = L->residual;
    const xc_layer_kind *kind = L->kind == &xc_kind_conv ? &xc_kind_qconv : &xc_kind_qgemm;
    XC_TRY(quantize_weights(e, l, axis, in));
    float xs = amax > 0 && isfinite(amax) ? amax / 127.0f : 1.0f;
    const char *xname = e->tensors[in[XQ_X]].name;
    char *name = malloc(strlen(xname) + 16);
    if (!name) return xc_fail(XC_ERR_NOMEM, "out of memory");
    snprintf(name, strlen(xname) + 16, "%s (scale)", xname);
    in[XQ_XS] = add_const(e, name, XC_FLOAT, 0, NULL, &xs);
    free(name);
    if (in[XQ_XS] < 0) return XC_ERR_NOMEM;
    L = &e->layers[l];
    L->kind = kind;
    L->n_in = XQ_N_IN;
    memcpy(L->in, in, sizeof in);
    L->fusions |= xc_pass_bit(PASS);
    if (!L->fusion) L->fusion = PASS;
    return XC_OK;
}

static xc_status run(xc_engine *e)
{
    if (!e->opt.int8) return XC_OK;
    int *layers = malloc(sizeof *layers * (size_t)(e->n_layers + 1)), n = 0;
    const char **names = malloc(sizeof *names * (size_t)(e->n_layers + 1));
    float *amax = malloc(sizeof *amax * (size_t)(e->n_layers + 1));
    xc_status s = layers && names && amax ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int l = 0; s == XC_OK && l < e->n_layers; l++)
        if (channel_axis(e, &e->layers[l]) >= 0) {
            layers[n] = l;
            names[n++] = e->tensors[e->layers[l].in[0]].name;
        }
    if (s == XC_OK && n) s = xq_calibration_ranges(e->model, &e->opt, names, n, amax);
    for (int k = 0; s == XC_OK && k < n; k++) s = make_int8(e, layers[k], channel_axis(e, &e->layers[layers[k]]), amax[k]);
    free(layers);
    free(names);
    free(amax);
    return s;
}

const xc_pass xc_pass_int8_implicit = {PASS, 0, run};

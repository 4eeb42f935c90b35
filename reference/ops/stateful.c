/* stateful.c — reference kernels of LinearAttention and CausalConvWithState (opset 27),
 * following onnx's numpy reference: the recurrence runs token by token in double with the
 * state held in double, and results are rounded to the output dtype once at the end. */
#include "ref.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double ld(const xc_tensor *t, size_t i) { return xc_load_f64(t->dtype, t->data, i); }

/* LinearAttention. State S[b][h_kv][d_k][d_v]; query head h reads kv head h / (H_q / H_kv).
 * Per token: gated rules scale S by exp(decay); delta rules replace v by beta * (v - S^T k);
 * then S += k (x) v and o = scale * q^T S. */
static xc_status ref_linear_attention(xc_ref_args *a)
{
    const xc_tensor *q = a->in[0], *k = a->in[1], *v = a->in[2];
    const xc_tensor *past = a->n_in > 3 ? a->in[3] : NULL, *decay = a->n_in > 4 ? a->in[4] : NULL;
    const xc_tensor *beta = a->n_in > 5 ? a->in[5] : NULL;
    int64_t hq = xc_attr_int(a->node, "q_num_heads", 1), hkv = xc_attr_int(a->node, "kv_num_heads", 1);
    int64_t B = q->dims[0], T = q->dims[1], dk = q->dims[2] / hq, dv = v->dims[2] / hkv, group = hq / hkv;
    double scale = xc_attr_float(a->node, "scale", 0.0f);
    if (scale == 0.0) scale = 1.0 / sqrt((double)dk);
    int64_t dlast = decay ? decay->dims[2] : 0, blast = beta ? beta->dims[2] : 0;
    size_t ns = (size_t)(B * hkv * dk * dv);
    double *S = calloc(ns ? ns : 1, sizeof *S), *vt = malloc((size_t)(dv ? dv : 1) * sizeof *vt);
    if (!S || !vt) {
        free(S);
        free(vt);
        return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    }
    if (past)
        for (size_t i = 0; i < ns; i++) S[i] = ld(past, i);
    xc_tensor *y = a->out[0];
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++) {
            int64_t row = b * T + t;
            for (int64_t h = 0; h < hkv; h++) {
                double *s = S + (size_t)((b * hkv + h) * dk * dv);
                if (decay)
                    for (int64_t d = 0; d < dk; d++) {
                        double g = exp(ld(decay, (size_t)(row * dlast + (dlast == hkv ? h : h * dk + d))));
                        for (int64_t m = 0; m < dv; m++) s[d * dv + m] *= g;
                    }
                for (int64_t m = 0; m < dv; m++) vt[m] = ld(v, (size_t)(row * hkv * dv + h * dv + m));
                if (beta) {
                    double bt = ld(beta, (size_t)(row * blast + (blast == 1 ? 0 : h)));
                    for (int64_t m = 0; m < dv; m++) {
                        double r = 0;
                        for (int64_t d = 0; d < dk; d++) r += s[d * dv + m] * ld(k, (size_t)(row * hkv * dk + h * dk + d));
                        vt[m] = bt * (vt[m] - r);
                    }
                }
                for (int64_t d = 0; d < dk; d++) {
                    double kd = ld(k, (size_t)(row * hkv * dk + h * dk + d));
                    for (int64_t m = 0; m < dv; m++) s[d * dv + m] += kd * vt[m];
                }
                for (int64_t g = h * group; g < (h + 1) * group; g++)
                    for (int64_t m = 0; m < dv; m++) {
                        double o = 0;
                        for (int64_t d = 0; d < dk; d++) o += ld(q, (size_t)(row * hq * dk + g * dk + d)) * s[d * dv + m];
                        xc_store_f64(y->dtype, y->data, (size_t)(row * hq * dv + g * dv + m), scale * o);
                    }
            }
        }
    xc_tensor *st = a->n_out > 1 ? a->out[1] : NULL;
    for (size_t i = 0; st && i < ns; i++) xc_store_f64(st->dtype, st->data, i, S[i]);
    free(S);
    free(vt);
    return XC_OK;
}

/* CausalConvWithState: out[b,c,l] = bias[c] + sum_j w[c,0,j] * p[b,c,l+j] over the input
 * left-padded with past_state (zeros when omitted), rounded to the dtype; silu/swish then runs
 * on that rounded value, as onnx's reference does. present_state is p's last k-1 positions. */
static xc_status ref_causal_conv(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *w = a->in[1];
    const xc_tensor *bias = a->n_in > 2 ? a->in[2] : NULL, *past = a->n_in > 3 ? a->in[3] : NULL;
    int64_t B = x->dims[0], C = x->dims[1], L = x->dims[2], K = w->dims[2], P = K - 1;
    int silu = strcmp(xc_attr_string(a->node, "activation", "none"), "none") != 0;
    xc_tensor *y = a->out[0], *st = a->n_out > 1 ? a->out[1] : NULL;
    for (int64_t b = 0; b < B; b++)
        for (int64_t c = 0; c < C; c++) {
            int64_t xr = (b * C + c) * L, pr = (b * C + c) * P;
            /* padded position i: past_state[i] for i < P, input[i - P] after */
#define PAD(i) ((i) < P ? (past ? ld(past, (size_t)(pr + (i))) : 0.0) : ld(x, (size_t)(xr + (i)-P)))
            for (int64_t l = 0; l < L; l++) {
                double acc = bias ? ld(bias, (size_t)c) : 0.0;
                for (int64_t j = 0; j < K; j++) acc += ld(w, (size_t)(c * K + j)) * PAD(l + j);
                xc_store_f64(y->dtype, y->data, (size_t)(xr + l), acc);
                if (silu) {
                    double r = ld(y, (size_t)(xr + l));
                    xc_store_f64(y->dtype, y->data, (size_t)(xr + l), r / (1.0 + exp(-r)));
                }
            }
            for (int64_t i = 0; st && i < P; i++) xc_store_f64(st->dtype, st->data, (size_t)(pr + i), PAD(L + i));
#undef PAD
        }
    return XC_OK;
}

const xc_ref_kernel xc_ref_stateful[] = {
    {"LinearAttention", ref_linear_attention},
    {"CausalConvWithState", ref_causal_conv},
    {0},
};

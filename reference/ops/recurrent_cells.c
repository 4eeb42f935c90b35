/* recurrent_cells.c — one time step of each recurrent cell, as the ONNX specification writes
 * it (gate order: GRU z, r, h; LSTM i, o, f, c; peepholes i, o, f). Each gate's input is the
 * input projection plus its bias, plus the recurrent projection plus its bias; the cell clip
 * bounds the input of every gate activation (f and g), not the cell state before h, as ONNX
 * Runtime does. The new states are rounded to the op's dtype, as a materialised tensor is. */
#include "recurrent.h"
#include <math.h>

size_t xc_rnn_work_size(const xc_rnn_dir *d) { return (size_t)(2 * d->gates * d->hidden + 3 * d->hidden); }

/* Ht = f(Xt*Wi + Ht-1*Ri + Wbi + Rbi) */
static void simple_step(const xc_rnn_dir *d, const double *xw, const double *hr, double *h)
{
    for (int64_t i = 0; i < d->hidden; i++) h[i] = xc_dtype_round(d->t, xc_rnn_activate(&d->act[0], d->clip, xw[i] + hr[i]));
}

/* zt = f(Xt*Wz + Ht-1*Rz + Wbz + Rbz), rt likewise; ht = g(Xt*Wh + (rt (.) Ht-1)*Rh + Rbh + Wbh),
 * or with linear_before_reset g(Xt*Wh + rt (.) (Ht-1*Rh + Rbh) + Wbh); Ht = (1 - zt) (.) ht +
 * zt (.) Ht-1. */
static void gru_step(const xc_rnn_dir *d, const double *xw, const double *hr, double *h, double *work)
{
    int64_t n = d->hidden;
    double *r = work, *rh = work + n;
    for (int64_t i = 0; i < n; i++) r[i] = xc_rnn_activate(&d->act[0], d->clip, xw[n + i] + hr[n + i]);
    const double *h_rec = hr + 2 * n; /* Ht-1*Rh + Rbh, the linear_before_reset form */
    double *reset_rec = work + 2 * n; /* (rt (.) Ht-1)*Rh + Rbh, the default form */
    if (!d->linear_before_reset) {
        for (int64_t i = 0; i < n; i++) rh[i] = r[i] * h[i];
        xc_rnn_matvec(d->r + 2 * n * n, rh, d->rb + 2 * n, n, n, reset_rec);
    }
    for (int64_t i = 0; i < n; i++) {
        double z = xc_rnn_activate(&d->act[0], d->clip, xw[i] + hr[i]);
        double rec = d->linear_before_reset ? r[i] * h_rec[i] : reset_rec[i];
        double cand = xc_rnn_activate(&d->act[1], d->clip, xw[2 * n + i] + rec);
        rh[i] = (1 - z) * cand + z * h[i];
    }
    for (int64_t i = 0; i < n; i++) h[i] = xc_dtype_round(d->t, rh[i]);
}

/* it = f(.. + Pi (.) Ct-1), ft = f(.. + Pf (.) Ct-1) (or 1 - it with input_forget), ct = g(..),
 * Ct = ft (.) Ct-1 + it (.) ct, ot = f(.. + Po (.) Ct), Ht = ot (.) h(Ct). */
static void lstm_step(const xc_rnn_dir *d, const double *xw, const double *hr, double *h, double *c)
{
    int64_t n = d->hidden;
    const double *pi = d->p, *po = d->p + n, *pf = d->p + 2 * n;
    for (int64_t k = 0; k < n; k++) {
        double pre_i = xw[k] + hr[k], pre_o = xw[n + k] + hr[n + k];
        double pre_f = xw[2 * n + k] + hr[2 * n + k], pre_c = xw[3 * n + k] + hr[3 * n + k];
        double i = xc_rnn_activate(&d->act[0], d->clip, pre_i + pi[k] * c[k]);
        double f = d->input_forget ? 1 - i : xc_rnn_activate(&d->act[0], d->clip, pre_f + pf[k] * c[k]);
        double g = xc_rnn_activate(&d->act[1], d->clip, pre_c);
        double cell = xc_dtype_round(d->t, f * c[k] + i * g);
        double o = xc_rnn_activate(&d->act[0], d->clip, pre_o + po[k] * cell);
        c[k] = cell;
        h[k] = xc_dtype_round(d->t, o * xc_rnn_activate(&d->act[2], INFINITY, cell));
    }
}

void xc_rnn_step(const xc_rnn_dir *d, const double *x, double *h, double *c, double *work)
{
    int64_t rows = d->gates * d->hidden;
    double *xw = work, *hr = work + rows, *rest = work + 2 * rows;
    xc_rnn_matvec(d->w, x, d->wb, rows, d->input, xw);
    xc_rnn_matvec(d->r, h, d->rb, rows, d->hidden, hr);
    if (d->cell == XC_RNN_SIMPLE)
        simple_step(d, xw, hr, h);
    else if (d->cell == XC_RNN_GRU)
        gru_step(d, xw, hr, h, rest);
    else
        lstm_step(d, xw, hr, h, c);
}

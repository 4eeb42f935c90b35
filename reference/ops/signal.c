/* signal.c — reference kernels of DFT and STFT: the textbook O(n^2) transform in double,
 * X[k] = sum_j x[j] e^(-+2 pi i jk / L), with a table of the L twiddle factors indexed by
 * jk mod L so large products of j and k lose no accuracy. The inverse divides by L. */
#include "ref.h"
#include "ops/signal.h"
#include <math.h>
#include <stdlib.h>

typedef struct twiddles {
    size_t len;
    double *c, *s; /* cos and sin of 2 pi m / len */
} twiddles;

static xc_status twiddles_make(const xc_ref_args *a, size_t len, twiddles *t)
{
    t->len = len;
    t->c = malloc(2 * len * sizeof *t->c);
    if (!t->c) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    t->s = t->c + len;
    for (size_t m = 0; m < len; m++) {
        double ang = 2 * M_PI * (double)m / (double)len;
        t->c[m] = cos(ang);
        t->s[m] = sin(ang);
    }
    return XC_OK;
}

/* out[k] = sum_{j < n} in[j] e^(sign 2 pi i jk / len) for k < n_out (in, out interleaved re/im). */
static void transform(const twiddles *t, const double *in, size_t n, int sign, double *out, size_t n_out)
{
    for (size_t k = 0; k < n_out; k++) {
        double re = 0, im = 0;
        for (size_t j = 0; j < n; j++) {
            size_t m = (size_t)(((unsigned __int128)j * k) % t->len);
            double c = t->c[m], s = sign * t->s[m];
            re += in[2 * j] * c - in[2 * j + 1] * s;
            im += in[2 * j] * s + in[2 * j + 1] * c;
        }
        out[2 * k] = re;
        out[2 * k + 1] = im;
    }
}

/* irfft input: bins 0..len/2 from y (zero past n), the rest their conjugate mirror. */
static void hermitian_fill(const double *y, size_t n, size_t len, double *full)
{
    for (size_t k = 0; k < len; k++) {
        size_t src = k <= len / 2 ? k : len - k;
        double sgn = k <= len / 2 ? 1 : -1;
        full[2 * k] = src < n ? y[2 * src] : 0;
        full[2 * k + 1] = src < n ? sgn * y[2 * src + 1] : 0;
    }
}

static xc_status ref_dft(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    xc_dft_plan p;
    XC_TRY(xc_dft_plan_of(a->node, a->opset, x->rank, x->dims, a->n_in > 1 && a->in[1], a->n_in > 1 ? a->in[1] : NULL,
                          a->n_in > 2 && a->in[2], a->n_in > 2 ? a->in[2] : NULL, &p));
    size_t outer = 1, inner = 1, n = (size_t)x->dims[p.axis], len = (size_t)p.length, n_out = (size_t)p.out_len;
    size_t cin = (size_t)x->dims[x->rank - 1], cout = p.real_out ? 1 : 2;
    for (int k = 0; k < p.axis; k++) outer *= (size_t)x->dims[k];
    for (int k = p.axis + 1; k < x->rank - 1; k++) inner *= (size_t)x->dims[k];
    size_t used = n < len ? n : len;
    twiddles t;
    XC_TRY(twiddles_make(a, len, &t));
    double *buf = calloc(2 * (n + 2 * len), sizeof *buf);
    if (!buf) {
        free(t.c);
        return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    }
    double *line = buf, *full = buf + 2 * n, *res = full + 2 * len;
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            for (size_t j = 0; j < n; j++) {
                size_t at = ((o * n + j) * inner + i) * cin;
                line[2 * j] = xc_load_f64(x->dtype, x->data, at);
                line[2 * j + 1] = cin == 2 ? xc_load_f64(x->dtype, x->data, at + 1) : 0;
            }
            if (p.real_out) {
                hermitian_fill(line, n, len, full);
                transform(&t, full, len, 1, res, len);
            } else {
                transform(&t, line, used, p.inverse ? 1 : -1, res, n_out);
            }
            double scale = p.inverse ? 1.0 / (double)len : 1.0;
            for (size_t k = 0; k < n_out; k++)
                for (size_t c = 0; c < cout; c++)
                    xc_store_f64(y->dtype, y->data, ((o * n_out + k) * inner + i) * cout + c, res[2 * k + c] * scale);
        }
    free(buf);
    free(t.c);
    return XC_OK;
}

static xc_status ref_stft(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *w = a->n_in > 2 ? a->in[2] : NULL;
    xc_tensor *y = a->out[0];
    xc_stft_plan p;
    XC_TRY(xc_stft_plan_of(a->node, x->dims, a->in[1], w != NULL, w ? w->dims[0] : -1, a->n_in > 3 && a->in[3],
                           a->n_in > 3 ? a->in[3] : NULL, &p));
    size_t batch = (size_t)x->dims[0], samples = (size_t)x->dims[1], cin = (size_t)x->dims[2];
    size_t len = (size_t)p.length, bins = (size_t)p.bins;
    twiddles t;
    XC_TRY(twiddles_make(a, len, &t));
    double *frame = malloc(2 * (len + bins) * sizeof *frame);
    if (!frame) {
        free(t.c);
        return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    }
    double *res = frame + 2 * len;
    for (size_t b = 0; b < batch; b++)
        for (size_t f = 0; f < (size_t)p.frames; f++) {
            for (size_t j = 0; j < len; j++) {
                size_t at = (b * samples + f * (size_t)p.step + j) * cin;
                double wj = w ? xc_load_f64(w->dtype, w->data, j) : 1.0;
                frame[2 * j] = wj * xc_load_f64(x->dtype, x->data, at);
                frame[2 * j + 1] = cin == 2 ? wj * xc_load_f64(x->dtype, x->data, at + 1) : 0;
            }
            transform(&t, frame, len, -1, res, bins);
            for (size_t k = 0; k < 2 * bins; k++)
                xc_store_f64(y->dtype, y->data, (b * (size_t)p.frames + f) * bins * 2 + k, res[k]);
        }
    free(frame);
    free(t.c);
    return XC_OK;
}

const xc_ref_kernel xc_ref_signal[] = {
    {"DFT", ref_dft},
    {"STFT", ref_stft},
    {0},
};

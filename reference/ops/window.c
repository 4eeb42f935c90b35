/* window.c — reference kernels of HannWindow, HammingWindow, BlackmanWindow and
 * MelWeightMatrix, following onnx's numpy reference (which the conformance data comes from).
 * A periodic window of size N divides by N, a symmetric one by N - 1. */
#include "ref.h"
#include <math.h>
#include <stdlib.h>

typedef double (*window_fn)(double x); /* x = 2 pi n / N */

static double hann(double x) { return 0.5 - 0.5 * cos(x); }
static double hamming(double x) { return 25.0 / 46.0 - (1 - 25.0 / 46.0) * cos(x); }
static double blackman(double x) { return 0.42 - 0.5 * cos(x) + 0.08 * cos(2 * x); }

static xc_status run_window(xc_ref_args *a, window_fn f)
{
    xc_tensor *y = a->out[0];
    size_t size = xc_tensor_numel(y);
    double denom = xc_attr_int(a->node, "periodic", 1) ? (double)size : (double)size - 1;
    for (size_t n = 0; n < size; n++) xc_store_f64(y->dtype, y->data, n, denom > 0 ? f(2 * M_PI * (double)n / denom) : 1.0);
    return XC_OK;
}

static xc_status ref_hann(xc_ref_args *a) { return run_window(a, hann); }
static xc_status ref_hamming(xc_ref_args *a) { return run_window(a, hamming); }
static xc_status ref_blackman(xc_ref_args *a) { return run_window(a, blackman); }

static double hz_to_mel(double hz) { return 2595 * log1p(hz / 700) / log(10); }
static double mel_to_hz(double mel) { return 700 * expm1(mel / 2595 * log(10)); }

/* Triangular filters between num_mel_bins + 2 points evenly spaced on the mel scale, each
 * point placed on the spectrum bin floor((dft_length + 1) * hz / sample_rate). */
static xc_status ref_mel(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    int64_t bins = xc_load_i64(a->in[0]->dtype, a->in[0]->data, 0);
    int64_t dft_len = xc_load_i64(a->in[1]->dtype, a->in[1]->data, 0);
    int64_t rate = xc_load_i64(a->in[2]->dtype, a->in[2]->data, 0);
    double lo = hz_to_mel(xc_load_f64(a->in[3]->dtype, a->in[3]->data, 0));
    double hi = hz_to_mel(xc_load_f64(a->in[4]->dtype, a->in[4]->data, 0));
    int64_t rows = dft_len / 2 + 1;
    int64_t *pt = malloc((size_t)(bins + 2) * sizeof *pt);
    if (!pt) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    double step = (hi - lo) / (double)(bins + 2);
    for (int64_t i = 0; i < bins + 2; i++) {
        double bin = floor((double)(dft_len + 1) * mel_to_hz((double)i * step + lo) / (double)rate);
        if (!(bin >= 0 && bin < (double)rows)) { /* also catches NaN, and values no int64 holds */
            free(pt);
            return xc_ref_fail(a, XC_ERR_MODEL, "mel band edge %d falls on spectrum bin %g, outside [0, %lld)", (int)i, bin,
                               (long long)rows);
        }
        pt[i] = (int64_t)bin;
    }
    for (int64_t i = 0; i < bins; i++) {
        int64_t l = pt[i], c = pt[i + 1], r = pt[i + 2];
        if (c == l) xc_store_f64(y->dtype, y->data, (size_t)(c * bins + i), 1.0);
        for (int64_t j = l; c > l && j <= c; j++)
            xc_store_f64(y->dtype, y->data, (size_t)(j * bins + i), (double)(j - l) / (double)(c - l));
        for (int64_t j = c; j < r; j++)
            xc_store_f64(y->dtype, y->data, (size_t)(j * bins + i), (double)(r - j) / (double)(r - c));
    }
    free(pt);
    return XC_OK;
}

const xc_ref_kernel xc_ref_window[] = {
    {"HannWindow", ref_hann}, {"HammingWindow", ref_hamming}, {"BlackmanWindow", ref_blackman}, {"MelWeightMatrix", ref_mel}, {0},
};

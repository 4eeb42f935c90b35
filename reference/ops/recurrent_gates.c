/* recurrent_gates.c — the activation functions of RNN, GRU and LSTM, the cell clip, and the
 * matrix-vector product of a gate block. Computes in double: the recurrence feeds each step's
 * error into the next, and the oracle should not add its own. */
#include "recurrent.h"
#include <math.h>

static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); } /* no overflow for big x */

double xc_rnn_activate(const xc_rnn_act *act, double clip, double v)
{
    double x = v < -clip ? -clip : v > clip ? clip : v, a = act->alpha, b = act->beta;
    switch (act->kind) {
    case XC_RNN_RELU: return x < 0 ? 0 : x;
    case XC_RNN_TANH: return tanh(x);
    case XC_RNN_SIGMOID: return 1 / (1 + exp(-x));
    case XC_RNN_AFFINE: return a * x + b;
    case XC_RNN_LEAKY_RELU: return x < 0 ? a * x : x;
    case XC_RNN_THRESHOLDED_RELU: return x > a ? x : 0;
    case XC_RNN_SCALED_TANH: return a * tanh(b * x);
    case XC_RNN_HARD_SIGMOID: return isnan(x) ? x : fmax(0, fmin(1, a * x + b));
    case XC_RNN_ELU: return x < 0 ? a * expm1(x) : x;
    case XC_RNN_SOFTSIGN: return x / (1 + fabs(x));
    case XC_RNN_SOFTPLUS: return softplus(x);
    }
    return NAN;
}

void xc_rnn_matvec(const double *m, const double *v, const double *bias, int64_t rows, int64_t cols, double *out)
{
    for (int64_t k = 0; k < rows; k++) {
        double acc = 0;
        for (int64_t j = 0; j < cols; j++) acc += m[k * cols + j] * v[j];
        out[k] = acc + bias[k];
    }
}

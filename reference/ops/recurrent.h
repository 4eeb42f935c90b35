/* recurrent.h — what the reference's recurrent kernels share: one direction's weights in
 * double, the gate and activation helpers (recurrent_gates.c) and the three cells' steps
 * (recurrent_cells.c). The driver (recurrent.c) walks directions, batch rows and time steps. */
#ifndef XC_REF_RECURRENT_H
#define XC_REF_RECURRENT_H
#include "ops/recurrent.h"
#include "tensor.h"

/* One direction of one node, every input widened to double. Owned by the driver. */
typedef struct xc_rnn_dir {
    xc_rnn_cell cell;
    int64_t input, hidden, gates;
    const double *w, *r;   /* (gates * hidden, input), (gates * hidden, hidden) */
    const double *wb, *rb; /* (gates * hidden) each; zeros when B is absent */
    const double *p;       /* LSTM peepholes i, o, f (3 * hidden); zeros when P is absent */
    const xc_rnn_act *act; /* this direction's f (, g (, h)) */
    double clip;           /* bound on every activation's input; INFINITY when absent */
    int input_forget, linear_before_reset;
    xc_dtype t; /* the op's dtype: states are rounded to it once per step */
} xc_rnn_dir;

/* Scratch doubles one step needs (xc_rnn_step's `work`). */
size_t xc_rnn_work_size(const xc_rnn_dir *d);

/* One time step of one batch row: x (input) and the states h (hidden) and, for LSTM, c
 * (hidden) in, the new states out in place. */
void xc_rnn_step(const xc_rnn_dir *d, const double *x, double *h, double *c, double *work);

/* act(clip(v)): the activation applied to a gate's input, bounded by the cell clip. */
double xc_rnn_activate(const xc_rnn_act *act, double clip, double v);

/* out[k] = bias[k] + sum_j m[k][j] * v[j] for k < rows: a gate block's pre-activation. */
void xc_rnn_matvec(const double *m, const double *v, const double *bias, int64_t rows, int64_t cols, double *out);
#endif

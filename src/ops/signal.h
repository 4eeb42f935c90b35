/* signal.h — DFT and STFT argument resolution shared by their schemas (src/ops/signal.c) and
 * reference kernels, so both read axis, lengths and output sizes the same way. */
#ifndef XC_SIGNAL_H
#define XC_SIGNAL_H
#include "graph.h"

typedef struct xc_dft_plan {
    int axis;       /* signal axis in [0, rank - 2]; -1 when unknown (axis input not constant) */
    int64_t length; /* transform length; -1 when unknown */
    int inverse, onesided;
    int real_out;    /* inverse + onesided: a real (last dim 1) signal of `length` samples */
    int64_t out_len; /* output size along axis (-1 unknown) */
} xc_dft_plan;

/* DFT: x has (rank, dims); dft_length and axis (opset 20+) are the inputs' values when known.
 * A present input whose value is unknown is passed as present with a NULL value. */
xc_status xc_dft_plan_of(const xc_node *n, int opset, int rank, const int64_t *dims, int len_present, const xc_tensor *len,
                         int axis_present, const xc_tensor *axis_t, xc_dft_plan *p);

typedef struct xc_stft_plan {
    int64_t step, length, frames, bins; /* -1 where unknown */
} xc_stft_plan;

/* STFT: signal is (batch, samples, 1|2); step, window and frame_length as for the DFT. */
xc_status xc_stft_plan_of(const xc_node *n, const int64_t *signal_dims, const xc_tensor *step, int window_present,
                          int64_t window_len, int len_present, const xc_tensor *len, xc_stft_plan *p);
#endif

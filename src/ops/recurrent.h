/* recurrent.h — what the schemas of RNN, GRU and LSTM (src/ops/recurrent.c) and their reference
 * kernels (reference/ops/recurrent*.c) share: the cell kinds, the activation table and the one
 * reading of a node's activations / activation_alpha / activation_beta / direction attributes,
 * so that validation and the kernels cannot disagree on them. */
#ifndef XC_RECURRENT_H
#define XC_RECURRENT_H
#include "graph.h"

typedef enum { XC_RNN_SIMPLE, XC_RNN_GRU, XC_RNN_LSTM } xc_rnn_cell;

/* The activation functions the recurrent ops accept (ONNX names, matched case-insensitively as
 * ONNX Runtime does). */
typedef enum {
    XC_RNN_RELU,
    XC_RNN_TANH,
    XC_RNN_SIGMOID,
    XC_RNN_AFFINE,
    XC_RNN_LEAKY_RELU,
    XC_RNN_THRESHOLDED_RELU,
    XC_RNN_SCALED_TANH,
    XC_RNN_HARD_SIGMOID,
    XC_RNN_ELU,
    XC_RNN_SOFTSIGN,
    XC_RNN_SOFTPLUS
} xc_rnn_act_kind;

typedef struct xc_rnn_act {
    xc_rnn_act_kind kind;
    float alpha, beta;
} xc_rnn_act;

enum { XC_RNN_MAX_ACTS = 6 }; /* LSTM's f, g, h for each of two directions */

/* A node's direction and activations, resolved. */
typedef struct xc_rnn_config {
    int dirs;                        /* 1, or 2 when bidirectional */
    int reverse;                     /* direction "reverse" (only when dirs == 1) */
    int per_dir;                     /* activations per direction: RNN 1, GRU 2, LSTM 3 */
    xc_rnn_act act[XC_RNN_MAX_ACTS]; /* direction d's k-th activation at act[d * per_dir + k] */
} xc_rnn_config;

/* Sizes of a node: layout 0 X is (seq, batch, input), layout 1 (batch, seq, input); R is
 * (dirs, rows = gates * hidden, hidden). */
typedef struct xc_rnn_geom {
    int64_t seq, batch, input, hidden, rows, dirs;
    int layout;
} xc_rnn_geom;
xc_rnn_geom xc_rnn_geom_of(const int64_t *x_dims, const int64_t *r_dims, int layout);

/* Gates stacked in W and R: RNN 1, GRU 3 (z, r, h), LSTM 4 (i, o, f, c). */
int xc_rnn_gates(xc_rnn_cell cell);
/* The cell of an op type ("RNN", "GRU", "LSTM"). */
xc_rnn_cell xc_rnn_cell_of(const char *op_type);

/* Reads direction and activations. activation_alpha/activation_beta are consumed in order by
 * the activations that take them (Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid,
 * Elu); missing values default to those of the ONNX operator of that name. A bidirectional node
 * may list one direction's activations, which then serve both. Fails naming the node on an
 * unknown direction or activation name or a wrong number of activations. */
xc_status xc_rnn_config_read(const xc_node *n, xc_rnn_config *cfg);

#endif

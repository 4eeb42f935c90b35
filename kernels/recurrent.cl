/* recurrent.cl — ONNX RNN, GRU and LSTM (layer kinds rnn, gru, lstm; src/ocl/layers/recurrent.c).
 * Two or three launches per layer, sharing the layer's workspace (float):
 *   recurrent_project: the input projection of every time step at once, X*W^T + Wb, one
 *     work-item per element of proj (dirs, seq, batch, gates * hidden);
 *   recurrent_transpose (variant rt, -DR_TRANSPOSED): R transposed after it, rt (dirs, hidden,
 *     gates * hidden) in float, so that the work-items of a step (one per unit) read consecutive
 *     elements (variant direct: each reads its own row of R);
 *   recurrent_sequence: a persistent work-group per (direction, batch row) walking its row's
 *     time steps: the recurrent projection h*R^T + Rb, the gates and the new states, with h (and
 *     c, and GRU's r (.) h) in local memory and a barrier between steps.
 * Gate order: GRU z, r, h; LSTM i, o, f, c; peepholes i, o, f. The cell clip bounds the input of
 * every gate activation (not the cell state before LSTM's h), as the reference does.
 * Defines from the layer: CELL_SIMPLE / CELL_GRU / CELL_LSTM (cell kinds) and ACT_<NAME> (the
 * activation kinds), both the values of src/ops/recurrent.h's enums. */

/* Bits of recurrent_sequence's `flags`: the optional inputs and outputs present, and the cell's
 * switches. Mirrored by recurrent.c. */
#define HAS_B 1
#define HAS_LENS 2
#define HAS_H0 4
#define HAS_C0 8
#define HAS_P 16
#define HAS_Y 32
#define HAS_YH 64
#define HAS_YC 128
#define LINEAR_BEFORE_RESET 256
#define INPUT_FORGET 512

/* act(clip(v)) for activation k of a direction's table: (kind, alpha, beta) per activation. */
inline float rnn_act(__global const float *acts, int k, float clip, float v)
{
    const int kind = (int)acts[3 * k];
    const float a = acts[3 * k + 1], b = acts[3 * k + 2];
    const float x = v < -clip ? -clip : v > clip ? clip : v;
    switch (kind) {
    case ACT_RELU: return x < 0 ? 0.0f : x;
    case ACT_TANH: return tanh(x);
    case ACT_SIGMOID: return 1.0f / (1.0f + exp(-x));
    case ACT_AFFINE: return a * x + b;
    case ACT_LEAKY_RELU: return x < 0 ? a * x : x;
    case ACT_THRESHOLDED_RELU: return x > a ? x : 0.0f;
    case ACT_SCALED_TANH: return a * tanh(b * x);
    case ACT_HARD_SIGMOID: return isnan(x) ? x : fmax(0.0f, fmin(1.0f, a * x + b));
    case ACT_ELU: return x < 0 ? a * expm1(x) : x;
    case ACT_SOFTSIGN: return x / (1.0f + fabs(x));
    case ACT_SOFTPLUS: return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
    }
    return NAN;
}

__kernel void recurrent_project(__global const store_t *x, __global const store_t *w, __global const store_t *bias,
                                __global float *proj, const int seq, const int batch, const int input, const int rows,
                                const int dirs, const int layout, const int has_bias)
{
    const int i = get_global_id(0);
    if (i >= dirs * seq * batch * rows) return;
    const int row = i % rows, b = i / rows % batch, t = i / rows / batch % seq, d = i / rows / batch / seq;
    const int xo = (layout ? b * seq + t : t * batch + b) * input, wo = (d * rows + row) * input;
    float acc = 0.0f;
    for (int k = 0; k < input; k++) acc += LOAD(x, xo + k) * LOAD(w, wo + k);
    proj[i] = acc + (has_bias ? LOAD(bias, d * 2 * rows + row) : 0.0f);
}

__kernel void recurrent_transpose(__global const store_t *r, __global float *ws, const int rt_off, const int total,
                                  const int rows, const int hidden)
{
    const int i = get_global_id(0); /* r[d][row][k] -> rt[d][k][row] */
    if (i >= total) return;
    const int k = i % hidden, row = i / hidden % rows, d = i / hidden / rows;
    ws[rt_off + (d * hidden + k) * rows + row] = LOAD(r, i);
}

#ifdef R_TRANSPOSED
typedef float r_t;
#define R_AT(r, j, k, hidden, rows) ((r)[(k) * (rows) + (j)])
#else
typedef store_t r_t;
#define R_AT(r, j, k, hidden, rows) LOAD(r, (j) * (hidden) + (k))
#endif

/* Row j of one direction's R times the state v: a unit's recurrent projection. */
inline float rnn_dot(__global const r_t *r, int j, __local const float *v, int hidden, int rows)
{
    float acc = 0.0f;
    for (int k = 0; k < hidden; k++) acc += R_AT(r, j, k, hidden, rows) * v[k];
    return acc;
}

/* The new h of unit j (and, for LSTM, its new c in aux[j]); xw: this step's input projection,
 * r: this direction's R (or R^T), rb: the recurrent bias (NULL when absent), p: the peepholes (NULL when absent). */
inline float rnn_unit(const int cell, const int flags, const int j, const int hidden, const int rows, __global const float *xw,
                      __global const r_t *r, __global const store_t *rb, __global const store_t *p,
                      __global const float *acts, const float clip, __local const float *h, __local float *aux)
{
    const int n = hidden;
#define RB(g) (rb ? LOAD(rb, (g) * n + j) : 0.0f)
#define PRE(g) (xw[(g) * n + j] + rnn_dot(r, (g) * n + j, h, n, rows) + RB(g))
    if (cell == CELL_SIMPLE) return rnn_act(acts, 0, clip, PRE(0));
    if (cell == CELL_GRU) {
        const float z = rnn_act(acts, 0, clip, PRE(0));
        float rec;
        if (flags & LINEAR_BEFORE_RESET)
            rec = rnn_act(acts, 0, clip, PRE(1)) * (rnn_dot(r, 2 * n + j, h, n, rows) + RB(2));
        else
            rec = rnn_dot(r, 2 * n + j, aux, n, rows) + RB(2); /* aux holds r (.) h */
        const float cand = rnn_act(acts, 1, clip, xw[2 * n + j] + rec);
        return (1.0f - z) * cand + z * h[j];
    }
    const float c = aux[j];
    const float pi = p ? LOAD(p, j) : 0.0f, po = p ? LOAD(p, n + j) : 0.0f, pf = p ? LOAD(p, 2 * n + j) : 0.0f;
    const float i = rnn_act(acts, 0, clip, PRE(0) + pi * c);
    const float f = (flags & INPUT_FORGET) ? 1.0f - i : rnn_act(acts, 0, clip, PRE(2) + pf * c);
    const float g = rnn_act(acts, 1, clip, PRE(3));
    const float cell_state = f * c + i * g;
    const float o = rnn_act(acts, 0, clip, PRE(1) + po * cell_state);
    aux[j] = cell_state; /* only unit j reads or writes aux[j] under LSTM */
    return o * rnn_act(acts, 2, INFINITY, cell_state);
#undef PRE
#undef RB
}

/* One work-group per (direction, batch row); local h, hn (the step's new h) and aux (LSTM: c;
 * GRU without linear_before_reset: r (.) h), hidden floats each. A row whose sequence_lens is
 * outside [0, seq] sets the layer's status flag. */
__kernel void recurrent_sequence(__global const float *proj, __global const r_t *r, const int r_off, __global const store_t *bias,
                                 __global const int *lens, __global const store_t *h0, __global const store_t *c0,
                                 __global const store_t *peep, __global store_t *y, __global store_t *yh, __global store_t *yc,
                                 __global const float *act_table, const int seq, const int batch, const int hidden,
                                 const int dirs, const int layout, const int reverse, const int cell, const int flags,
                                 const float clip, __local float *h, __local float *hn, __local float *aux,
                                 __global int *status, const int layer)
{
    const int d = get_group_id(0) / batch, b = get_group_id(0) % batch;
    const int lid = get_local_id(0), wg = get_local_size(0);
    const int gates = cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1, rows = gates * hidden;
    const int rev = dirs == 2 ? d : reverse;
    const int given = (flags & HAS_LENS) ? lens[b] : seq, bad = given < 0 || given > seq;
    if (bad && lid == 0) status[layer] = 1;
    const int len = bad ? 0 : given; /* no early return: every work-item must reach the barriers */
    const int st = (layout ? b * dirs + d : d * batch + b) * hidden;
    __global const r_t *rd = r + r_off + d * hidden * rows;
    __global const store_t *rb = (flags & HAS_B) ? bias + d * 2 * rows + rows : 0;
    __global const store_t *p = (flags & HAS_P) ? peep + d * 3 * hidden : 0;
    __global const float *acts = act_table + d * 9;
    for (int j = lid; j < hidden; j += wg) {
        h[j] = (flags & HAS_H0) ? LOAD(h0, st + j) : 0.0f;
        aux[j] = cell == CELL_LSTM && (flags & HAS_C0) ? LOAD(c0, st + j) : 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = 0; s < len; s++) {
        const int t = rev ? len - 1 - s : s;
        __global const float *xw = proj + ((d * seq + t) * batch + b) * rows;
        if (cell == CELL_GRU && !(flags & LINEAR_BEFORE_RESET)) {
            for (int j = lid; j < hidden; j += wg) {
                const float pre = xw[hidden + j] + rnn_dot(rd, hidden + j, h, hidden, rows) + (rb ? LOAD(rb, hidden + j) : 0.0f);
                aux[j] = rnn_act(acts, 0, clip, pre) * h[j];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        for (int j = lid; j < hidden; j += wg) hn[j] = rnn_unit(cell, flags, j, hidden, rows, xw, rd, rb, p, acts, clip, h, aux);
        barrier(CLK_LOCAL_MEM_FENCE);
        const int yo = (layout ? (b * seq + t) * dirs + d : (t * dirs + d) * batch + b) * hidden;
        for (int j = lid; j < hidden; j += wg) {
            h[j] = hn[j];
            if (flags & HAS_Y) STORE(y, yo + j, hn[j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int t = len; !bad && (flags & HAS_Y) && t < seq; t++) { /* past the row's length Y is zero */
        const int yo = (layout ? (b * seq + t) * dirs + d : (t * dirs + d) * batch + b) * hidden;
        for (int j = lid; j < hidden; j += wg) STORE(y, yo + j, 0.0f);
    }
    for (int j = lid; !bad && j < hidden; j += wg) { /* a row of length 0 gets zero states */
        if (flags & HAS_YH) STORE(yh, st + j, len ? h[j] : 0.0f);
        if (flags & HAS_YC) STORE(yc, st + j, len ? aux[j] : 0.0f);
    }
}

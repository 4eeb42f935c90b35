/* recurrent.c — the layer kinds rnn, gru and lstm: ONNX RNN, GRU and LSTM on float32 (stored as
 * half under --fp16) with every attribute the reference takes: forward, reverse and
 * bidirectional; the eleven activations with activation_alpha/beta; clip; input_forget;
 * linear_before_reset; layout 0 and 1; the optional inputs (B, sequence_lens, initial_h,
 * initial_c, P) and outputs (Y, Y_h, Y_c). Tactic <kind>.sequence (kernels/recurrent.cl): the
 * input projection of all time steps at once into the workspace, then one persistent work-group
 * per (direction, batch row) walking its steps with the states in local memory. Variant direct
 * reads R's rows as stored; variant rt first transposes R into the workspace, so that the
 * work-items of a step (one per unit) read consecutive elements, as a GPU wants; the tuner times
 * both.
 * Refused (so the node falls back to the CPU or the build fails naming it): other dtypes, a
 * sequence_lens that is not int32, and a hidden size whose states do not fit local memory. */
#include "ocl/engine.h"
#include "ops/recurrent.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Inputs and outputs by ONNX position. */
enum { IN_X, IN_W, IN_R, IN_B, IN_LENS, IN_H0, IN_C0, IN_P, N_IN };
enum { OUT_Y, OUT_YH, OUT_YC, N_OUT };
/* recurrent.cl's `flags` bits, in the order: inputs B..P present, outputs Y..Y_c present. */
enum { HAS_B = 1, HAS_LENS = 2, HAS_H0 = 4, HAS_C0 = 8, HAS_P = 16, HAS_Y = 32, HAS_YH = 64, HAS_YC = 128 };
enum { LINEAR_BEFORE_RESET = 256, INPUT_FORGET = 512 };
enum { ACT_SLOTS = 3 }; /* activations per direction in the kernel's table (LSTM's f, g, h) */
/* Work-items of a sequence work-group at most: a step's units beyond it are strided over them, and
 * every GPU runs a group this size. */
enum { SEQUENCE_WG_MAX = 256 };

static int in_id(const xc_layer *l, int i) { return i < l->n_in ? l->in[i] : -1; }
static int out_id(const xc_layer *l, int o) { return o < l->n_out ? l->out[o] : -1; }

/* Local floats one work-group needs: h, the step's new h, and c or r (.) h. */
static size_t local_bytes(int64_t hidden) { return 3 * (size_t)hidden * sizeof(float); }

static int accepts(const xc_engine *e, const xc_layer *l)
{
    const xc_node *n = l->node;
    if (n->domain[0] || (strcmp(n->op_type, "RNN") && strcmp(n->op_type, "GRU") && strcmp(n->op_type, "LSTM"))) return 0;
    if (l->n_in > N_IN || l->n_out > N_OUT || in_id(l, IN_X) < 0 || in_id(l, IN_W) < 0 || in_id(l, IN_R) < 0) return 0;
    for (int i = 0; i < l->n_in; i++) {
        if (l->in[i] < 0) continue;
        xc_dtype want = i == IN_LENS ? XC_INT32 : XC_FLOAT;
        if (e->tensors[l->in[i]].dtype != want) return 0;
    }
    for (int o = 0; o < l->n_out; o++)
        if (l->out[o] >= 0 && e->tensors[l->out[o]].dtype != XC_FLOAT) return 0;
    const xc_etensor *x = &e->tensors[l->in[IN_X]], *r = &e->tensors[l->in[IN_R]];
    if (x->rank != 3 || r->rank != 3 || !xc_et_numel(x) || r->dims[2] < 1) return 0;
    if (local_bytes(r->dims[2]) > e->dev->local_mem) return 0;
    /* the kernels index with int: the workspace (dirs x rows x (seq x batch + hidden)), W, R and X must fit */
    double dir_rows = (double)r->dims[0] * (double)r->dims[1], steps = (double)xc_et_numel(x) / (double)x->dims[2];
    if (dir_rows * (steps + (double)r->dims[2]) >= INT_MAX || dir_rows * (double)x->dims[2] >= INT_MAX
        || dir_rows * (double)r->dims[2] >= INT_MAX || (double)xc_et_numel(x) >= INT_MAX)
        return 0;
    int64_t layout = xc_attr_int(n, "layout", 0);
    xc_rnn_config cfg;
    if (xc_rnn_config_read(n, &cfg) != XC_OK) {
        xc_error_clear(); /* a malformed node: the reference reports it */
        return 0;
    }
    return layout == 0 || layout == 1;
}

static xc_rnn_geom shape_of(const xc_engine *e, const xc_layer *l)
{
    return xc_rnn_geom_of(e->tensors[l->in[IN_X]].dims, e->tensors[l->in[IN_R]].dims, (int)xc_attr_int(l->node, "layout", 0));
}

/* The kernel's activation table: per direction ACT_SLOTS x (kind, alpha, beta). */
static xc_status launch_acts(xc_engine *e, xc_launch *k, const xc_rnn_config *cfg)
{
    float table[2 * ACT_SLOTS * 3] = {0};
    for (int d = 0; d < cfg->dirs; d++)
        for (int a = 0; a < cfg->per_dir; a++) {
            const xc_rnn_act *act = &cfg->act[d * cfg->per_dir + a];
            float *t = table + (d * ACT_SLOTS + a) * 3;
            t[0] = (float)act->kind;
            t[1] = act->alpha;
            t[2] = act->beta;
        }
    int w;
    XC_TRY(xc_engine_add_weight(e, table, sizeof table, &w));
    xc_launch_weight(k, w);
    return XC_OK;
}

/* Binds optional input i, or the workspace when absent (never read then); sets `bit` in *flags. */
static xc_status bind_optional_input(xc_engine *e, const xc_layer *l, xc_launch *k, int i, int bit, int *flags)
{
    if (in_id(l, i) < 0) {
        xc_launch_workspace(k);
        return XC_OK;
    }
    *flags |= bit;
    return xc_launch_input(e, l, k, l->in[i]);
}

static void bind_optional_output(const xc_layer *l, xc_launch *k, int o, int bit, int *flags)
{
    if (out_id(l, o) < 0) {
        xc_launch_workspace(k);
        return;
    }
    *flags |= bit;
    xc_launch_tensor(k, l->out[o]);
}

/* The cell and activation kinds as -D defines, from src/ops/recurrent.h's enums. */
static void kind_defines(char *buf, size_t len, const char *defines)
{
    snprintf(buf, len,
             "-DCELL_SIMPLE=%d -DCELL_GRU=%d -DCELL_LSTM=%d -DACT_RELU=%d -DACT_TANH=%d -DACT_SIGMOID=%d -DACT_AFFINE=%d "
             "-DACT_LEAKY_RELU=%d -DACT_THRESHOLDED_RELU=%d -DACT_SCALED_TANH=%d -DACT_HARD_SIGMOID=%d -DACT_ELU=%d "
             "-DACT_SOFTSIGN=%d -DACT_SOFTPLUS=%d %s",
             XC_RNN_SIMPLE, XC_RNN_GRU, XC_RNN_LSTM, XC_RNN_RELU, XC_RNN_TANH, XC_RNN_SIGMOID, XC_RNN_AFFINE, XC_RNN_LEAKY_RELU,
             XC_RNN_THRESHOLDED_RELU, XC_RNN_SCALED_TANH, XC_RNN_HARD_SIGMOID, XC_RNN_ELU, XC_RNN_SOFTSIGN, XC_RNN_SOFTPLUS,
             defines ? defines : "");
}

static xc_status project_launch(xc_engine *e, xc_layer *l, cl_program p, const xc_rnn_geom *s)
{
    xc_launch *k = xc_layer_add_launch(l, p, "recurrent_project");
    int flags = 0;
    XC_TRY(xc_launch_input(e, l, k, l->in[IN_X]));
    XC_TRY(xc_launch_input(e, l, k, l->in[IN_W]));
    XC_TRY(bind_optional_input(e, l, k, IN_B, HAS_B, &flags));
    xc_launch_workspace(k);
    xc_launch_int(k, s->seq);
    xc_launch_int(k, s->batch);
    xc_launch_int(k, s->input);
    xc_launch_int(k, s->rows);
    xc_launch_int(k, s->dirs);
    xc_launch_int(k, s->layout);
    xc_launch_int(k, flags != 0);
    xc_launch_1d(k, (size_t)(s->dirs * s->seq * s->batch * s->rows));
    return XC_OK;
}

/* Elements of the workspace before R^T: the projection's. */
static size_t rt_offset(const xc_rnn_geom *s) { return (size_t)(s->dirs * s->seq * s->batch * s->rows); }

static xc_status transpose_launch(xc_engine *e, xc_layer *l, cl_program p, const xc_rnn_geom *s)
{
    xc_launch *k = xc_layer_add_launch(l, p, "recurrent_transpose");
    XC_TRY(xc_launch_input(e, l, k, l->in[IN_R]));
    xc_launch_workspace(k);
    xc_launch_int(k, (int64_t)rt_offset(s));
    xc_launch_int(k, s->dirs * s->rows * s->hidden);
    xc_launch_int(k, s->rows);
    xc_launch_int(k, s->hidden);
    xc_launch_1d(k, (size_t)(s->dirs * s->rows * s->hidden));
    return XC_OK;
}

static xc_status sequence_launch(xc_engine *e, xc_layer *l, cl_program p, const xc_rnn_geom *s, int transposed)
{
    const xc_node *n = l->node;
    xc_rnn_config cfg;
    XC_TRY(xc_rnn_config_read(n, &cfg));
    xc_launch *k = xc_layer_add_launch(l, p, "recurrent_sequence");
    int flags = 0;
    xc_launch_workspace(k);
    if (transposed) {
        xc_launch_workspace(k);
        xc_launch_int(k, (int64_t)rt_offset(s));
    } else {
        XC_TRY(xc_launch_input(e, l, k, l->in[IN_R]));
        xc_launch_int(k, 0);
    }
    XC_TRY(bind_optional_input(e, l, k, IN_B, HAS_B, &flags));
    XC_TRY(bind_optional_input(e, l, k, IN_LENS, HAS_LENS, &flags));
    XC_TRY(bind_optional_input(e, l, k, IN_H0, HAS_H0, &flags));
    XC_TRY(bind_optional_input(e, l, k, IN_C0, HAS_C0, &flags));
    XC_TRY(bind_optional_input(e, l, k, IN_P, HAS_P, &flags));
    bind_optional_output(l, k, OUT_Y, HAS_Y, &flags);
    bind_optional_output(l, k, OUT_YH, HAS_YH, &flags);
    bind_optional_output(l, k, OUT_YC, HAS_YC, &flags);
    XC_TRY(launch_acts(e, k, &cfg));
    if (xc_attr_int(n, "linear_before_reset", 0)) flags |= LINEAR_BEFORE_RESET;
    if (xc_attr_int(n, "input_forget", 0)) flags |= INPUT_FORGET;
    const xc_attr *clip = xc_node_attr(n, "clip");
    xc_launch_int(k, s->seq);
    xc_launch_int(k, s->batch);
    xc_launch_int(k, s->hidden);
    xc_launch_int(k, s->dirs);
    xc_launch_int(k, s->layout);
    xc_launch_int(k, cfg.reverse);
    xc_launch_int(k, xc_rnn_cell_of(n->op_type));
    xc_launch_int(k, flags);
    xc_launch_float(k, clip ? clip->f : INFINITY);
    for (int i = 0; i < 3; i++) xc_launch_local(k, local_bytes(s->hidden) / 3);
    xc_launch_status(e, l, k);
    /* a work-group per (direction, row): as many work-items as units, up to the device's limit */
    size_t wg = xc_round_up((size_t)s->hidden, XC_WG_DEFAULT);
    if (wg > SEQUENCE_WG_MAX) wg = SEQUENCE_WG_MAX;
    if (wg > e->dev->max_wg) wg = e->dev->max_wg;
    size_t global = wg * (size_t)(s->dirs * s->batch);
    xc_launch_range(k, 1, &global, &wg);
    return XC_OK;
}

/* Variant rt (-DR_TRANSPOSED) reads R transposed into the workspace, direct reads R's rows. */
static xc_status sequence_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    xc_rnn_geom s = shape_of(e, l);
    int transposed = defines && strstr(defines, "-DR_TRANSPOSED") != NULL;
    char opts[768];
    kind_defines(opts, sizeof opts, defines);
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "recurrent.cl", NULL, opts, &p));
    size_t rt = transposed ? (size_t)(s.dirs * s.rows * s.hidden) : 0;
    l->workspace = (rt_offset(&s) + rt) * sizeof(float); /* the projection (and R^T), float under fp16 */
    XC_TRY(project_launch(e, l, p, &s));
    if (transposed) XC_TRY(transpose_launch(e, l, p, &s));
    return sequence_launch(e, l, p, &s, transposed);
}

static const xc_variant variants[] = {{"direct", ""}, {"rt", "-DR_TRANSPOSED"}, {NULL, NULL}};
static const xc_tactic rnn_sequence = {"rnn.sequence", NULL, variants, sequence_prepare, NULL};
static const xc_tactic gru_sequence = {"gru.sequence", NULL, variants, sequence_prepare, NULL};
static const xc_tactic lstm_sequence = {"lstm.sequence", NULL, variants, sequence_prepare, NULL};
static const xc_tactic *const rnn_tactics[] = {&rnn_sequence, NULL};
static const xc_tactic *const gru_tactics[] = {&gru_sequence, NULL};
static const xc_tactic *const lstm_tactics[] = {&lstm_sequence, NULL};

static int accepts_rnn(const xc_engine *e, const xc_layer *l) { return !strcmp(l->node->op_type, "RNN") && accepts(e, l); }
static int accepts_gru(const xc_engine *e, const xc_layer *l) { return !strcmp(l->node->op_type, "GRU") && accepts(e, l); }
static int accepts_lstm(const xc_engine *e, const xc_layer *l) { return !strcmp(l->node->op_type, "LSTM") && accepts(e, l); }

const xc_layer_kind xc_kind_rnn = {"rnn", accepts_rnn, rnn_tactics, 1};
const xc_layer_kind xc_kind_gru = {"gru", accepts_gru, gru_tactics, 1};
const xc_layer_kind xc_kind_lstm = {"lstm", accepts_lstm, lstm_tactics, 1};

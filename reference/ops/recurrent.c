/* recurrent.c — reference kernels of RNN, GRU and LSTM: the driver that walks directions, batch
 * rows and time steps (the cells' steps are in recurrent_cells.c).
 *
 * Each batch row runs its own sequence_lens[b] steps (all seq_length without the input); the
 * reverse direction starts from the row's own last valid step. Y is zero past a row's length
 * (outputs arrive zeroed), Y_h / Y_c hold the state after the row's last valid step, and a row
 * of length 0 gets zero states, as ONNX Runtime gives. */
#include "ref.h"
#include "recurrent.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Sizes of one node and where its tensors' elements lie under the layout. */
typedef xc_rnn_geom rnn_geom;

static size_t x_at(const rnn_geom *g, int64_t t, int64_t b)
{
    return (size_t)((g->layout ? b * g->seq + t : t * g->batch + b) * g->input);
}

static size_t state_at(const rnn_geom *g, int64_t d, int64_t b)
{
    return (size_t)((g->layout ? b * g->dirs + d : d * g->batch + b) * g->hidden);
}

static size_t y_at(const rnn_geom *g, int64_t t, int64_t d, int64_t b)
{
    return (size_t)((g->layout ? (b * g->seq + t) * g->dirs + d : (t * g->dirs + d) * g->batch + b) * g->hidden);
}

static void load(const xc_tensor *t, size_t at, size_t n, double *dst)
{
    for (size_t i = 0; i < n; i++) dst[i] = t ? xc_load_f64(t->dtype, t->data, at + i) : 0;
}

static void store(xc_tensor *t, size_t at, size_t n, const double *src)
{
    if (!t) return;
    for (size_t i = 0; i < n; i++) xc_store_f64(t->dtype, t->data, at + i, src[i]);
}

static const xc_tensor *input(const xc_ref_args *a, int i) { return i < a->n_in ? a->in[i] : NULL; }
static xc_tensor *output(const xc_ref_args *a, int o) { return o < a->n_out ? a->out[o] : NULL; }

/* The row's number of valid steps; fails naming the node when outside [0, seq_length]. */
static xc_status row_length(const xc_ref_args *a, const rnn_geom *g, int64_t b, int64_t *len)
{
    const xc_tensor *lens = input(a, 4);
    *len = lens ? xc_load_i64(lens->dtype, lens->data, (size_t)b) : g->seq;
    if (*len < 0 || *len > g->seq)
        return xc_ref_fail(a, XC_ERR_MODEL, "sequence_lens[%lld] is %lld, outside 0..%lld", (long long)b, (long long)*len,
                           (long long)g->seq);
    return XC_OK;
}

/* Runs direction d of batch row b; state holds h then c (hidden each), x and work scratch. */
static void run_row(const xc_ref_args *a, const rnn_geom *g, const xc_rnn_dir *dir, int64_t d, int reverse, int64_t b,
                    int64_t len, double *state, double *x, double *work)
{
    double *h = state, *c = state + g->hidden;
    size_t at = state_at(g, d, b), n = (size_t)g->hidden;
    load(input(a, 5), at, n, h);
    load(input(a, 6), at, n, c);
    for (int64_t s = 0; s < len; s++) {
        int64_t t = reverse ? len - 1 - s : s;
        load(a->in[0], x_at(g, t, b), (size_t)g->input, x);
        xc_rnn_step(dir, x, h, c, work);
        store(output(a, 0), y_at(g, t, d, b), n, h);
    }
    if (len == 0) memset(state, 0, 2 * n * sizeof *state);
    store(output(a, 1), at, n, h);
    store(output(a, 2), at, n, c);
}

/* The weights of every direction in double: W, R, B (zeros when absent), P (zeros). */
typedef struct rnn_weights {
    double *w, *r, *b, *p;
} rnn_weights;

static xc_status load_weights(const xc_ref_args *a, const rnn_geom *g, rnn_weights *wt)
{
    size_t nw = (size_t)(g->dirs * g->rows * g->input), nr = (size_t)(g->dirs * g->rows * g->hidden);
    size_t nb = (size_t)(g->dirs * 2 * g->rows), np = (size_t)(g->dirs * 3 * g->hidden);
    wt->w = malloc((nw + nr + nb + np + 1) * sizeof(double));
    if (!wt->w) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    wt->r = wt->w + nw;
    wt->b = wt->r + nr;
    wt->p = wt->b + nb;
    load(a->in[1], 0, nw, wt->w);
    load(a->in[2], 0, nr, wt->r);
    load(input(a, 3), 0, nb, wt->b);
    load(a->n_in > 7 ? a->in[7] : NULL, 0, np, wt->p);
    return XC_OK;
}

/* Direction d's view of the weights and attributes. */
static xc_rnn_dir direction(const xc_ref_args *a, const rnn_geom *g, const rnn_weights *wt, const xc_rnn_config *cfg, int64_t d)
{
    xc_rnn_cell cell = xc_rnn_cell_of(a->node->op_type);
    const xc_attr *clip = xc_node_attr(a->node, "clip");
    xc_rnn_dir dir = {
        .cell = cell,
        .input = g->input,
        .hidden = g->hidden,
        .gates = xc_rnn_gates(cell),
        .w = wt->w + d * g->rows * g->input,
        .r = wt->r + d * g->rows * g->hidden,
        .wb = wt->b + d * 2 * g->rows,
        .rb = wt->b + d * 2 * g->rows + g->rows,
        .p = wt->p + d * 3 * g->hidden,
        .act = cfg->act + d * cfg->per_dir,
        .clip = clip ? clip->f : INFINITY,
        .input_forget = xc_attr_int(a->node, "input_forget", 0) != 0,
        .linear_before_reset = xc_attr_int(a->node, "linear_before_reset", 0) != 0,
        .t = a->in[0]->dtype,
    };
    return dir;
}

static xc_status ref_recurrent(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *r = a->in[2];
    xc_rnn_config cfg;
    XC_TRY(xc_rnn_config_read(a->node, &cfg));
    rnn_geom g = xc_rnn_geom_of(x->dims, r->dims, (int)xc_attr_int(a->node, "layout", 0));
    g.dirs = cfg.dirs;
    for (int o = 0; o < a->n_out; o++)
        if (a->node->outputs[o][0] && !a->out[o]) return xc_ref_fail(a, XC_ERR_INTERNAL, "output %d has no inferred shape", o);
    rnn_weights wt;
    XC_TRY(load_weights(a, &g, &wt));
    xc_rnn_dir d0 = direction(a, &g, &wt, &cfg, 0);
    double *scratch = malloc((2 * (size_t)g.hidden + (size_t)g.input + xc_rnn_work_size(&d0) + 1) * sizeof(double));
    if (!scratch) {
        free(wt.w);
        return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    }
    xc_status s = XC_OK;
    double *state = scratch, *xs = scratch + 2 * g.hidden, *work = xs + g.input;
    for (int64_t d = 0; s == XC_OK && d < g.dirs; d++) {
        xc_rnn_dir dir = direction(a, &g, &wt, &cfg, d);
        int reverse = g.dirs == 2 ? d == 1 : cfg.reverse;
        for (int64_t b = 0; s == XC_OK && b < g.batch; b++) {
            int64_t len = 0;
            s = row_length(a, &g, b, &len);
            if (s == XC_OK) run_row(a, &g, &dir, d, reverse, b, len, state, xs, work);
        }
    }
    free(scratch);
    free(wt.w);
    return s;
}

const xc_ref_kernel xc_ref_recurrent[] = {
    {"RNN", ref_recurrent},
    {"GRU", ref_recurrent},
    {"LSTM", ref_recurrent},
    {0},
};

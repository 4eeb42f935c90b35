/* recurrent.c — schemas of RNN, GRU and LSTM (opsets 7, 14 with layout, 22 with bfloat16), and
 * the reading of their direction and activation attributes (recurrent.h) that the reference
 * kernels share.
 *
 * Inputs: X, W, R, B, sequence_lens, initial_h (LSTM adds initial_c and P); outputs Y, Y_h
 * (LSTM adds Y_c), each optional. layout 0: X (seq, batch, input), Y (seq, dirs, batch,
 * hidden), states (dirs, batch, hidden); layout 1: X (batch, seq, input), Y (batch, seq, dirs,
 * hidden), states (batch, dirs, hidden). Checks fire only on sizes known at the time. */
#include "schema.h"
#include "checked.h"
#include "recurrent.h"
#include <stdio.h>
#include <strings.h>
#include <string.h>

/* ---- activations ---- */

typedef struct act_info {
    const char *name;
    int takes_alpha, takes_beta;
    float alpha, beta; /* the defaults of the ONNX operator of that name */
} act_info;

/* Indexed by xc_rnn_act_kind. Affine and ScaledTanh were ONNX ops (Affine: alpha 1, beta 0);
 * ScaledTanh's spec gave no defaults, 1 and 1 make it plain tanh. */
static const act_info acts[] = {
    [XC_RNN_RELU] = {"Relu", 0, 0, 0, 0},
    [XC_RNN_TANH] = {"Tanh", 0, 0, 0, 0},
    [XC_RNN_SIGMOID] = {"Sigmoid", 0, 0, 0, 0},
    [XC_RNN_AFFINE] = {"Affine", 1, 1, 1.0f, 0.0f},
    [XC_RNN_LEAKY_RELU] = {"LeakyRelu", 1, 0, 0.01f, 0},
    [XC_RNN_THRESHOLDED_RELU] = {"ThresholdedRelu", 1, 0, 1.0f, 0},
    [XC_RNN_SCALED_TANH] = {"ScaledTanh", 1, 1, 1.0f, 1.0f},
    [XC_RNN_HARD_SIGMOID] = {"HardSigmoid", 1, 1, 0.2f, 0.5f},
    [XC_RNN_ELU] = {"Elu", 1, 0, 1.0f, 0},
    [XC_RNN_SOFTSIGN] = {"Softsign", 0, 0, 0, 0},
    [XC_RNN_SOFTPLUS] = {"Softplus", 0, 0, 0, 0},
};
enum { N_ACTS = sizeof acts / sizeof acts[0] };

/* The default activations of each cell, for one direction. */
static const xc_rnn_act_kind default_acts[][3] = {
    [XC_RNN_SIMPLE] = {XC_RNN_TANH},
    [XC_RNN_GRU] = {XC_RNN_SIGMOID, XC_RNN_TANH},
    [XC_RNN_LSTM] = {XC_RNN_SIGMOID, XC_RNN_TANH, XC_RNN_TANH},
};

int xc_rnn_gates(xc_rnn_cell cell) { return cell == XC_RNN_LSTM ? 4 : cell == XC_RNN_GRU ? 3 : 1; }

xc_rnn_geom xc_rnn_geom_of(const int64_t *x_dims, const int64_t *r_dims, int layout)
{
    xc_rnn_geom g = {.seq = x_dims[layout ? 1 : 0],
                     .batch = x_dims[layout ? 0 : 1],
                     .input = x_dims[2],
                     .hidden = r_dims[2],
                     .rows = r_dims[1],
                     .dirs = r_dims[0],
                     .layout = layout};
    return g;
}

xc_rnn_cell xc_rnn_cell_of(const char *op_type)
{
    return !strcmp(op_type, "LSTM") ? XC_RNN_LSTM : !strcmp(op_type, "GRU") ? XC_RNN_GRU : XC_RNN_SIMPLE;
}

static xc_status read_direction(const xc_node *n, xc_rnn_config *cfg)
{
    const char *dir = xc_attr_string(n, "direction", "forward");
    cfg->dirs = !strcmp(dir, "bidirectional") ? 2 : 1;
    cfg->reverse = !strcmp(dir, "reverse");
    if (cfg->dirs == 1 && !cfg->reverse && strcmp(dir, "forward"))
        return xc_node_fail(n, XC_ERR_MODEL, "direction '%s' is not forward, reverse or bidirectional", dir);
    return XC_OK;
}

xc_status xc_rnn_config_read(const xc_node *n, xc_rnn_config *cfg)
{
    xc_rnn_cell cell = xc_rnn_cell_of(n->op_type);
    memset(cfg, 0, sizeof *cfg);
    XC_TRY(read_direction(n, cfg));
    cfg->per_dir = cell == XC_RNN_LSTM ? 3 : cell == XC_RNN_GRU ? 2 : 1;
    int total = cfg->per_dir * cfg->dirs;
    const xc_attr *names = xc_node_attr(n, "activations");
    size_t given = names && names->type == XC_ATTR_STRINGS ? names->n : 0;
    if (names && given != (size_t)total && given != (size_t)cfg->per_dir)
        return xc_node_fail(n, XC_ERR_MODEL, "activations lists %zu functions, expected %d (%d per direction)", given, total,
                            cfg->per_dir);
    const float *alpha = NULL, *beta = NULL;
    size_t n_alpha = 0, n_beta = 0, ia = 0, ib = 0;
    xc_attr_floats(n, "activation_alpha", &alpha, &n_alpha);
    xc_attr_floats(n, "activation_beta", &beta, &n_beta);
    for (int k = 0; k < total; k++) {
        xc_rnn_act *a = &cfg->act[k];
        if (!names) {
            a->kind = default_acts[cell][k % cfg->per_dir];
        } else if ((size_t)k >= given) {
            *a = cfg->act[k - cfg->per_dir]; /* one direction's list serves both */
            continue;
        } else {
            int found = -1;
            for (int i = 0; i < N_ACTS && found < 0; i++)
                if (!strcasecmp(names->strings[k], acts[i].name)) found = i;
            if (found < 0)
                return xc_node_fail(n, XC_ERR_MODEL,
                                    "unknown activation '%s' (expected Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, "
                                    "ScaledTanh, HardSigmoid, Elu, Softsign or Softplus)",
                                    names->strings[k]);
            a->kind = (xc_rnn_act_kind)found;
        }
        const act_info *info = &acts[a->kind];
        a->alpha = info->takes_alpha && ia < n_alpha ? alpha[ia++] : info->alpha;
        a->beta = info->takes_beta && ib < n_beta ? beta[ib++] : info->beta;
    }
    return XC_OK;
}

/* ---- shape inference ---- */

static int clash(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }
static int64_t known_times(int64_t a, int64_t k) { return a < 0 ? -1 : a * k; }

/* Sizes of one node, -1 where unknown. */
typedef struct rnn_dims {
    int64_t seq, batch, input, hidden, dirs, gates;
    int layout;
} rnn_dims;

/* Fails unless input i (when present with a known rank) has the given shape (-1: any size). */
static xc_status check_shape(xc_infer_ctx *c, int i, const char *what, int rank, const int64_t *want)
{
    if (i >= c->n_in || !c->in[i].present || c->in[i].rank < 0) return XC_OK;
    const xc_type_shape *t = &c->in[i];
    int bad = t->rank != rank;
    for (int d = 0; d < rank && !bad; d++) bad = clash(t->dims[d], want[d]);
    if (!bad) return XC_OK;
    char got[128], exp[128];
    size_t g = 0, e = 0;
    for (int d = 0; d < t->rank && g < sizeof got - 24; d++)
        g += (size_t)snprintf(got + g, sizeof got - g, "%s%lld", d ? ", " : "", (long long)t->dims[d]);
    for (int d = 0; d < rank && e < sizeof exp - 24; d++) {
        if (want[d] < 0)
            e += (size_t)snprintf(exp + e, sizeof exp - e, "%s?", d ? ", " : "");
        else
            e += (size_t)snprintf(exp + e, sizeof exp - e, "%s%lld", d ? ", " : "", (long long)want[d]);
    }
    got[g] = exp[e] = 0;
    return xc_infer_fail(c, "%s '%s' has shape (%s), expected (%s)", what, c->node->inputs[i], got, exp);
}

/* hidden_size: the attribute, else R's last axis; W and R must agree with it. */
static xc_status hidden_size(xc_infer_ctx *c, rnn_dims *g)
{
    const xc_type_shape *w = &c->in[1], *r = &c->in[2];
    const xc_attr *attr = xc_node_attr(c->node, "hidden_size");
    if (w->rank >= 0 && w->rank != 3) return xc_infer_fail(c, "W must be 3-D, got rank %d", w->rank);
    if (r->rank >= 0 && r->rank != 3) return xc_infer_fail(c, "R must be 3-D, got rank %d", r->rank);
    g->hidden = attr ? attr->i : r->rank == 3 ? r->dims[2] : -1;
    if (attr && attr->i <= 0) return xc_infer_fail(c, "hidden_size %lld must be positive", (long long)attr->i);
    int64_t widest; /* B's 2 * 4 * hidden is the largest product of it below */
    if (g->hidden > 0) XC_TRY(xc_mul_i64(c->node, "hidden_size * 8", g->hidden, 8, &widest));
    int64_t rows = known_times(g->hidden, g->gates);
    if (w->rank == 3 && clash(w->dims[1], rows))
        return xc_infer_fail(c, "hidden_size %lld does not match W '%s': axis 1 is %lld, expected %d * %lld",
                             (long long)g->hidden, c->node->inputs[1], (long long)w->dims[1], (int)g->gates,
                             (long long)g->hidden);
    if (r->rank == 3 && (clash(r->dims[1], rows) || clash(r->dims[2], g->hidden)))
        return xc_infer_fail(c, "hidden_size %lld does not match R '%s' of shape (%lld, %lld, %lld), expected (%lld, %lld, %lld)",
                             (long long)g->hidden, c->node->inputs[2], (long long)r->dims[0], (long long)r->dims[1],
                             (long long)r->dims[2], (long long)g->dirs, (long long)rows, (long long)g->hidden);
    return XC_OK;
}

static xc_status check_attrs(xc_infer_ctx *c, rnn_dims *g)
{
    xc_rnn_config cfg;
    XC_TRY(xc_rnn_config_read(c->node, &cfg));
    g->dirs = cfg.dirs;
    g->layout = (int)xc_attr_int(c->node, "layout", 0);
    if (g->layout != 0 && g->layout != 1) return xc_infer_fail(c, "layout %d is not 0 or 1", g->layout);
    const xc_attr *clip = xc_node_attr(c->node, "clip");
    if (clip && !(clip->f > 0)) return xc_infer_fail(c, "clip %g must be positive", (double)clip->f);
    int64_t lbr = xc_attr_int(c->node, "linear_before_reset", 0), forget = xc_attr_int(c->node, "input_forget", 0);
    if (lbr != 0 && lbr != 1) return xc_infer_fail(c, "linear_before_reset %lld is not 0 or 1", (long long)lbr);
    if (forget != 0 && forget != 1) return xc_infer_fail(c, "input_forget %lld is not 0 or 1", (long long)forget);
    return XC_OK;
}

static xc_status check_inputs(xc_infer_ctx *c, const rnn_dims *g)
{
    int64_t rows = known_times(g->hidden, g->gates);
    int64_t w[3] = {g->dirs, rows, g->input}, r[3] = {g->dirs, rows, g->hidden}, b[2] = {g->dirs, known_times(rows, 2)};
    int64_t lens[1] = {g->batch}, p[2] = {g->dirs, known_times(g->hidden, 3)};
    int64_t state[3] = {g->layout ? g->batch : g->dirs, g->layout ? g->dirs : g->batch, g->hidden};
    XC_TRY(check_shape(c, 1, "W", 3, w));
    XC_TRY(check_shape(c, 2, "R", 3, r));
    XC_TRY(check_shape(c, 3, "B", 2, b));
    XC_TRY(check_shape(c, 4, "sequence_lens", 1, lens));
    XC_TRY(check_shape(c, 5, "initial_h", 3, state));
    XC_TRY(check_shape(c, 6, "initial_c", 3, state));
    return check_shape(c, 7, "P", 2, p);
}

static xc_status infer_recurrent(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    for (int i = 0; i < c->n_in; i++)
        if (i != 4) XC_TRY(xc_infer_require_type(c, i, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 4, XC_BIT(XC_INT32)));
    for (int i = 1; i < c->n_in; i++)
        if (i != 4 && c->in[i].present && c->in[i].dtype != XC_UNDEFINED && x->dtype != XC_UNDEFINED
            && c->in[i].dtype != x->dtype)
            return xc_infer_fail(c, "input '%s' is %s but X is %s", c->node->inputs[i], xc_dtype_name(c->in[i].dtype),
                                 xc_dtype_name(x->dtype));
    rnn_dims g = {-1, -1, -1, -1, 1, xc_rnn_gates(xc_rnn_cell_of(c->node->op_type)), 0};
    XC_TRY(check_attrs(c, &g));
    for (int o = 0; o < c->n_out; o++) xc_infer_unknown(c, o, x->dtype);
    if (x->rank >= 0 && x->rank != 3) return xc_infer_fail(c, "X must be 3-D, got rank %d", x->rank);
    if (x->rank == 3) {
        g.seq = x->dims[g.layout ? 1 : 0];
        g.batch = x->dims[g.layout ? 0 : 1];
        g.input = x->dims[2];
    }
    XC_TRY(hidden_size(c, &g));
    XC_TRY(check_inputs(c, &g));
    int64_t y0[4] = {g.seq, g.dirs, g.batch, g.hidden}, y1[4] = {g.batch, g.seq, g.dirs, g.hidden};
    int64_t s0[3] = {g.dirs, g.batch, g.hidden}, s1[3] = {g.batch, g.dirs, g.hidden};
    for (int o = 0; o < c->n_out; o++) {
        if (!c->out[o].present) continue;
        if (o == 0)
            xc_infer_set(c, 0, x->dtype, 4, g.layout ? y1 : y0);
        else
            xc_infer_set(c, o, x->dtype, 3, g.layout ? s1 : s0);
    }
    return XC_OK;
}

#define COMMON_ATTRS                                                                                                             \
    {"activation_alpha", XC_ATTR_FLOATS, 0}, {"activation_beta", XC_ATTR_FLOATS, 0}, {"activations", XC_ATTR_STRINGS, 0},        \
        {"clip", XC_ATTR_FLOAT, 0}, {"direction", XC_ATTR_STRING, 0},                                                            \
    {                                                                                                                            \
        "hidden_size", XC_ATTR_INT, 0                                                                                            \
    }
static const xc_attr_spec rnn7_attrs[] = {COMMON_ATTRS, {NULL, 0, 0}};
static const xc_attr_spec rnn14_attrs[] = {COMMON_ATTRS, {"layout", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec gru7_attrs[] = {COMMON_ATTRS, {"linear_before_reset", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec gru14_attrs[] = {
    COMMON_ATTRS, {"linear_before_reset", XC_ATTR_INT, 0}, {"layout", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec lstm7_attrs[] = {COMMON_ATTRS, {"input_forget", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec lstm14_attrs[] = {
    COMMON_ATTRS, {"input_forget", XC_ATTR_INT, 0}, {"layout", XC_ATTR_INT, 0}, {NULL, 0, 0}};

/* 22 only widened T to bfloat16, which every entry accepts. */
const xc_op_schema xc_schemas_recurrent[] = {
    {"RNN", 7, 3, 6, 0, 2, rnn7_attrs, infer_recurrent},     {"RNN", 14, 3, 6, 0, 2, rnn14_attrs, infer_recurrent},
    {"RNN", 22, 3, 6, 0, 2, rnn14_attrs, infer_recurrent},   {"GRU", 7, 3, 6, 0, 2, gru7_attrs, infer_recurrent},
    {"GRU", 14, 3, 6, 0, 2, gru14_attrs, infer_recurrent},   {"GRU", 22, 3, 6, 0, 2, gru14_attrs, infer_recurrent},
    {"LSTM", 7, 3, 8, 0, 3, lstm7_attrs, infer_recurrent},   {"LSTM", 14, 3, 8, 0, 3, lstm14_attrs, infer_recurrent},
    {"LSTM", 22, 3, 8, 0, 3, lstm14_attrs, infer_recurrent}, {0},
};

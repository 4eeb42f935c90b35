/* model_gen_ops.c — the later op families for the execution fuzzer: If/Loop/Scan with bodies,
 * RNN/GRU/LSTM, the vision ops (NMS, RoiAlign, MaxRoiPool, GridSample, AffineGrid, DeformConv,
 * Col2Im, CenterCropPad, MaxUnpool), losses, DFT/STFT/windows, Unique, Compress, Det,
 * TensorScatter, BitCast, the integer/quantized matmuls and convs, random ops, and the index ops
 * (ArgMax, CumSum, TopK, Gather/Scatter Elements/ND, OneHot, Einsum, ConvTranspose).
 *
 * Their inputs are made mostly valid, but now and then hostile on purpose: bad ranks, negative
 * or huge sizes, out-of-range indices and axes, NaN and infinite coordinates, inconsistent
 * hidden_size, bodies of the wrong arity, huge trip counts. Their outputs become graph outputs
 * ("sinks", typed as the op makes them) that later nodes do not read, so the core generator's
 * shape tracking stays simple. */
#include "model_gen_int.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- pieces ---- */

static void attr_str(node *n, const char *name, const char *s)
{
    pb_buf a = {0};
    pb_string_field(&a, ATTR_NAME, name);
    pb_varint_field(&a, ATTR_TYPE, AT_STRING);
    pb_bytes_field(&a, ATTR_S, s, strlen(s));
    pb_message_field(&n->b, NODE_ATTR, &a);
}

static void attr_graph(node *n, const char *name, pb_buf *body)
{
    pb_buf a = {0};
    pb_string_field(&a, ATTR_NAME, name);
    pb_varint_field(&a, ATTR_TYPE, AT_GRAPH);
    pb_message_field(&a, ATTR_G, body);
    pb_message_field(&n->b, NODE_ATTR, &a);
}

static void node_out(node *n, const char *name) { pb_string_field(&n->b, NODE_OUTPUT, name); }

static void node_finish(node *n) { pb_message_field(&n->g->graph, GRAPH_NODE, &n->b); }

/* A new output of n; the first MAX_SINKS of the model become graph outputs of the given dtype. */
static void sink_out(node *n, int dtype)
{
    gen *g = n->g;
    char name[16];
    snprintf(name, sizeof name, "s%d", g->n_sink_names++);
    node_out(n, name);
    if (g->n_sinks < MAX_SINKS) {
        snprintf(g->sinks[g->n_sinks].name, sizeof g->sinks[g->n_sinks].name, "%s", name);
        g->sinks[g->n_sinks++].dtype = dtype;
    }
}

static void need_opset(gen *g, int v)
{
    if (g->opset < v) g->opset = v;
}

/* A hostile integer for a size, count or index. */
static int64_t hostile_int(gen *g)
{
    static const int64_t v[] = {-1,        0,        -(INT64_C(1) << 40), INT64_C(1) << 31, INT64_C(1) << 40, INT64_C(1) << 62,
                                INT64_MAX, INT64_MIN};
    return v[pick(g, sizeof v / sizeof *v)];
}

/* A float from the next byte: mostly in [-2, 2), now and then NaN, an infinity or a huge value. */
static float fval(gen *g)
{
    if (sabotage(g)) {
        static const float v[] = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 3e38f};
        return v[pick(g, 6)];
    }
    return (float)((int)pick(g, 256) - 128) / 64.0f;
}

static void init_fvals(gen *g, char *name, int rank, const int64_t *dims)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    float v[256];
    if (n > 256 || n < 0) n = 256, rank = 1, dims = &n; /* the callers keep sizes far smaller */
    for (int64_t i = 0; i < n; i++) v[i] = fval(g);
    initializer(g, name, DT_FLOAT, rank, dims, v, (size_t)n * sizeof(float));
}

static void init_i64(gen *g, char *name, int rank, const int64_t *dims, const int64_t *v)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    initializer(g, name, DT_INT64, rank, dims, v, (size_t)n * sizeof(int64_t));
}

static void init_scalar_i64(gen *g, char *name, int64_t v) { init_i64(g, name, 0, NULL, &v); }

static void init_scalar_f(gen *g, char *name, float v) { initializer(g, name, DT_FLOAT, 0, NULL, &v, sizeof v); }

static void init_bytes(gen *g, char *name, int dtype, int rank, const int64_t *dims)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    uint8_t v[256];
    if (n > 256) n = 256, rank = 1, dims = &n;
    for (int64_t i = 0; i < n; i++) v[i] = (uint8_t)pick(g, 256);
    initializer(g, name, dtype, rank, dims, v, (size_t)n);
}

/* A float value of rank 4 with small dims: a when it is one, else a new initializer. */
static void data4(gen *g, val a, char *name, int64_t *dims)
{
    if (a.rank == 4 && numel(&a) <= 256 && !sabotage(g)) {
        memcpy(dims, a.dims, sizeof(int64_t) * 4);
        snprintf(name, 16, "%s", a.name);
        return;
    }
    for (int i = 0; i < 4; i++) dims[i] = 1 + pick(g, i < 2 ? 2 : 4);
    init_fvals(g, name, 4, dims);
}

/* ---- control flow ---- */

static pb_buf body_begin(gen *g)
{
    pb_buf outer = g->graph;
    g->graph = (pb_buf){0};
    return outer;
}

static pb_buf body_end(gen *g, pb_buf outer, const char *name)
{
    pb_buf body = g->graph;
    pb_string_field(&body, GRAPH_NAME, name);
    g->graph = outer;
    return body;
}

static void unary_into(gen *g, const char *op, const char *in, const char *out)
{
    node n = node_begin(g, op);
    node_in(&n, in);
    node_out(&n, out);
    node_finish(&n);
}

static void op_if(gen *g, val a)
{
    char cond[16];
    uint8_t c = (uint8_t)pick(g, 2);
    if (sabotage(g))
        init_scalar_i64(g, cond, c); /* an int64 condition */
    else
        initializer(g, cond, DT_BOOL, 0, NULL, &c, 1);
    pb_buf br[2];
    for (int b = 0; b < 2; b++) {
        pb_buf outer = body_begin(g);
        char out[16];
        snprintf(out, sizeof out, "br%d_%d", g->n_nodes, b);
        if (sabotage(g)) value_info_typed(&g->graph, GRAPH_INPUT, "stray", DT_FLOAT, NULL); /* branches take no inputs */
        unary_into(g, b ? "Neg" : "Relu", a.name, out);                                     /* reads a from the outer graph */
        if (sabotage(g)) unary_into(g, "Shape", a.name, out);                               /* a second producer of one name */
        value_info_typed(&g->graph, GRAPH_OUTPUT, out, DT_FLOAT, NULL);
        if (sabotage(g)) value_info_typed(&g->graph, GRAPH_OUTPUT, a.name, DT_FLOAT, NULL); /* one output too many */
        br[b] = body_end(g, outer, b ? "else" : "then");
    }
    node n = node_begin(g, "If");
    node_in(&n, cond);
    attr_graph(&n, "then_branch", &br[0]);
    attr_graph(&n, "else_branch", &br[1]);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

/* Loop(M, cond, v) with body (i, c, v) -> (c', v + a, v) and sometimes a stop condition i < L.
 * M is small, absent, or huge; the reference's iteration limit must end the huge ones. */
static void op_loop(gen *g, val a)
{
    char m[16] = "", cond[16] = "", lim[16];
    switch (pick(g, 4)) {
    case 0: break; /* absent: cond (or the body) decides */
    case 1: init_scalar_i64(g, m, sabotage(g) ? hostile_int(g) : (int64_t)pick(g, 5)); break;
    default: init_scalar_i64(g, m, pick(g, 8) ? (int64_t)pick(g, 5) : INT64_C(1) << 62); break;
    }
    if (pick(g, 2)) {
        uint8_t c = (uint8_t)(pick(g, 4) != 0);
        initializer(g, cond, DT_BOOL, 0, NULL, &c, 1);
    }
    int stop = (int)pick(g, 2), scan = (int)pick(g, 2), bad_in = sabotage(g), bad_out = sabotage(g);
    if (stop) init_scalar_i64(g, lim, (int64_t)pick(g, 6));
    pb_buf outer = body_begin(g);
    char i_[16], c_in[16], v_in[16], c_out[16], v_out[16], s_out[16];
    int k = g->n_nodes;
    snprintf(i_, sizeof i_, "li%d", k);
    snprintf(c_in, sizeof c_in, "lc%d", k);
    snprintf(v_in, sizeof v_in, "lv%d", k);
    snprintf(c_out, sizeof c_out, "lco%d", k);
    snprintf(v_out, sizeof v_out, "lvo%d", k);
    snprintf(s_out, sizeof s_out, "lso%d", k);
    value_info_typed(&g->graph, GRAPH_INPUT, i_, DT_INT64, &(val){"", 0, {0}});
    value_info_typed(&g->graph, GRAPH_INPUT, c_in, DT_BOOL, &(val){"", 0, {0}});
    if (!bad_in) value_info_typed(&g->graph, GRAPH_INPUT, v_in, DT_FLOAT, &a);
    if (stop) {
        node n = node_begin(g, "Less");
        node_in(&n, i_);
        node_in(&n, lim);
        node_out(&n, c_out);
        node_finish(&n);
    } else {
        unary_into(g, "Identity", c_in, c_out);
    }
    node n = node_begin(g, "Add");
    node_in(&n, v_in);
    node_in(&n, a.name);
    node_out(&n, v_out);
    node_finish(&n);
    if (scan) unary_into(g, "Identity", v_in, s_out);
    value_info_typed(&g->graph, GRAPH_OUTPUT, c_out, DT_BOOL, NULL);
    value_info_typed(&g->graph, GRAPH_OUTPUT, v_out, DT_FLOAT, NULL);
    if (scan) value_info_typed(&g->graph, GRAPH_OUTPUT, s_out, DT_FLOAT, NULL);
    if (bad_out) value_info_typed(&g->graph, GRAPH_OUTPUT, v_in, DT_FLOAT, NULL);
    pb_buf body = body_end(g, outer, "body");
    n = node_begin(g, "Loop");
    node_in(&n, m);
    node_in(&n, cond);
    node_in(&n, a.name);
    attr_graph(&n, "body", &body);
    sink_out(&n, DT_FLOAT);
    if (scan) sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

/* Scan-9+: state s (a without its scan axis) and scan input a; body (s, x) -> (s + x, s + x). */
static void op_scan(gen *g, val a)
{
    int axis = (int)pick(g, (unsigned)a.rank), r = 0;
    int64_t sdims[RANK_CAP];
    for (int d = 0; d < a.rank; d++)
        if (d != axis) sdims[r++] = a.dims[d];
    char state[16];
    init_fvals(g, state, r, sdims);
    val sv = {"", r, {0}};
    memcpy(sv.dims, sdims, sizeof(int64_t) * (size_t)r);
    pb_buf outer = body_begin(g);
    char s_in[16], x_in[16], s_out[16], y_out[16];
    int k = g->n_nodes, drop_in = sabotage(g), extra_out = sabotage(g);
    snprintf(s_in, sizeof s_in, "ss%d", k);
    snprintf(x_in, sizeof x_in, "sx%d", k);
    snprintf(s_out, sizeof s_out, "sso%d", k);
    snprintf(y_out, sizeof y_out, "syo%d", k);
    value_info_typed(&g->graph, GRAPH_INPUT, s_in, DT_FLOAT, &sv);
    if (!drop_in) value_info_typed(&g->graph, GRAPH_INPUT, x_in, DT_FLOAT, &sv);
    node n = node_begin(g, pick(g, 2) ? "Add" : "Max");
    node_in(&n, s_in);
    node_in(&n, x_in);
    node_out(&n, s_out);
    node_finish(&n);
    unary_into(g, "Identity", s_out, y_out);
    value_info_typed(&g->graph, GRAPH_OUTPUT, s_out, DT_FLOAT, NULL);
    value_info_typed(&g->graph, GRAPH_OUTPUT, y_out, DT_FLOAT, NULL);
    if (extra_out) value_info_typed(&g->graph, GRAPH_OUTPUT, s_in, DT_FLOAT, NULL);
    pb_buf body = body_end(g, outer, "body");
    n = node_begin(g, "Scan");
    node_in(&n, state);
    node_in(&n, a.name);
    attr_graph(&n, "body", &body);
    attr_int(&n, "num_scan_inputs", sabotage(g) ? hostile_int(g) : 1);
    int64_t in_axis = sabotage(g) ? a.rank + 3 : (pick(g, 2) ? axis : axis - a.rank),
            out_axis = (int64_t)pick(g, (unsigned)r + 1);
    if (sabotage(g)) out_axis = -(r + 5);
    attr_ints(&n, "scan_input_axes", 1, &in_axis);
    if (pick(g, 2)) attr_ints(&n, "scan_output_axes", 1, &out_axis);
    int64_t dir = sabotage(g) ? 2 : (int64_t)pick(g, 2);
    if (pick(g, 2)) attr_ints(&n, "scan_input_directions", 1, &dir);
    if (pick(g, 2)) attr_ints(&n, "scan_output_directions", 1, &dir);
    sink_out(&n, DT_FLOAT);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

/* ---- recurrent ---- */

static void op_recurrent(gen *g, val a)
{
    static const char *ops[] = {"RNN", "GRU", "LSTM"};
    static const int gates[] = {1, 3, 4};
    int kind = (int)pick(g, 3), G = gates[kind], layout = (int)pick(g, 2);
    int64_t seq = 1 + pick(g, 3), batch = 1 + pick(g, 2), in = 1 + pick(g, 3), hid = 1 + pick(g, 3);
    unsigned dirsel = pick(g, 3);
    int64_t dirs = dirsel == 2 ? 2 : 1;
    char x[16], w[16], r[16], b[16], lens[16], h0[16], c0[16], p[16];
    if (a.rank == 3 && !layout && numel(&a) <= 64) {
        snprintf(x, sizeof x, "%s", a.name);
        seq = a.dims[0], batch = a.dims[1], in = a.dims[2];
    } else {
        int64_t xd[3] = {layout ? batch : seq, layout ? seq : batch, in};
        init_fvals(g, x, 3, xd);
    }
    int64_t wd[3] = {dirs, G * hid, in}, rd[3] = {dirs, G * hid, hid}, bd[2] = {dirs, 2 * G * hid};
    if (sabotage(g)) wd[2] += 1;
    if (sabotage(g)) rd[0] = 3 - dirs;
    init_fvals(g, w, 3, wd);
    init_fvals(g, r, 3, rd);
    node n = node_begin(g, ops[kind]);
    node_in(&n, x);
    node_in(&n, w);
    node_in(&n, r);
    int nin = (int)pick(g, kind == 2 ? 6 : 4); /* how many optional inputs follow */
    if (nin > 0) {
        if (sabotage(g)) bd[1] -= 1;
        init_fvals(g, b, 2, bd);
        node_in(&n, pick(g, 4) ? b : "");
    }
    if (nin > 1) {
        int32_t lv[64];
        for (int i = 0; i < batch; i++) lv[i] = (int32_t)pick(g, (unsigned)seq + 1);
        if (sabotage(g)) lv[0] = pick(g, 2) ? (int32_t)seq + 3 : -1;
        int64_t ld = batch;
        initializer(g, lens, DT_INT32, 1, &ld, lv, sizeof(int32_t) * (size_t)batch);
        node_in(&n, pick(g, 4) ? lens : "");
    }
    int64_t hd[3] = {layout ? batch : dirs, layout ? dirs : batch, hid};
    if (nin > 2) {
        if (sabotage(g)) hd[2] += 2;
        init_fvals(g, h0, 3, hd);
        node_in(&n, h0);
    }
    if (nin > 3) {
        init_fvals(g, c0, 3, hd);
        node_in(&n, c0);
    }
    if (nin > 4) {
        int64_t pd[2] = {dirs, 3 * hid};
        if (sabotage(g)) pd[1] = hid;
        init_fvals(g, p, 2, pd);
        node_in(&n, p);
    }
    attr_int(&n, "hidden_size", sabotage(g) ? (pick(g, 2) ? hid + 1 : hostile_int(g)) : hid);
    static const char *dnames[] = {"forward", "reverse", "bidirectional"};
    if (dirsel || pick(g, 2)) attr_str(&n, "direction", sabotage(g) ? "sideways" : dnames[dirsel]);
    if (layout) attr_int(&n, "layout", sabotage(g) ? 2 : 1);
    if (pick(g, 3) == 0) attr_float(&n, "clip", sabotage(g) ? -1.0f : 0.5f);
    if (kind == 1 && pick(g, 2)) attr_int(&n, "linear_before_reset", 1);
    if (kind == 2 && pick(g, 4) == 0) attr_int(&n, "input_forget", 1);
    switch (pick(g, 3)) {
    case 0: sink_out(&n, DT_FLOAT); break;
    case 1: node_out(&n, ""), sink_out(&n, DT_FLOAT); break;
    default: sink_out(&n, DT_FLOAT), sink_out(&n, DT_FLOAT); break;
    }
    node_finish(&n);
}

/* ---- vision ---- */

static void op_nms(gen *g)
{
    int64_t nb = pick(g, 4), nc = 1 + pick(g, 2), bd[3] = {1, nb, 4}, sd[3] = {1, nc, nb};
    if (sabotage(g)) sd[2] += 1;
    if (sabotage(g)) bd[2] = 3;
    char boxes[16], scores[16], mo[16], iou[16], st[16];
    init_fvals(g, boxes, 3, bd);
    init_fvals(g, scores, 3, sd);
    init_scalar_i64(g, mo, sabotage(g) ? hostile_int(g) : (int64_t)pick(g, 4));
    init_scalar_f(g, iou, sabotage(g) ? NAN : (float)pick(g, 5) / 4.0f);
    init_scalar_f(g, st, fval(g));
    node n = node_begin(g, "NonMaxSuppression");
    node_in(&n, boxes);
    node_in(&n, scores);
    int k = (int)pick(g, 4);
    if (k > 0) node_in(&n, mo);
    if (k > 1) node_in(&n, iou);
    if (k > 2) node_in(&n, st);
    if (pick(g, 2)) attr_int(&n, "center_point_box", sabotage(g) ? 7 : 1);
    sink_out(&n, DT_INT64);
    node_finish(&n);
}

static void op_roi_align(gen *g, val a)
{
    char x[16], rois[16], bi[16];
    int64_t xd[4], R = pick(g, 3), rd[2] = {R, 4}, idx[4];
    data4(g, a, x, xd);
    if (sabotage(g)) rd[1] = 5;
    init_fvals(g, rois, 2, rd);
    for (int i = 0; i < R; i++) idx[i] = sabotage(g) ? (pick(g, 2) ? xd[0] : -1) : (int64_t)pick(g, (unsigned)xd[0]);
    init_i64(g, bi, 1, &R, idx);
    node n = node_begin(g, "RoiAlign");
    node_in(&n, x);
    node_in(&n, rois);
    node_in(&n, bi);
    attr_int(&n, "output_height", sabotage(g) ? hostile_int(g) : 1 + (int64_t)pick(g, 3));
    attr_int(&n, "output_width", sabotage(g) ? hostile_int(g) : 1 + (int64_t)pick(g, 3));
    if (pick(g, 2)) attr_int(&n, "sampling_ratio", sabotage(g) ? hostile_int(g) : (int64_t)pick(g, 3));
    if (pick(g, 2)) attr_float(&n, "spatial_scale", fval(g));
    if (pick(g, 2)) attr_str(&n, "mode", sabotage(g) ? "median" : "max");
    if (pick(g, 2)) attr_str(&n, "coordinate_transformation_mode", "output_half_pixel");
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_max_roi_pool(gen *g, val a)
{
    char x[16], rois[16];
    int64_t xd[4], R = 1 + pick(g, 2), rd[2] = {R, 5};
    data4(g, a, x, xd);
    float rv[10];
    for (int i = 0; i < R; i++) {
        rv[i * 5] = sabotage(g) ? (pick(g, 2) ? NAN : (float)xd[0]) : (float)pick(g, (unsigned)xd[0]);
        for (int j = 1; j < 5; j++) rv[i * 5 + j] = fval(g) * 2;
    }
    initializer(g, rois, DT_FLOAT, 2, rd, rv, sizeof(float) * (size_t)R * 5);
    node n = node_begin(g, "MaxRoiPool");
    node_in(&n, x);
    node_in(&n, rois);
    int64_t ps[2] = {1 + pick(g, 3), 1 + pick(g, 3)};
    if (sabotage(g)) ps[pick(g, 2)] = hostile_int(g);
    attr_ints(&n, "pooled_shape", sabotage(g) ? 1 : 2, ps);
    if (pick(g, 2)) attr_float(&n, "spatial_scale", fval(g));
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_grid_sample(gen *g, val a)
{
    static const char *modes[] = {"bilinear", "nearest", "bicubic"}, *pads[] = {"zeros", "border", "reflection"};
    char x[16], grid[16];
    int64_t xd[4];
    data4(g, a, x, xd);
    int64_t gd[4] = {xd[0], 1 + pick(g, 3), 1 + pick(g, 3), 2};
    if (sabotage(g)) gd[3] = 3;
    if (sabotage(g)) gd[0] += 1;
    init_fvals(g, grid, 4, gd);
    node n = node_begin(g, "GridSample");
    node_in(&n, x);
    node_in(&n, grid);
    attr_str(&n, "mode", modes[pick(g, 3)]);
    attr_str(&n, "padding_mode", pads[pick(g, 3)]);
    attr_int(&n, "align_corners", (int64_t)pick(g, 2));
    need_opset(g, 16);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_affine_grid(gen *g)
{
    int three = (int)pick(g, 2);
    int64_t N = 1 + pick(g, 2), td[3] = {N, three ? 3 : 2, three ? 4 : 3}, size[5], sr = three ? 5 : 4;
    size[0] = N;
    size[1] = 1;
    for (int i = 2; i < sr; i++) size[i] = 1 + pick(g, 4);
    if (sabotage(g)) size[2 + pick(g, (unsigned)sr - 2)] = hostile_int(g);
    if (sabotage(g)) size[0] = N + 1;
    if (sabotage(g)) sr = 3;
    char theta[16], sz[16];
    init_fvals(g, theta, 3, td);
    init_i64(g, sz, 1, &sr, size);
    node n = node_begin(g, "AffineGrid");
    node_in(&n, theta);
    node_in(&n, sz);
    if (pick(g, 2)) attr_int(&n, "align_corners", 1);
    need_opset(g, 20);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_deform_conv(gen *g, val a)
{
    char x[16], w[16], off[16], b[16], mask[16];
    int64_t xd[4];
    data4(g, a, x, xd);
    int64_t C = xd[1], group = C % 2 == 0 && pick(g, 2) ? 2 : 1, og = pick(g, 2) && C % 2 == 0 ? 2 : 1;
    int64_t k[2] = {1 + pick(g, 2), 1 + pick(g, 2)}, st[2] = {1 + pick(g, 2), 1}, pads[4] = {pick(g, 2), 0, pick(g, 2), 0};
    for (int i = 0; i < 2; i++)
        if (xd[2 + i] + pads[i] + pads[2 + i] < k[i]) k[i] = 1;
    int64_t oh = (xd[2] + pads[0] + pads[2] - k[0]) / st[0] + 1, ow = (xd[3] + pads[1] + pads[3] - k[1]) / st[1] + 1;
    int64_t wd[4] = {group * (1 + pick(g, 2)), C / group, k[0], k[1]}, od[4] = {xd[0], 2 * og * k[0] * k[1], oh, ow};
    int64_t md[4] = {xd[0], og * k[0] * k[1], oh, ow};
    if (sabotage(g)) od[1] += 1;
    if (sabotage(g)) od[2] += 1;
    if (sabotage(g)) og = 3;
    init_fvals(g, w, 4, wd);
    init_fvals(g, off, 4, od);
    node n = node_begin(g, "DeformConv");
    node_in(&n, x);
    node_in(&n, w);
    node_in(&n, off);
    unsigned opt = pick(g, 3);
    if (opt) {
        init_fvals(g, b, 1, wd);
        node_in(&n, b);
    }
    if (opt == 2) {
        init_fvals(g, mask, 4, md);
        node_in(&n, mask);
    }
    attr_int(&n, "group", group);
    attr_int(&n, "offset_group", og);
    attr_ints(&n, "kernel_shape", 2, k);
    attr_ints(&n, "strides", 2, st);
    attr_ints(&n, "pads", 4, pads);
    need_opset(g, 19);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_col2im(gen *g)
{
    int64_t img[2] = {1 + pick(g, 4), 1 + pick(g, 4)}, blk[2] = {1 + pick(g, 2), 1 + pick(g, 2)}, C = 1 + pick(g, 2);
    int64_t st[2] = {1 + pick(g, 2), 1}, L = 1;
    for (int i = 0; i < 2; i++) {
        if (blk[i] > img[i]) blk[i] = img[i];
        L *= (img[i] - blk[i]) / st[i] + 1;
    }
    int64_t id[3] = {1, C * blk[0] * blk[1], L};
    if (sabotage(g)) id[2] += 1;
    if (sabotage(g)) id[1] += 1;
    if (sabotage(g)) blk[pick(g, 2)] = hostile_int(g);
    if (sabotage(g)) img[pick(g, 2)] = hostile_int(g);
    char in[16], is[16], bs[16];
    init_fvals(g, in, 3, id);
    int64_t two = 2;
    init_i64(g, is, 1, &two, img);
    init_i64(g, bs, 1, &two, blk);
    node n = node_begin(g, "Col2Im");
    node_in(&n, in);
    node_in(&n, is);
    node_in(&n, bs);
    if (pick(g, 2)) attr_ints(&n, "strides", 2, st);
    if (sabotage(g)) {
        int64_t bad[4] = {hostile_int(g), 0, 0, 0};
        attr_ints(&n, pick(g, 2) ? "pads" : "dilations", pick(g, 2) ? 4 : 2, bad);
    }
    need_opset(g, 18);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_center_crop_pad(gen *g, val a)
{
    int64_t shape[RANK_CAP + 1], axes[RANK_CAP];
    int use_axes = (int)pick(g, 2), ns = use_axes ? 1 + (int)pick(g, (unsigned)a.rank) : a.rank;
    if (ns > a.rank) ns = a.rank;
    for (int i = 0; i < ns; i++) {
        axes[i] = i;
        shape[i] = 1 + pick(g, 6);
    }
    if (sabotage(g)) shape[0] = hostile_int(g);
    if (sabotage(g)) axes[0] = a.rank + 2;
    int64_t sn = sabotage(g) ? ns + 1 : ns;
    if (sn > ns) shape[ns] = 1;
    char s[16];
    init_i64(g, s, 1, &sn, shape);
    node n = node_begin(g, "CenterCropPad");
    node_in(&n, a.name);
    node_in(&n, s);
    if (use_axes) attr_ints(&n, "axes", ns, axes);
    need_opset(g, 18);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_max_unpool(gen *g, val a)
{
    char x[16], ix[16], os[16];
    int64_t xd[4];
    data4(g, a, x, xd);
    int64_t k[2] = {1 + pick(g, 2), 1 + pick(g, 2)}, st[2] = {k[0], k[1]};
    int64_t outd[4] = {xd[0], xd[1], (xd[2] - 1) * st[0] + k[0], (xd[3] - 1) * st[1] + k[1]};
    int64_t n_in = xd[0] * xd[1] * xd[2] * xd[3], idx[256];
    int64_t per = outd[2] * outd[3] * outd[0] * outd[1];
    for (int64_t i = 0; i < n_in && i < 256; i++) idx[i] = (int64_t)pick(g, (unsigned)(per > 255 ? 255 : per));
    if (sabotage(g)) idx[0] = pick(g, 2) ? per : -1;
    if (sabotage(g)) idx[0] = hostile_int(g);
    initializer(g, ix, DT_INT64, 4, xd, idx, sizeof(int64_t) * (size_t)(n_in < 256 ? n_in : 256));
    node n = node_begin(g, "MaxUnpool");
    node_in(&n, x);
    node_in(&n, ix);
    if (pick(g, 2)) {
        if (sabotage(g))
            outd[2 + pick(g, 2)] = hostile_int(g);
        else if (pick(g, 2))
            outd[3] += 1;
        int64_t four = 4;
        init_i64(g, os, 1, &four, outd);
        node_in(&n, os);
    }
    attr_ints(&n, "kernel_shape", 2, k);
    attr_ints(&n, "strides", 2, st);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

/* ---- losses ---- */

static void op_loss(gen *g)
{
    int sce = (int)pick(g, 2), extra = (int)pick(g, 2);
    int64_t N = 1 + pick(g, 3), C = 1 + pick(g, 4), D = 1 + pick(g, 2);
    int64_t sd[3] = {N, C, D}, ld[2] = {N, D}, lab[8];
    for (int i = 0; i < N * (extra ? D : 1); i++) lab[i] = (int64_t)pick(g, (unsigned)C);
    if (sabotage(g)) lab[0] = pick(g, 2) ? C : -7;
    if (sabotage(g)) lab[0] = hostile_int(g);
    if (sabotage(g)) ld[0] += 1;
    char sc[16], lb[16], w[16];
    init_fvals(g, sc, 2 + extra, sd);
    init_i64(g, lb, 1 + extra, ld, lab);
    node n = node_begin(g, sce ? "SoftmaxCrossEntropyLoss" : "NegativeLogLikelihoodLoss");
    node_in(&n, sc);
    node_in(&n, lb);
    if (pick(g, 2)) {
        int64_t wc = sabotage(g) ? C + 1 : C;
        init_fvals(g, w, 1, &wc);
        node_in(&n, w);
    }
    static const char *red[] = {"mean", "sum", "none"};
    if (pick(g, 2)) attr_str(&n, "reduction", sabotage(g) ? "median" : red[pick(g, 3)]);
    if (pick(g, 2)) attr_int(&n, "ignore_index", pick(g, 2) ? lab[0] : hostile_int(g));
    sink_out(&n, DT_FLOAT);
    if (sce && pick(g, 2)) sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

/* ---- signal ---- */

static void op_dft(gen *g)
{
    int v20 = (int)pick(g, 2);
    int64_t len = 1 + pick(g, 6), cplx = 1 + pick(g, 2), xd[3] = {1 + pick(g, 2), len, cplx};
    if (sabotage(g)) xd[2] = 3;
    char x[16], dl[16], ax[16];
    init_fvals(g, x, 3, xd);
    node n = node_begin(g, "DFT");
    node_in(&n, x);
    int64_t axis = sabotage(g) ? 5 : 1;
    if (pick(g, 2)) {
        init_scalar_i64(g, dl, sabotage(g) ? hostile_int(g) : 1 + (int64_t)pick(g, 8));
        node_in(&n, dl);
    } else if (v20) {
        node_in(&n, "");
    }
    if (v20) {
        init_scalar_i64(g, ax, pick(g, 2) ? axis : axis - 3);
        node_in(&n, ax);
        need_opset(g, 20);
    } else {
        attr_int(&n, "axis", axis);
    }
    if (pick(g, 2)) attr_int(&n, "onesided", 1);
    if (pick(g, 2)) attr_int(&n, "inverse", 1);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_stft(gen *g)
{
    int64_t len = 2 + pick(g, 8), sd[3] = {1, len, 1 + (pick(g, 4) == 0)}, fl = 1 + pick(g, (unsigned)len);
    char sig[16], step[16], win[16], flen[16];
    init_fvals(g, sig, 3, sd);
    init_scalar_i64(g, step, sabotage(g) ? hostile_int(g) : 1 + (int64_t)pick(g, 3));
    node n = node_begin(g, "STFT");
    node_in(&n, sig);
    node_in(&n, step);
    unsigned opt = pick(g, 4);
    if (opt & 1) {
        int64_t wl = sabotage(g) ? fl + 1 : fl;
        init_fvals(g, win, 1, &wl);
        node_in(&n, win);
    } else if (opt & 2) {
        node_in(&n, "");
    }
    if (opt & 2) {
        init_scalar_i64(g, flen, sabotage(g) ? (pick(g, 2) ? len + 4 : hostile_int(g)) : fl);
        node_in(&n, flen);
    }
    if (opt == 0) node_in(&n, ""); /* neither window nor frame_length: refused */
    if (pick(g, 2)) attr_int(&n, "onesided", 0);
    sink_out(&n, DT_FLOAT);
    node_finish(&n);
}

static void op_window(gen *g)
{
    static const char *ops[] = {"HannWindow", "HammingWindow", "BlackmanWindow", "MelWeightMatrix"};
    int k = (int)pick(g, 4), dtype = pick(g, 3) == 0 ? DT_DOUBLE : DT_FLOAT;
    node n = node_begin(g, ops[k]);
    char v[5][16];
    if (k < 3) {
        init_scalar_i64(g, v[0], sabotage(g) ? hostile_int(g) : (int64_t)pick(g, 9));
        node_in(&n, v[0]);
        if (pick(g, 2)) attr_int(&n, "periodic", 0);
    } else {
        int64_t bins = 1 + pick(g, 4), dl = 2 + pick(g, 8), rate = 8 + pick(g, 16);
        if (sabotage(g)) bins = hostile_int(g);
        if (sabotage(g)) dl = hostile_int(g);
        if (sabotage(g)) rate = 0;
        init_scalar_i64(g, v[0], bins);
        init_scalar_i64(g, v[1], dl);
        init_scalar_i64(g, v[2], rate);
        init_scalar_f(g, v[3], sabotage(g) ? fval(g) : 0.0f);
        init_scalar_f(g, v[4], sabotage(g) ? fval(g) : (float)rate / 2);
        for (int i = 0; i < 5; i++) node_in(&n, v[i]);
    }
    if (dtype == DT_DOUBLE)
        attr_int(&n, "output_datatype", DT_DOUBLE);
    else if (sabotage(g))
        attr_int(&n, "output_datatype", DT_STRING), dtype = DT_STRING;
    sink_out(&n, dtype);
    node_finish(&n);
}

/* ---- misc ---- */

static void op_unique_compress_det(gen *g, val a)
{
    node n;
    switch (pick(g, 3)) {
    case 0:
        n = node_begin(g, "Unique");
        node_in(&n, a.name);
        if (pick(g, 2)) attr_int(&n, "axis", sabotage(g) ? a.rank + 1 : (int64_t)pick(g, (unsigned)a.rank));
        if (pick(g, 2)) attr_int(&n, "sorted", 0);
        sink_out(&n, DT_FLOAT);
        if (pick(g, 2)) node_out(&n, ""), sink_out(&n, DT_INT64);
        break;
    case 1: {
        int axis = (int)pick(g, (unsigned)a.rank);
        int64_t k = pick(g, 2) ? a.dims[axis] : (int64_t)pick(g, (unsigned)a.dims[axis] + 1);
        if (!pick(g, 2)) k = numel(&a) < 16 ? numel(&a) : 16; /* no axis: over the flattened input */
        if (sabotage(g)) k += 2;
        uint8_t c[32];
        for (int i = 0; i < k && i < 32; i++) c[i] = (uint8_t)pick(g, 2);
        char cn[16];
        if (k > 32) k = 32;
        initializer(g, cn, DT_BOOL, 1, &k, c, (size_t)k);
        n = node_begin(g, "Compress");
        node_in(&n, a.name);
        node_in(&n, cn);
        if (pick(g, 2)) attr_int(&n, "axis", sabotage(g) ? -a.rank - 1 : axis);
        sink_out(&n, DT_FLOAT);
        break;
    }
    default: {
        char x[16];
        if (a.rank >= 2 && a.dims[a.rank - 1] == a.dims[a.rank - 2]) {
            snprintf(x, sizeof x, "%s", a.name);
        } else {
            int64_t m = pick(g, 4), d[3] = {1 + pick(g, 2), m, sabotage(g) ? m + 1 : m};
            int r = 2 + (int)pick(g, 2);
            init_fvals(g, x, r, d + 3 - r);
        }
        n = node_begin(g, "Det");
        node_in(&n, x);
        sink_out(&n, DT_FLOAT);
        break;
    }
    }
    node_finish(&n);
}

static void op_scatter_bitcast(gen *g, val a)
{
    node n;
    if (pick(g, 2)) { /* TensorScatter(past [B, H, S, D], update [B, H, s, D], write_indices [B]) */
        int64_t pd[4] = {1 + pick(g, 2), 1 + pick(g, 2), 1 + pick(g, 4), 1 + pick(g, 2)}, ud[4], wi[2];
        memcpy(ud, pd, sizeof ud);
        ud[2] = 1 + pick(g, (unsigned)pd[2]);
        int circ = (int)pick(g, 2);
        for (int b = 0; b < pd[0]; b++) wi[b] = (int64_t)pick(g, (unsigned)(circ ? pd[2] : pd[2] - ud[2] + 1));
        if (sabotage(g)) wi[0] = pick(g, 2) ? pd[2] : hostile_int(g);
        if (sabotage(g)) ud[2] = pd[2] + 1;
        if (sabotage(g)) ud[0] += 1;
        char past[16], up[16], w[16];
        init_fvals(g, past, 4, pd);
        init_fvals(g, up, 4, ud);
        init_i64(g, w, 1, pd, wi);
        n = node_begin(g, "TensorScatter");
        node_in(&n, past);
        node_in(&n, up);
        if (pick(g, 4)) node_in(&n, w);
        if (circ) attr_str(&n, "mode", sabotage(g) ? "spiral" : "circular");
        if (pick(g, 2)) attr_int(&n, "axis", sabotage(g) ? (pick(g, 2) ? 0 : 7) : 2);
        need_opset(g, 24);
        sink_out(&n, DT_FLOAT);
    } else {
        static const int to[] = {DT_INT32, DT_UINT8, DT_DOUBLE, DT_FLOAT, DT_INT8};
        int t = to[pick(g, 5)];
        n = node_begin(g, "BitCast");
        node_in(&n, a.name);
        if (sabotage(g)) t = pick(g, 2) ? DT_STRING : 1000;
        attr_int(&n, "to", t);
        need_opset(g, 26);
        sink_out(&n, t == 1000 ? DT_FLOAT : t);
    }
    node_finish(&n);
}

/* ---- integer and quantized ---- */

static void op_quant(gen *g)
{
    int kind = (int)pick(g, 4), conv = kind & 1, qlinear = kind >> 1;
    int64_t M = 1 + pick(g, 3), K = 1 + pick(g, 3), N = 1 + pick(g, 3);
    int64_t ad[4] = {M, K}, bd[4] = {K, N};
    int rank = 2;
    if (conv) {
        int64_t H = 1 + pick(g, 4), k = 1 + pick(g, 2);
        if (k > H) k = H;
        ad[0] = 1, ad[1] = K, ad[2] = H, ad[3] = H;
        bd[0] = N, bd[1] = K, bd[2] = k, bd[3] = k;
        rank = 4;
    }
    if (sabotage(g)) bd[1] += 1;
    char A[16], B[16], az[16], bz[16], as[16], bs[16], ys[16], yz[16];
    init_bytes(g, A, DT_UINT8, rank, ad);
    init_bytes(g, B, DT_UINT8, rank, bd);
    int64_t zl = sabotage(g) ? 3 : 1;
    init_bytes(g, az, sabotage(g) ? DT_INT8 : DT_UINT8, zl > 1, &zl);
    init_bytes(g, bz, DT_UINT8, 0, NULL);
    node n;
    if (!qlinear) {
        n = node_begin(g, conv ? "ConvInteger" : "MatMulInteger");
        node_in(&n, A);
        node_in(&n, B);
        unsigned z = pick(g, 3);
        if (z) node_in(&n, az);
        if (z == 2) node_in(&n, bz);
        sink_out(&n, DT_INT32);
    } else {
        init_scalar_f(g, as, sabotage(g) ? fval(g) : 0.05f);
        init_scalar_f(g, bs, sabotage(g) ? 0.0f : 0.1f);
        init_scalar_f(g, ys, sabotage(g) ? (pick(g, 2) ? 0.0f : NAN) : 0.2f);
        init_bytes(g, yz, DT_UINT8, 0, NULL);
        n = node_begin(g, conv ? "QLinearConv" : "QLinearMatMul");
        const char *ins[8] = {A, as, az, B, bs, bz, ys, yz};
        for (int i = 0; i < 8; i++) node_in(&n, ins[i]);
        sink_out(&n, DT_UINT8);
    }
    node_finish(&n);
}

static void op_random(gen *g, val a)
{
    static const char *ops[] = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli"};
    int k = (int)pick(g, 5), dtype = pick(g, 3) == 0 ? DT_DOUBLE : DT_FLOAT;
    node n = node_begin(g, ops[k]);
    if (k < 2) {
        int64_t shape[3] = {1 + pick(g, 4), 1 + pick(g, 4), 1 + pick(g, 4)};
        if (sabotage(g)) shape[pick(g, 3)] = hostile_int(g);
        attr_ints(&n, "shape", 1 + (int)pick(g, 3), shape);
    } else {
        node_in(&n, a.name);
    }
    if (sabotage(g)) dtype = pick(g, 2) ? DT_STRING : DT_INT64;
    if (dtype != DT_FLOAT || pick(g, 2)) attr_int(&n, "dtype", dtype);
    if (pick(g, 2)) attr_float(&n, "seed", fval(g));
    if (pick(g, 2)) attr_float(&n, k == 1 || k == 3 ? "high" : "scale", fval(g));
    sink_out(&n, dtype);
    node_finish(&n);
}

/* ---- index ops (also on the OpenCL engine) ---- */

static void op_index(gen *g, val a)
{
    node n = {{0}, g};
    char i1[16], i2[16], i3[16];
    int axis = (int)pick(g, (unsigned)a.rank);
    int64_t bad_axis = pick(g, 2) ? a.rank : -a.rank - 1, d = a.dims[axis];
    switch (pick(g, 8)) {
    case 0:
        n = node_begin(g, pick(g, 2) ? "ArgMax" : "ArgMin");
        node_in(&n, a.name);
        attr_int(&n, "axis", sabotage(g) ? bad_axis : axis);
        if (pick(g, 2)) attr_int(&n, "keepdims", 0);
        if (pick(g, 2)) attr_int(&n, "select_last_index", 1);
        sink_out(&n, DT_INT64);
        break;
    case 1:
        init_scalar_i64(g, i1, sabotage(g) ? bad_axis : axis);
        n = node_begin(g, "CumSum");
        node_in(&n, a.name);
        node_in(&n, i1);
        if (pick(g, 2)) attr_int(&n, "exclusive", 1);
        if (pick(g, 2)) attr_int(&n, "reverse", 1);
        sink_out(&n, DT_FLOAT);
        break;
    case 2: {
        int64_t k = sabotage(g) ? (pick(g, 2) ? d + 1 : hostile_int(g)) : (int64_t)pick(g, (unsigned)d + 1), one = 1;
        init_i64(g, i1, 1, &one, &k);
        n = node_begin(g, "TopK");
        node_in(&n, a.name);
        node_in(&n, i1);
        attr_int(&n, "axis", sabotage(g) ? bad_axis : axis);
        if (pick(g, 2)) attr_int(&n, "largest", 0);
        if (pick(g, 2)) attr_int(&n, "sorted", 0);
        sink_out(&n, DT_FLOAT);
        sink_out(&n, DT_INT64);
        break;
    }
    case 3:
    case 4: { /* GatherElements / ScatterElements: indices no larger than a */
        val id = a;
        id.dims[axis] = 1 + pick(g, (unsigned)d);
        int64_t cnt = numel(&id), v[256];
        for (int64_t i = 0; i < cnt && i < 256; i++) v[i] = (int64_t)pick(g, (unsigned)(2 * d)) - d;
        if (sabotage(g) && cnt) v[0] = pick(g, 2) ? d : hostile_int(g);
        if (cnt > 256) break;
        init_i64(g, i1, id.rank, id.dims, v);
        int scatter = !pick(g, 2);
        n = node_begin(g, scatter ? "ScatterElements" : "GatherElements");
        node_in(&n, a.name);
        node_in(&n, i1);
        if (scatter) {
            init_fvals(g, i2, id.rank, id.dims);
            node_in(&n, i2);
            static const char *red[] = {"none", "add", "mul", "max", "min"};
            if (pick(g, 2)) attr_str(&n, "reduction", red[pick(g, 5)]);
        }
        attr_int(&n, "axis", sabotage(g) ? bad_axis : axis);
        sink_out(&n, DT_FLOAT);
        break;
    }
    case 5: { /* GatherND / ScatterND: indices [m, r] into a's leading r dims */
        int r = 1 + (int)pick(g, (unsigned)a.rank), m = 1 + (int)pick(g, 3);
        int64_t id[2] = {m, r}, v[3 * RANK_CAP], ud[RANK_CAP + 1];
        if (sabotage(g)) id[1] = a.rank + 1;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < id[1]; j++)
                v[i * id[1] + j] = j < a.rank ? (int64_t)pick(g, (unsigned)(2 * a.dims[j])) - a.dims[j] : 0;
        if (sabotage(g)) v[0] = pick(g, 2) ? a.dims[0] : hostile_int(g);
        init_i64(g, i1, 2, id, v);
        int scatter = (int)pick(g, 2);
        n = node_begin(g, scatter ? "ScatterND" : "GatherND");
        node_in(&n, a.name);
        node_in(&n, i1);
        if (scatter) {
            int ur = 1;
            ud[0] = m;
            for (int j = r; j < a.rank; j++) ud[ur++] = a.dims[j];
            init_fvals(g, i2, ur, ud);
            node_in(&n, i2);
        } else if (pick(g, 4) == 0) {
            attr_int(&n, "batch_dims", sabotage(g) ? hostile_int(g) : 1);
        }
        sink_out(&n, DT_FLOAT);
        break;
    }
    case 6: { /* OneHot(indices, depth, values) */
        int64_t k = 1 + pick(g, 3), v[3], two = 2;
        for (int i = 0; i < k; i++) v[i] = (int64_t)pick(g, 9) - 4;
        init_i64(g, i1, 1, &k, v);
        init_scalar_i64(g, i2, sabotage(g) ? hostile_int(g) : 1 + (int64_t)pick(g, 5));
        float vals[2] = {fval(g), fval(g)};
        if (sabotage(g)) two = 3;
        float v3[3] = {vals[0], vals[1], 0};
        initializer(g, i3, DT_FLOAT, 1, &two, v3, sizeof(float) * (size_t)two);
        n = node_begin(g, "OneHot");
        node_in(&n, i1);
        node_in(&n, i2);
        node_in(&n, i3);
        if (pick(g, 2)) attr_int(&n, "axis", sabotage(g) ? 3 : -1);
        sink_out(&n, DT_FLOAT);
        break;
    }
    default: { /* Einsum, with a few malformed equations; ConvTranspose */
        if (pick(g, 2)) {
            static const char *eq[] = {"ij,jk->ik", "ii->i",      "...ij->...ji", "ij->",  "i,i->", "ij,j->k",      "abc",
                                       "->",        "a...b...->", "ij,jk",        "Ii->I", "i->ii", "ij,jk,kl->il", ",->"};
            int e = (int)pick(g, sizeof eq / sizeof *eq);
            int64_t s2[2] = {1 + pick(g, 3), 1 + pick(g, 3)};
            init_fvals(g, i1, 2, s2);
            n = node_begin(g, "Einsum");
            node_in(&n, a.name);
            if (strchr(eq[e], ',')) node_in(&n, i1);
            if (pick(g, 4) == 0) node_in(&n, i1);
            attr_str(&n, "equation", eq[e]);
            sink_out(&n, DT_FLOAT);
        } else {
            char x[16];
            int64_t xd[4];
            data4(g, a, x, xd);
            int64_t group = 1, oc = 1 + pick(g, 2), k[2] = {1 + pick(g, 3), 1 + pick(g, 3)},
                    st[2] = {1 + pick(g, 2), 1 + pick(g, 2)};
            int64_t wd[4] = {xd[1], oc, k[0], k[1]}, op[2] = {pick(g, (unsigned)st[0]), 0}, os[2];
            if (sabotage(g)) op[0] = st[0] + pick(g, 3);
            init_fvals(g, i1, 4, wd);
            n = node_begin(g, "ConvTranspose");
            node_in(&n, x);
            node_in(&n, i1);
            attr_ints(&n, "strides", 2, st);
            attr_int(&n, "group", sabotage(g) ? xd[1] + 1 : group);
            if (pick(g, 2)) attr_ints(&n, "output_padding", 2, op);
            if (pick(g, 3) == 0) {
                os[0] = sabotage(g) ? hostile_int(g) : (xd[2] - 1) * st[0] + k[0] + (int64_t)pick(g, 2);
                os[1] = (xd[3] - 1) * st[1] + k[1];
                attr_ints(&n, "output_shape", 2, os);
            }
            if (pick(g, 3) == 0) {
                int64_t dil[2] = {sabotage(g) ? hostile_int(g) : 2, 1};
                attr_ints(&n, "dilations", 2, dil);
            }
            if (pick(g, 3) == 0) attr_str(&n, "auto_pad", pick(g, 2) ? "SAME_UPPER" : "VALID");
            sink_out(&n, DT_FLOAT);
        }
        break;
    }
    }
    if (n.b.n == 0) return; /* nothing begun (indices too large to write) */
    node_finish(&n);
}

void add_later_family_node(gen *g, val a)
{
    if (a.rank < 1) { /* the families below want an axis to work on */
        op_unary(g, a);
        return;
    }
    switch (pick(g, 22)) {
    case 0: op_if(g, a); break;
    case 1:
    case 2: op_loop(g, a); break;
    case 3: op_scan(g, a); break;
    case 4:
    case 5: op_recurrent(g, a); break;
    case 6: op_nms(g); break;
    case 7: op_roi_align(g, a); break;
    case 8: op_max_roi_pool(g, a); break;
    case 9: op_grid_sample(g, a); break;
    case 10: op_affine_grid(g); break;
    case 11: op_deform_conv(g, a); break;
    case 12: op_col2im(g); break;
    case 13: op_center_crop_pad(g, a); break;
    case 14: op_max_unpool(g, a); break;
    case 15: op_loss(g); break;
    case 16: pick(g, 2) ? op_dft(g) : op_stft(g); break;
    case 17: op_window(g); break;
    case 18: op_unique_compress_det(g, a); break;
    case 19: op_scatter_bitcast(g, a); break;
    case 20: pick(g, 2) ? op_quant(g) : op_random(g, a); break;
    default: op_index(g, a); break;
    }
}

/* model_gen.c — see model_gen.h. Shapes are tracked here with ONNX's rules so that most models
 * are valid and reach execution; a wrong guess only costs a model the loader refuses. */
#include "model_gen_int.h"
#include <stdio.h>
#include <string.h>

/* A choice among k from the next byte; 0 once the bytes run out, so every input is a model. */
unsigned pick(gen *g, unsigned k)
{
    if (k <= 1) return 0;
    return g->i < g->n ? g->d[g->i++] % k : 0;
}

/* Now and then an attribute or index is made invalid on purpose. */
int sabotage(gen *g) { return pick(g, 24) == 23; }

int64_t numel(const val *v)
{
    int64_t n = 1;
    for (int i = 0; i < v->rank; i++) n *= v->dims[i];
    return n;
}

/* ---- protobuf pieces ---- */

void value_info_typed(pb_buf *out, int field, const char *name, int dtype, const val *shape)
{
    pb_buf vi = {0}, type = {0}, tt = {0}, sh = {0};
    pb_string_field(&vi, VI_NAME, name);
    pb_varint_field(&tt, TT_ELEM, (uint64_t)dtype);
    if (shape) {
        for (int i = 0; i < shape->rank; i++) {
            pb_buf dim = {0};
            pb_varint_field(&dim, DIM_VALUE, (uint64_t)shape->dims[i]);
            pb_message_field(&sh, SHAPE_DIM, &dim);
        }
        pb_message_field(&tt, TT_SHAPE, &sh);
    }
    pb_message_field(&type, TYPE_TENSOR, &tt);
    pb_message_field(&vi, VI_TYPE, &type);
    pb_message_field(out, field, &vi);
}

static void value_info(pb_buf *out, int field, const char *name, const val *shape)
{
    value_info_typed(out, field, name, DT_FLOAT, shape);
}

void initializer(gen *g, char *name, int dtype, int rank, const int64_t *dims, const void *raw, size_t nbytes)
{
    pb_buf t = {0};
    snprintf(name, 16, "w%d", g->n_inits++);
    for (int i = 0; i < rank; i++) pb_varint_field(&t, TENSOR_DIMS, (uint64_t)dims[i]);
    pb_varint_field(&t, TENSOR_DTYPE, (uint64_t)dtype);
    pb_string_field(&t, TENSOR_NAME, name);
    pb_bytes_field(&t, TENSOR_RAW, raw, nbytes); /* little-endian on every machine this runs on */
    pb_message_field(&g->graph, GRAPH_INIT, &t);
}

/* A float initializer of the given shape; positive: values in (0, 2], else [-4, 4). */
void init_float(gen *g, char *name, int rank, const int64_t *dims, int positive)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    float v[256];
    if (n > 256) n = 256, rank = 1, dims = &n; /* never reached with the generator's sizes */
    for (int64_t i = 0; i < n; i++) {
        int b = (int)pick(g, 256);
        v[i] = positive ? (float)(b + 1) / 128.0f : (float)(b - 128) / 32.0f;
    }
    initializer(g, name, DT_FLOAT, rank, dims, v, (size_t)n * sizeof(float));
}

void init_ints(gen *g, char *name, int n, const int64_t *v)
{
    int64_t dim = n;
    initializer(g, name, DT_INT64, 1, &dim, v, (size_t)n * sizeof(int64_t));
}

node node_begin(gen *g, const char *op)
{
    node n = {{0}, g};
    char name[24];
    snprintf(name, sizeof name, "n%d_%s", g->n_nodes++, op);
    pb_string_field(&n.b, NODE_NAME, name);
    pb_string_field(&n.b, NODE_OP, op);
    return n;
}

void node_in(node *n, const char *name) { pb_string_field(&n->b, NODE_INPUT, name); }

void attr_int(node *n, const char *name, int64_t v)
{
    pb_buf a = {0};
    pb_string_field(&a, ATTR_NAME, name);
    pb_varint_field(&a, ATTR_TYPE, AT_INT);
    pb_varint_field(&a, ATTR_I, (uint64_t)v);
    pb_message_field(&n->b, NODE_ATTR, &a);
}

void attr_float(node *n, const char *name, float v)
{
    pb_buf a = {0};
    pb_string_field(&a, ATTR_NAME, name);
    pb_varint_field(&a, ATTR_TYPE, AT_FLOAT);
    pb_float_field(&a, ATTR_F, v);
    pb_message_field(&n->b, NODE_ATTR, &a);
}

void attr_ints(node *n, const char *name, int count, const int64_t *v)
{
    pb_buf a = {0};
    pb_string_field(&a, ATTR_NAME, name);
    pb_varint_field(&a, ATTR_TYPE, AT_INTS);
    for (int i = 0; i < count; i++) pb_varint_field(&a, ATTR_INTS, (uint64_t)v[i]);
    pb_message_field(&n->b, NODE_ATTR, &a);
}

/* Ends the node with one new output value of the given shape; returns its index. */
int node_end(node *n, int rank, const int64_t *dims)
{
    gen *g = n->g;
    int k = g->n_vals < MAX_VALS ? g->n_vals++ : MAX_VALS - 1;
    val *v = &g->vals[k];
    snprintf(v->name, sizeof v->name, "v%d", g->n_nodes);
    v->rank = rank < RANK_CAP ? rank : RANK_CAP;
    memcpy(v->dims, dims, sizeof(int64_t) * (size_t)v->rank);
    pb_string_field(&n->b, NODE_OUTPUT, v->name);
    pb_message_field(&g->graph, GRAPH_NODE, &n->b);
    return k;
}

/* ---- ops: each takes input value a (a copy) and returns the new value's index ---- */

int op_unary(gen *g, val a)
{
    static const char *ops[] = {"Relu", "Sigmoid", "Tanh",      "Abs",        "Neg",         "Exp", "Log",
                                "Sqrt", "Floor",   "Ceil",      "Reciprocal", "Sin",         "Erf", "Softplus",
                                "Sign", "Round",   "LeakyRelu", "Elu",        "HardSigmoid", "Clip"};
    const char *op = ops[pick(g, sizeof ops / sizeof *ops)];
    node n = node_begin(g, op);
    node_in(&n, a.name);
    if (!strcmp(op, "LeakyRelu") || !strcmp(op, "Elu")) attr_float(&n, "alpha", (float)pick(g, 8) / 4.0f);
    if (!strcmp(op, "Clip")) {
        char lo[16], hi[16];
        init_float(g, lo, 0, NULL, 0);
        init_float(g, hi, 0, NULL, 0);
        node_in(&n, pick(g, 2) ? lo : "");
        if (pick(g, 2)) node_in(&n, hi);
    }
    return node_end(&n, a.rank, a.dims);
}

static int same_shape(const val *a, const val *b)
{
    return a->rank == b->rank && !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank);
}

/* Another value with a's shape (a itself at worst). */
static const val *same_shape_value(gen *g, const val *a)
{
    int cand[MAX_VALS], nc = 0;
    for (int i = 0; i < g->n_vals; i++)
        if (same_shape(&g->vals[i], a)) cand[nc++] = i;
    return nc ? &g->vals[cand[pick(g, (unsigned)nc)]] : a;
}

static int op_binary(gen *g, val a)
{
    static const char *ops[] = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "PRelu"};
    const char *op = ops[pick(g, sizeof ops / sizeof *ops)];
    char bname[16];
    if (pick(g, 2)) {
        snprintf(bname, sizeof bname, "%s", same_shape_value(g, &a)->name);
    } else { /* an initializer that broadcasts to a: a suffix of a's dims, some set to 1 */
        int rb = (int)pick(g, (unsigned)a.rank + 1);
        int64_t dims[RANK_CAP];
        for (int i = 0; i < rb; i++) dims[i] = pick(g, 2) ? a.dims[a.rank - rb + i] : 1;
        if (sabotage(g) && rb) dims[0] += 2; /* not broadcastable */
        init_float(g, bname, rb, dims, 0);
    }
    node n = node_begin(g, op);
    int swap = strcmp(op, "PRelu") && pick(g, 2); /* PRelu's slope must be the one that broadcasts */
    node_in(&n, swap ? bname : a.name);
    node_in(&n, swap ? a.name : bname);
    return node_end(&n, a.rank, a.dims);
}

static int op_matmul(gen *g, val a)
{
    int64_t k = a.dims[a.rank - 1], nn = 1 + pick(g, 4), w[2] = {k + (sabotage(g) ? 1 : 0), nn};
    char wname[16];
    init_float(g, wname, 2, w, 0);
    node n = node_begin(g, "MatMul");
    node_in(&n, a.name);
    node_in(&n, wname);
    a.dims[a.rank - 1] = nn;
    return node_end(&n, a.rank, a.dims);
}

static int op_gemm(gen *g, val a) /* a is 2-D */
{
    int ta = (int)pick(g, 2), tb = (int)pick(g, 2);
    int64_t m = ta ? a.dims[1] : a.dims[0], k = ta ? a.dims[0] : a.dims[1], nn = 1 + pick(g, 4);
    int64_t bd[2] = {tb ? nn : k, tb ? k : nn}, cd[2] = {m, nn};
    char bname[16], cname[16];
    init_float(g, bname, 2, bd, 0);
    node n = node_begin(g, "Gemm");
    node_in(&n, a.name);
    node_in(&n, bname);
    switch (pick(g, 4)) {
    case 0: break;
    case 1: init_float(g, cname, 1, &cd[1], 0), node_in(&n, cname); break;
    case 2: init_float(g, cname, 2, cd, 0), node_in(&n, cname); break;
    default: init_float(g, cname, 0, NULL, 0), node_in(&n, cname); break;
    }
    if (ta) attr_int(&n, "transA", 1);
    if (tb) attr_int(&n, "transB", 1);
    if (pick(g, 2)) attr_float(&n, "alpha", (float)pick(g, 8) / 4.0f);
    if (pick(g, 2)) attr_float(&n, "beta", (float)pick(g, 8) / 4.0f);
    return node_end(&n, 2, cd);
}

/* Conv and the pools: a is 3-D or 4-D with every spatial dim >= 1. */
static int op_window(gen *g, val a)
{
    static const char *ops[] = {"Conv", "MaxPool", "AveragePool", "Conv"};
    const char *op = ops[pick(g, 4)];
    int conv = !strcmp(op, "Conv"), s = a.rank - 2;
    int64_t k[2], st[2], dil[2], pads[4], out[RANK_CAP];
    for (int i = 0; i < s; i++) {
        int64_t d = a.dims[2 + i];
        k[i] = 1 + pick(g, 3);
        st[i] = 1 + pick(g, 2);
        dil[i] = conv ? 1 + pick(g, 2) : 1;
        pads[i] = pick(g, 2);
        pads[s + i] = pick(g, 2);
        if (!conv && (pads[i] >= k[i] || pads[s + i] >= k[i])) pads[i] = pads[s + i] = 0; /* pads < kernel */
        if (d + pads[i] + pads[s + i] < dil[i] * (k[i] - 1) + 1) k[i] = 1, dil[i] = 1;
        out[2 + i] = (d + pads[i] + pads[s + i] - dil[i] * (k[i] - 1) - 1) / st[i] + 1;
    }
    out[0] = a.dims[0];
    out[1] = a.dims[1];
    node n = node_begin(g, op);
    node_in(&n, a.name);
    if (conv) {
        int64_t c = a.dims[1], group = pick(g, 2) ? c : 1, w[RANK_CAP];
        if (sabotage(g)) group = c + 1;
        w[0] = group * (1 + pick(g, 2));
        w[1] = group ? c / group : c;
        for (int i = 0; i < s; i++) w[2 + i] = k[i];
        out[1] = w[0];
        char wname[16], bname[16];
        init_float(g, wname, a.rank, w, 0);
        node_in(&n, wname);
        if (pick(g, 2)) {
            init_float(g, bname, 1, w, 0);
            node_in(&n, bname);
        }
        attr_int(&n, "group", group);
        attr_ints(&n, "dilations", s, dil);
        if (pick(g, 2)) attr_ints(&n, "kernel_shape", s, k);
    } else {
        attr_ints(&n, "kernel_shape", s, k);
        if (!strcmp(op, "AveragePool") && pick(g, 2)) attr_int(&n, "count_include_pad", 1);
    }
    attr_ints(&n, "strides", s, st);
    attr_ints(&n, "pads", 2 * s, pads);
    return node_end(&n, a.rank, out);
}

static int op_reduce(gen *g, val a)
{
    static const char *ops[] = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum"};
    const char *op = ops[pick(g, 4)];
    unsigned mask = pick(g, 1u << a.rank);
    int keep = (int)pick(g, 2), na = 0, r = 0;
    int64_t axes[RANK_CAP + 1], out[RANK_CAP]; /* + 1: the sabotaged axis */
    for (int i = 0; i < a.rank; i++) {
        int reduced = !mask || (mask >> i & 1);
        if (mask >> i & 1) axes[na++] = pick(g, 2) ? i : i - a.rank;
        if (!reduced)
            out[r++] = a.dims[i];
        else if (keep)
            out[r++] = 1;
    }
    if (sabotage(g)) axes[na++] = a.rank + 1;
    node n = node_begin(g, op);
    node_in(&n, a.name);
    if (na && !strcmp(op, "ReduceSum")) { /* axes is an input since opset 13 */
        char an[16];
        init_ints(g, an, na, axes);
        node_in(&n, an);
    } else if (na) {
        attr_ints(&n, "axes", na, axes);
    }
    attr_int(&n, "keepdims", keep);
    return node_end(&n, r, out);
}

static int op_softmax(gen *g, val a)
{
    static const char *ops[] = {"Softmax", "LogSoftmax", "Hardmax"};
    node n = node_begin(g, ops[pick(g, 3)]);
    node_in(&n, a.name);
    attr_int(&n, "axis", sabotage(g) ? a.rank + 2 : (int64_t)pick(g, 2u * a.rank) - a.rank);
    return node_end(&n, a.rank, a.dims);
}

static int op_transpose(gen *g, val a)
{
    int64_t perm[RANK_CAP], out[RANK_CAP];
    for (int i = 0; i < a.rank; i++) perm[i] = i;
    for (int i = a.rank - 1; i > 0; i--) {
        int j = (int)pick(g, (unsigned)i + 1);
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    if (sabotage(g) && a.rank > 1) perm[0] = perm[1];
    for (int i = 0; i < a.rank; i++) out[i] = a.dims[perm[i] % a.rank];
    node n = node_begin(g, "Transpose");
    node_in(&n, a.name);
    attr_ints(&n, "perm", a.rank, perm);
    return node_end(&n, a.rank, out);
}

static int op_reshape(gen *g, val a)
{
    int64_t total = numel(&a), shape[3], out[3];
    int r = 1 + (int)pick(g, 3);
    int64_t left = total;
    for (int i = 0; i < r - 1; i++) { /* a divisor of what is left */
        int64_t d = 1 + pick(g, 4);
        out[i] = left % d == 0 ? d : 1;
        left = out[i] ? left / out[i] : left;
    }
    out[r - 1] = left;
    for (int i = 0; i < r; i++) shape[i] = out[i];
    if (total && pick(g, 2)) shape[pick(g, (unsigned)r)] = -1;
    if (sabotage(g)) shape[0] += 1;
    char sn[16];
    init_ints(g, sn, r, shape);
    node n = node_begin(g, "Reshape");
    node_in(&n, a.name);
    node_in(&n, sn);
    return node_end(&n, r, out);
}

static int op_flatten(gen *g, val a)
{
    int64_t axis = pick(g, (unsigned)a.rank + 1), out[2] = {1, 1};
    for (int i = 0; i < a.rank; i++) out[i >= axis] *= a.dims[i];
    node n = node_begin(g, "Flatten");
    node_in(&n, a.name);
    attr_int(&n, "axis", pick(g, 2) ? axis : axis - a.rank);
    return node_end(&n, 2, out);
}

static int op_concat(gen *g, val a)
{
    int axis = (int)pick(g, (unsigned)a.rank);
    val b = *same_shape_value(g, &a);
    if (pick(g, 2)) { /* an initializer differing along the axis */
        b.dims[axis] = 1 + pick(g, 3);
        init_float(g, b.name, b.rank, b.dims, 0);
    }
    node n = node_begin(g, "Concat");
    node_in(&n, a.name);
    node_in(&n, b.name);
    attr_int(&n, "axis", sabotage(g) ? a.rank : axis);
    a.dims[axis] += b.dims[axis];
    return node_end(&n, a.rank, a.dims);
}

static int op_unsqueeze_squeeze(gen *g, val a)
{
    int64_t axes[RANK_CAP + 1], out[RANK_CAP]; /* + 1: the sabotaged repeated axis */
    int na = 0, r = 0;
    node n;
    if (a.rank < RANK_CAP && pick(g, 2)) {
        int at = (int)pick(g, (unsigned)a.rank + 1);
        axes[na++] = pick(g, 2) ? at : at - (a.rank + 1);
        for (int i = 0; i <= a.rank; i++) out[r++] = i == at ? 1 : a.dims[i - (i > at)];
        n = node_begin(g, "Unsqueeze");
    } else {
        for (int i = 0; i < a.rank; i++) {
            if (a.dims[i] == 1)
                axes[na++] = i;
            else
                out[r++] = a.dims[i];
        }
        n = node_begin(g, "Squeeze");
    }
    if (sabotage(g)) axes[na++] = 0; /* a repeated axis, or squeezing a dim that is not 1 */
    node_in(&n, a.name);
    if (na) {
        char an[16];
        init_ints(g, an, na, axes);
        node_in(&n, an);
    }
    return node_end(&n, r, out);
}

static int op_slice(gen *g, val a)
{
    int axis = (int)pick(g, (unsigned)a.rank);
    int64_t d = a.dims[axis], step = pick(g, 3) == 2 ? -1 : 1 + (int64_t)pick(g, 2);
    int64_t start = (int64_t)pick(g, (unsigned)(2 * d + 3)) - d - 1, end = (int64_t)pick(g, (unsigned)(2 * d + 3)) - d - 1;
    int64_t s = start < 0 ? start + d : start, e = end < 0 ? end + d : end, len;
    if (step > 0) {
        s = s < 0 ? 0 : s > d ? d : s;
        e = e < 0 ? 0 : e > d ? d : e;
        len = e > s ? (e - s + step - 1) / step : 0;
    } else {
        s = s < 0 ? 0 : s > d - 1 ? d - 1 : s;
        e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
        len = s > e ? (s - e + (-step) - 1) / (-step) : 0;
    }
    int64_t v[4] = {start, end, pick(g, 2) ? axis : axis - a.rank, sabotage(g) ? 0 : step};
    char names[4][16];
    for (int i = 0; i < 4; i++) init_ints(g, names[i], 1, &v[i]);
    node n = node_begin(g, "Slice");
    node_in(&n, a.name);
    for (int i = 0; i < 4; i++) node_in(&n, names[i]);
    a.dims[axis] = len;
    return node_end(&n, a.rank, a.dims);
}

static int op_norm(gen *g, val a) /* BatchNormalization (rank >= 2) or LayerNormalization */
{
    char p[4][16];
    node n;
    if (a.rank >= 2 && pick(g, 2)) {
        for (int i = 0; i < 4; i++) init_float(g, p[i], 1, &a.dims[1], i == 3);
        n = node_begin(g, "BatchNormalization");
        node_in(&n, a.name);
        for (int i = 0; i < 4; i++) node_in(&n, p[i]);
    } else {
        int axis = (int)pick(g, (unsigned)a.rank);
        init_float(g, p[0], a.rank - axis, &a.dims[axis], 0);
        n = node_begin(g, "LayerNormalization");
        node_in(&n, a.name);
        node_in(&n, p[0]);
        if (pick(g, 2)) {
            init_float(g, p[1], a.rank - axis, &a.dims[axis], 0);
            node_in(&n, p[1]);
        }
        attr_int(&n, "axis", pick(g, 2) ? axis : axis - a.rank);
    }
    if (pick(g, 2)) attr_float(&n, "epsilon", 1e-3f);
    return node_end(&n, a.rank, a.dims);
}

static int op_gather(gen *g, val a)
{
    int axis = (int)pick(g, (unsigned)a.rank), ni = 1 + (int)pick(g, 3);
    int64_t d = a.dims[axis], idx[3], out[RANK_CAP];
    for (int i = 0; i < ni; i++) idx[i] = (int64_t)pick(g, (unsigned)(2 * d)) - d; /* [-d, d) */
    if (sabotage(g)) idx[0] = d;                                                   /* out of range: the run must refuse it */
    char in_[16];
    init_ints(g, in_, ni, idx);
    node n = node_begin(g, "Gather");
    node_in(&n, a.name);
    node_in(&n, in_);
    attr_int(&n, "axis", axis);
    int r = 0;
    for (int i = 0; i < a.rank; i++) {
        if (i == axis)
            out[r++] = ni;
        else
            out[r++] = a.dims[i];
    }
    return node_end(&n, r, out);
}

static int op_pad_expand(gen *g, val a)
{
    int64_t v[2 * RANK_CAP], out[RANK_CAP];
    char sn[16];
    node n;
    if (pick(g, 2)) {
        static const char *modes[] = {"constant", "edge"};
        for (int i = 0; i < 2 * a.rank; i++) v[i] = pick(g, 3);
        for (int i = 0; i < a.rank; i++) out[i] = a.dims[i] + v[i] + v[a.rank + i];
        init_ints(g, sn, 2 * a.rank, v);
        n = node_begin(g, "Pad");
        node_in(&n, a.name);
        node_in(&n, sn);
        const char *mode = modes[pick(g, 2)];
        pb_buf at = {0}; /* mode is a string attribute */
        pb_string_field(&at, ATTR_NAME, "mode");
        pb_varint_field(&at, ATTR_TYPE, 3);
        pb_bytes_field(&at, 4, mode, strlen(mode));
        pb_message_field(&n.b, NODE_ATTR, &at);
        return node_end(&n, a.rank, out);
    }
    for (int i = 0; i < a.rank; i++) v[i] = out[i] = a.dims[i] == 1 ? 1 + pick(g, 3) : a.dims[i];
    if (sabotage(g) && a.rank) v[0] = out[0] = a.dims[0] + 1;
    init_ints(g, sn, a.rank, v);
    n = node_begin(g, "Expand");
    node_in(&n, a.name);
    node_in(&n, sn);
    return node_end(&n, a.rank, out);
}

static int64_t bytes_of(const val *a) { return numel(a) * 4; }

/* One node on a value chosen among those made so far; ops whose preconditions the value does
 * not meet fall back to a unary op. */
static void add_node(gen *g)
{
    val a = g->vals[pick(g, (unsigned)g->n_vals)];
    int spatial_ok = a.rank >= 3 && a.rank <= 4;
    for (int i = 2; i < a.rank; i++) spatial_ok &= a.dims[i] >= 1;
    int big = bytes_of(&a) > 4096; /* keep tensors small: the run must stay fast */
    switch (pick(g, 17)) {
    case 0:
    case 1: op_binary(g, a); break;
    case 2:
        if (a.rank >= 1 && !big) {
            op_matmul(g, a);
            break;
        }
        op_unary(g, a);
        break;
    case 3:
        if (a.rank == 2 && !big) {
            op_gemm(g, a);
            break;
        }
        op_unary(g, a);
        break;
    case 4:
    case 5:
        if (spatial_ok && !big) {
            op_window(g, a);
            break;
        }
        op_unary(g, a);
        break;
    case 6: op_reduce(g, a); break;
    case 7:
        if (a.rank >= 1) {
            op_softmax(g, a);
            break;
        }
        op_unary(g, a);
        break;
    case 8: op_transpose(g, a); break;
    case 9: op_reshape(g, a); break;
    case 10: op_flatten(g, a); break;
    case 11:
        if (a.rank >= 1 && !big) {
            op_concat(g, a);
            break;
        }
        op_unary(g, a);
        break;
    case 12: op_unsqueeze_squeeze(g, a); break;
    case 13:
        if (a.rank >= 1) {
            op_slice(g, a);
            break;
        }
        op_unary(g, a);
        break;
    case 14:
        if (a.rank >= 1 && numel(&a)) {
            op_gather(g, a);
            break;
        }
        op_unary(g, a);
        break;
    case 15:
        if (a.rank >= 1) {
            op_norm(g, a);
            break;
        }
        op_unary(g, a);
        break;
    default:
        if (!big && a.rank >= 1) {
            op_pad_expand(g, a);
            break;
        }
        op_unary(g, a);
        break;
    }
}

void fuzz_gen_model(const uint8_t *data, size_t size, pb_buf *out)
{
    gen g = {data, size, 0, {0}, {{{0}, 0, {0}}}, 0, 0, 0, 0, 17, {{{0}, 0}}, 0, 0};
    val x = {"x", 1 + (int)pick(&g, 4), {0}};
    for (int i = 0; i < x.rank; i++) x.dims[i] = 1 + pick(&g, 4);
    g.vals[g.n_vals++] = x;
    value_info(&g.graph, GRAPH_INPUT, "x", &x);
    if (pick(&g, 2)) { /* a second input of the same shape */
        val y = x;
        snprintf(y.name, sizeof y.name, "y");
        g.vals[g.n_vals++] = y;
        value_info(&g.graph, GRAPH_INPUT, "y", &y);
    }
    g.n_inputs = g.n_vals;
    int nodes = 1 + (int)pick(&g, 6);
    for (int k = 0; k < nodes && g.n_vals < MAX_VALS; k++) add_node(&g);
    /* outputs: the last value, and sometimes one made earlier (values stay alive across nodes) */
    value_info(&g.graph, GRAPH_OUTPUT, g.vals[g.n_vals - 1].name, NULL);
    if (g.n_vals - 1 > g.n_inputs && pick(&g, 2)) {
        int k = g.n_inputs + (int)pick(&g, (unsigned)(g.n_vals - 1 - g.n_inputs));
        value_info(&g.graph, GRAPH_OUTPUT, g.vals[k].name, NULL);
    }
    /* then, while bytes remain, nodes of the later families (model_gen_ops.c); an input whose
     * bytes ran out above gets none, so older regression inputs still make the same model */
    int later = (int)pick(&g, 4);
    for (int k = 0; k < later; k++) add_later_family_node(&g, g.vals[pick(&g, (unsigned)g.n_vals)]);
    for (int k = 0; k < g.n_sinks; k++) value_info_typed(&g.graph, GRAPH_OUTPUT, g.sinks[k].name, g.sinks[k].dtype, NULL);
    pb_string_field(&g.graph, GRAPH_NAME, "fuzz");
    pb_buf opset = {0};
    pb_string_field(&opset, OPSET_DOMAIN, "");
    pb_varint_field(&opset, OPSET_VERSION, (uint64_t)g.opset);
    *out = (pb_buf){0};
    pb_varint_field(out, MODEL_IR, g.opset > 17 ? 10 : 8);
    pb_message_field(out, MODEL_OPSET, &opset);
    pb_message_field(out, MODEL_GRAPH, &g.graph);
}

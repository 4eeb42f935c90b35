/* pointwise.c — elementwise layers. Each layer (one ONNX node, or a chain fused by the
 * pointwise_chain pass) becomes ONE generated kernel: every work-item computes one element of
 * the layer's output, loading each input at its broadcast offset (strides baked into the
 * source as constants) and evaluating the nodes in order in float registers. */
#include "ocl/engine.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An op's expression over operands A and B (the only capital letters in it), with attribute
 * placeholders $alpha/$beta filled from the node. */
typedef struct pw_op {
    const char *op;
    int arity;
    const char *expr;
} pw_op;

static const pw_op ops[] = {
    {"Add", 2, "(A + B)"}, {"Sum", 2, "(A + B)"}, {"Mean", 2, "((A + B) * 0.5f)"}, {"Sub", 2, "(A - B)"}, {"Mul", 2, "(A * B)"}, {"Div", 2, "(A / B)"},
    {"Pow", 2, "pow(A, B)"}, {"Max", 2, "xc_max_nan(A, B)"}, {"Min", 2, "xc_min_nan(A, B)"},
    {"PRelu", 2, "(A < 0.0f ? A * B : A)"},
    {"Relu", 1, "(A < 0.0f ? 0.0f : A)"}, {"Sigmoid", 1, "(1.0f / (1.0f + exp(-A)))"}, {"Tanh", 1, "tanh(A)"},
    {"Exp", 1, "exp(A)"}, {"Log", 1, "log(A)"}, {"Sqrt", 1, "sqrt(A)"}, {"Abs", 1, "fabs(A)"},
    {"Neg", 1, "(-A)"}, {"Erf", 1, "erf(A)"}, {"Reciprocal", 1, "(1.0f / A)"}, {"Floor", 1, "floor(A)"},
    {"Ceil", 1, "ceil(A)"}, {"Sin", 1, "sin(A)"}, {"Cos", 1, "cos(A)"},
    {"LeakyRelu", 1, "(A < 0.0f ? A * $alpha : A)"},
    {"HardSigmoid", 1, "(isnan(A) ? A : fmax(0.0f, fmin(1.0f, $alpha * A + $beta)))"},
    {"HardSwish", 1, "(isnan(A) ? A : A * fmax(0.0f, fmin(1.0f, A / 6.0f + 0.5f)))"},
    {"Softplus", 1, "(A > 20.0f ? A : log1p(exp(A)))"},
    {"Elu", 1, "(A < 0.0f ? $alpha * (exp(A) - 1.0f) : A)"},
    {"Clip", 1, "(isnan(A) ? A : fmin(fmax(A, $alpha), $beta))"},
    {NULL, 0, NULL},
};

static const pw_op *find_op(const xc_node *n)
{
    if (n->domain[0]) return NULL;
    for (const pw_op *p = ops; p->op; p++)
        if (!strcmp(p->op, n->op_type)) return p;
    return NULL;
}

/* Attribute values of the expression: LeakyRelu/HardSigmoid/Elu alpha and beta (ONNX
 * defaults), Clip bounds from attributes (opset < 11) or constant inputs. */
static int node_params(const xc_engine *e, const xc_node *n, float *alpha, float *beta)
{
    const char *op = n->op_type;
    *alpha = xc_attr_float(n, "alpha", !strcmp(op, "HardSigmoid") ? 0.2f : !strcmp(op, "LeakyRelu") ? 0.01f : 1.0f);
    *beta = xc_attr_float(n, "beta", 0.5f);
    if (strcmp(op, "Clip")) return 1;
    *alpha = xc_attr_float(n, "min", -3.402823466e38f);
    *beta = xc_attr_float(n, "max", 3.402823466e38f);
    for (int i = 1; i < 3 && i < n->n_inputs; i++) {
        if (!n->inputs[i][0]) continue;
        int t = xc_names_get(&e->tensor_index, n->inputs[i]);
        const float *v = t >= 0 ? xc_et_const_f32(&e->tensors[t]) : NULL;
        if (!v || xc_et_numel(&e->tensors[t]) != 1) return 0; /* bounds computed at run time: not fused here */
        *(i == 1 ? alpha : beta) = v[0];
    }
    return 1;
}

static int pw_accepts(const xc_engine *e, const xc_layer *l)
{
    const pw_op *p = find_op(l->node);
    float a, b;
    if (!p || l->n_out != 1 || !node_params(e, l->node, &a, &b)) return 0;
    /* every input is an operand (variadic Max/Min with 3+ inputs are not), except Clip's bounds */
    if (l->node->n_inputs != p->arity && strcmp(p->op, "Clip")) return 0;
    if (e->tensors[l->out[0]].dtype != XC_FLOAT) return 0;
    for (int i = 0; i < p->arity; i++)
        if (i >= l->n_in || l->in[i] < 0 || e->tensors[l->in[i]].dtype != XC_FLOAT) return 0;
    return 1;
}

typedef struct gen {
    char *buf;
    size_t len, cap;
    int failed;
} gen;

static void emit(gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(gen *g, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
        va_end(ap);
        if (n < 0) { g->failed = 1; return; }
        if (g->len + (size_t)n < g->cap) { g->len += (size_t)n; return; }
        size_t cap = (g->cap + (size_t)n) * 2;
        char *b = realloc(g->buf, cap);
        if (!b) { g->failed = 1; return; }
        g->buf = b;
        g->cap = cap;
    }
}

/* Substitutes A, B and $alpha/$beta into an op's expression. */
static void emit_expr(gen *g, const pw_op *p, const char *a, const char *b, float alpha, float beta)
{
    for (const char *s = p->expr; *s; s++) {
        if (*s == 'A') emit(g, "%s", a);
        else if (*s == 'B') emit(g, "%s", b);
        else if (!strncmp(s, "$alpha", 6)) { emit(g, "((float)%.9g)", alpha); s += 5; }
        else if (!strncmp(s, "$beta", 5)) { emit(g, "((float)%.9g)", beta); s += 4; }
        else emit(g, "%c", *s);
    }
}

/* The offset of input t at output coordinates c0..c{r-1}: its broadcast strides, baked in. */
static void emit_offset(gen *g, const xc_etensor *t, const xc_etensor *y)
{
    int64_t stride = 1, strides[XC_MAX_RANK] = {0};
    for (int k = t->rank - 1; k >= 0; k--) {
        strides[k] = t->dims[k] == 1 ? 0 : stride;
        stride *= t->dims[k];
    }
    int off = y->rank - t->rank, any = 0;
    for (int k = 0; k < t->rank; k++)
        if (strides[k]) {
            emit(g, "%sc%d * %lld", any ? " + " : "", k + off, (long long)strides[k]);
            any = 1;
        }
    if (!any) emit(g, "0");
}

/* The register holding node input `name` of the k-th node of l: an earlier node's result, or
 * a layer input. */
static int operand(const xc_engine *e, const xc_layer *l, int k, const char *name, char *buf, size_t len)
{
    for (int j = k - 1; j >= 0; j--)
        if (!strcmp(e->model->graph->nodes[l->nodes[j]].outputs[0], name)) return snprintf(buf, len, "v%d", j), 1;
    int i = xc_layer_find_input(e, l, xc_names_get(&e->tensor_index, name));
    return i >= 0 ? (snprintf(buf, len, "in_%d", i), 1) : 0;
}

/* Which layer inputs the expressions read (Clip's bounds, say, are folded into the source). */
static void mark_used(const xc_engine *e, const xc_layer *l, int *used)
{
    for (int i = 0; i < l->n_in; i++) used[i] = 0;
    for (int k = 0; k < l->n_nodes; k++) {
        const xc_node *n = &e->model->graph->nodes[l->nodes[k]];
        for (int a = 0; a < find_op(n)->arity; a++) {
            int i = xc_layer_find_input(e, l, xc_names_get(&e->tensor_index, n->inputs[a]));
            if (i >= 0) used[i] = 1;
        }
    }
}

/* Generates the kernel of layer l: one element of the output per work-item. Its parameters are
 * the inputs the expressions read, in l->in order, then the output. */
static xc_status generate(const xc_engine *e, xc_layer *l, const int *used)
{
    const xc_etensor *y = &e->tensors[l->out[0]];
    gen g = {0};
    emit(&g, "__kernel void pointwise(");
    for (int i = 0; i < l->n_in; i++)
        if (used[i]) emit(&g, "__global const store_t *in%d, ", i);
    emit(&g, "__global store_t *out)\n{\n    const long gid = get_global_id(0);\n    if (gid >= %lldL) return;\n",
         (long long)xc_et_numel(y));
    int64_t rest = 1;
    for (int k = y->rank - 1; k >= 0; k--) {
        emit(&g, "    const long c%d = gid / %lldL %% %lldL;\n", k, (long long)rest, (long long)y->dims[k]);
        rest *= y->dims[k];
    }
    for (int i = 0; i < l->n_in; i++) {
        if (!used[i]) continue;
        emit(&g, "    const float in_%d = LOAD(in%d, ", i, i);
        emit_offset(&g, &e->tensors[l->in[i]], y);
        emit(&g, ");\n");
    }
    for (int k = 0; k < l->n_nodes; k++) {
        const xc_node *n = &e->model->graph->nodes[l->nodes[k]];
        const pw_op *p = find_op(n);
        float alpha, beta;
        node_params(e, n, &alpha, &beta);
        char reg[2][32] = {"", ""};
        for (int a = 0; a < p->arity; a++)
            if (!operand(e, l, k, n->inputs[a], reg[a], sizeof reg[a])) {
                free(g.buf);
                return xc_fail(XC_ERR_INTERNAL, "layer '%s': input '%s' of a fused node is not wired", l->name, n->inputs[a]);
            }
        emit(&g, "    const float v%d = ", k);
        emit_expr(&g, p, reg[0], reg[1], alpha, beta);
        emit(&g, ";\n");
    }
    emit(&g, "    STORE(out, gid, v%d);\n}\n", l->n_nodes - 1);
    if (g.failed) {
        free(g.buf);
        return xc_fail(XC_ERR_NOMEM, "out of memory generating a kernel");
    }
    free(l->code);
    l->code = g.buf;
    return XC_OK;
}

static xc_status pw_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    int used[XC_LAYER_IO];
    mark_used(e, l, used);
    XC_TRY(generate(e, l, used));
    cl_program p;
    XC_TRY(xc_layer_program(e, l, NULL, l->code, defines, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "pointwise");
    for (int i = 0; i < l->n_in; i++)
        if (used[i]) XC_TRY(xc_launch_input(e, l, k, l->in[i]));
    xc_launch_tensor(k, l->out[0]);
    size_t n = xc_et_numel(&e->tensors[l->out[0]]), global = xc_round_up(n ? n : 1, 64), local = 64;
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static const xc_tactic pw_generated = {"pointwise.generated", NULL, NULL, pw_prepare, NULL};
static const xc_tactic *const pw_tactics[] = {&pw_generated, NULL};
const xc_layer_kind xc_kind_pointwise = {"pointwise", pw_accepts, pw_tactics};

int xc_pointwise_op_known(const xc_node *n) { return find_op(n) != NULL; }

/* pointwise.c — elementwise layers. Each layer (one ONNX node, or a chain fused by the
 * pointwise_chain pass) becomes ONE generated kernel: every work-item computes one element of
 * the layer's output, loading each input at its broadcast offset (strides baked into the
 * source as constants) and evaluating the nodes in order in float registers (each result rounded
 * to half under fp16 math). */
#include "ocl/engine.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An op's expression over operands A and B (the only capital letters in it). The activations
 * (Relu, Clip, LeakyRelu, ...) are not listed here: they come from the activation table
 * (ocl/activation.h), with their parameters as $alpha/$beta. */
typedef struct pw_op {
    const char *op;
    int arity;
    const char *expr;
    const xc_activation_def *act; /* the table row, for activations */
} pw_op;

static const pw_op ops[] = {
    {"Add", 2, "(A + B)", NULL},
    {"Sum", 2, "(A + B)", NULL},
    {"Mean", 2, "((A + B) * 0.5f)", NULL},
    {"Sub", 2, "(A - B)", NULL},
    {"Mul", 2, "(A * B)", NULL},
    {"Div", 2, "(A / B)", NULL},
    {"Pow", 2, "pow(A, B)", NULL},
    {"Max", 2, "xc_max_nan(A, B)", NULL},
    {"Min", 2, "xc_min_nan(A, B)", NULL},
    {"PRelu", 2, "(A < 0.0f ? A * B : A)", NULL},
    {"Exp", 1, "exp(A)", NULL},
    {"Log", 1, "log(A)", NULL},
    {"Sqrt", 1, "sqrt(A)", NULL},
    {"Abs", 1, "fabs(A)", NULL},
    {"Neg", 1, "(-A)", NULL},
    {"Erf", 1, "erf(A)", NULL},
    {"Reciprocal", 1, "(1.0f / A)", NULL},
    {"Floor", 1, "floor(A)", NULL},
    {"Ceil", 1, "ceil(A)", NULL},
    {"Sin", 1, "sin(A)", NULL},
    {"Cos", 1, "cos(A)", NULL},
    {NULL, 0, NULL, NULL},
};

/* The op of node n: from the table above, or an activation's row (*tmp filled from it). */
static const pw_op *find_op(const xc_node *n, pw_op *tmp)
{
    if (n->domain[0]) return NULL;
    for (const pw_op *p = ops; p->op; p++)
        if (!strcmp(p->op, n->op_type)) return p;
    const xc_activation_def *d = xc_activation_of_node(n);
    if (!d) return NULL;
    *tmp = (pw_op){d->op, 1, d->expr, d};
    return tmp;
}

/* The parameters of node n's expression ($alpha/$beta); 0 when they are not constants. */
static int node_params(const xc_engine *e, const xc_node *n, const pw_op *p, float *alpha, float *beta)
{
    *alpha = *beta = 0;
    return !p->act || xc_activation_params(e, n, p->act, alpha, beta);
}

static int pw_accepts(const xc_engine *e, const xc_layer *l)
{
    pw_op tmp;
    const pw_op *p = find_op(l->node, &tmp);
    float a, b;
    if (!p || l->n_out != 1 || !node_params(e, l->node, p, &a, &b)) return 0;
    /* every input is an operand (variadic Max/Min with 3+ inputs are not), except Clip's bounds */
    if (l->node->n_inputs != p->arity && !(p->act && p->act->id == XC_ACT_CLIP)) return 0;
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
        if (n < 0) {
            g->failed = 1;
            return;
        }
        if (g->len + (size_t)n < g->cap) {
            g->len += (size_t)n;
            return;
        }
        size_t cap = (g->cap + (size_t)n) * 2;
        char *b = realloc(g->buf, cap);
        if (!b) {
            g->failed = 1;
            return;
        }
        g->buf = b;
        g->cap = cap;
    }
}

/* Substitutes A, B and $alpha/$beta into an op's expression. */
static void emit_expr(gen *g, const pw_op *p, const char *a, const char *b, float alpha, float beta)
{
    char buf[1024];
    if (xc_cl_expr(buf, sizeof buf, p->expr, a, b, alpha, beta) >= sizeof buf)
        g->failed = 1;
    else
        emit(g, "%s", buf);
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
        pw_op tmp;
        for (int a = 0; a < find_op(n, &tmp)->arity; a++) {
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
        pw_op tmp;
        const pw_op *p = find_op(n, &tmp);
        float alpha, beta;
        node_params(e, n, p, &alpha, &beta);
        char reg[2][32] = {"", ""};
        for (int a = 0; a < p->arity; a++)
            if (!operand(e, l, k, n->inputs[a], reg[a], sizeof reg[a])) {
                free(g.buf);
                return xc_fail(XC_ERR_INTERNAL, "layer '%s': input '%s' of a fused node is not wired", l->name, n->inputs[a]);
            }
        /* fp16 math: each node's result rounded to half (fp32 layers keep their source, and key) */
        const int round = l->fp16 && l->fp16_math;
        emit(&g, "    const float v%d = %s", k, round ? "xc_h(" : "");
        emit_expr(&g, p, reg[0], reg[1], alpha, beta);
        emit(&g, "%s;\n", round ? ")" : "");
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
    size_t n = xc_et_numel(&e->tensors[l->out[0]]), global = xc_round_up(n ? n : 1, XC_WG_DEFAULT), local = XC_WG_DEFAULT;
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static const xc_tactic pw_generated = {"pointwise.generated", NULL, NULL, pw_prepare, NULL};
static const xc_tactic *const pw_tactics[] = {&pw_generated, NULL};
const xc_layer_kind xc_kind_pointwise = {"pointwise", pw_accepts, pw_tactics, 0};

int xc_pointwise_op_known(const xc_node *n)
{
    pw_op tmp;
    return find_op(n, &tmp) != NULL;
}

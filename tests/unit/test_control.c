/* test_control.c — subgraph captures (lexical scoping, nesting) and a Loop whose body reads a
 * value computed earlier, run by the interpreter and by the on-demand session (which must
 * count the capture as a dependency of the Loop). Models are built in memory. */
#include "backend.h"
#include "validate.h"
#include "test.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char **names(int n, va_list *ap)
{
    char **v = calloc((size_t)n + 1, sizeof *v);
    for (int i = 0; i < n; i++) v[i] = strdup(va_arg(*ap, const char *));
    return v;
}

/* Node op(inputs...) -> outputs...: n_in names, then n_out names. */
static void node(xc_node *nd, const char *op, const char *name, int n_in, int n_out, ...)
{
    va_list ap;
    va_start(ap, n_out);
    memset(nd, 0, sizeof *nd);
    nd->op_type = strdup(op);
    nd->name = strdup(name);
    nd->domain = strdup("");
    nd->n_inputs = n_in;
    nd->inputs = names(n_in, &ap);
    nd->n_outputs = n_out;
    nd->outputs = names(n_out, &ap);
    va_end(ap);
    nd->attrs = calloc(1, sizeof *nd->attrs);
}

static void graph_attr(xc_node *nd, const char *name, xc_graph *g)
{
    nd->n_attrs = 1;
    nd->attrs[0].name = strdup(name);
    nd->attrs[0].type = XC_ATTR_GRAPH;
    nd->attrs[0].g = g;
}

static void value(xc_value_info *v, const char *name, xc_dtype t, int rank, int64_t d0)
{
    memset(v, 0, sizeof *v);
    v->name = strdup(name);
    v->dtype = t;
    v->rank = rank;
    v->dims[0] = d0;
}

static xc_graph *graph(int n_nodes, int n_in, int n_out)
{
    xc_graph *g = calloc(1, sizeof *g);
    g->name = strdup("g");
    g->n_nodes = n_nodes;
    g->nodes = calloc((size_t)n_nodes + 1, sizeof *g->nodes);
    g->n_inputs = n_in;
    g->inputs = calloc((size_t)n_in + 1, sizeof *g->inputs);
    g->n_outputs = n_out;
    g->outputs = calloc((size_t)n_out + 1, sizeof *g->outputs);
    g->initializers = calloc(1, sizeof *g->initializers);
    return g;
}

static int has(const char **v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i], name)) return 1;
    return 0;
}

TEST(captures_follow_lexical_scope)
{
    /* inner: a = Neg(outer1); b = Add(a, x_in); nested If-like graph reads b and outer2 */
    xc_graph *nested = graph(1, 0, 1);
    node(&nested->nodes[0], "Add", "n_add", 2, 1, "b", "outer2", "c");
    value(&nested->outputs[0], "c", XC_FLOAT, -1, 0);
    xc_graph *inner = graph(3, 1, 1);
    value(&inner->inputs[0], "x_in", XC_FLOAT, -1, 0);
    node(&inner->nodes[0], "Neg", "neg", 1, 1, "outer1", "a");
    node(&inner->nodes[1], "Add", "add", 2, 1, "a", "x_in", "b");
    node(&inner->nodes[2], "If", "if", 1, 1, "cond", "d");
    graph_attr(&inner->nodes[2], "then_branch", nested);
    value(&inner->outputs[0], "d", XC_FLOAT, -1, 0);
    xc_node owner;
    node(&owner, "Scan", "scan", 1, 1, "x", "y");
    graph_attr(&owner, "body", inner);
    const char **caps = NULL;
    int n = 0;
    CHECK_OK(xc_node_captures(&owner, &caps, &n));
    CHECK(n == 3);
    CHECK(has(caps, n, "outer1") && has(caps, n, "outer2") && has(caps, n, "cond"));
    CHECK(!has(caps, n, "a") && !has(caps, n, "b") && !has(caps, n, "x_in"));
    free(caps);
    xc_node plain;
    node(&plain, "Relu", "relu", 1, 1, "x", "y");
    CHECK_OK(xc_node_captures(&plain, &caps, &n));
    CHECK(n == 0 && caps == NULL && !xc_node_has_subgraphs(&plain));
    xc_node_clear(&plain);
    xc_node_clear(&owner);
}

/* y = Loop(M, "", y0) with body y_out = y_in + h, h = Relu(x) computed in the model graph and
 * listed after the Loop (only the capture orders them). */
static xc_model *loop_model(void)
{
    xc_graph *body = graph(2, 3, 2);
    value(&body->inputs[0], "i", XC_INT64, 0, 0);
    value(&body->inputs[1], "c_in", XC_BOOL, 0, 0);
    value(&body->inputs[2], "y_in", XC_FLOAT, 1, 2);
    node(&body->nodes[0], "Identity", "id", 1, 1, "c_in", "c_out");
    node(&body->nodes[1], "Add", "add", 2, 1, "y_in", "h", "y_out");
    value(&body->outputs[0], "c_out", XC_BOOL, 0, 0);
    value(&body->outputs[1], "y_out", XC_FLOAT, 1, 2);
    xc_model *m = calloc(1, sizeof *m);
    m->n_opsets = 1;
    m->opsets = calloc(1, sizeof *m->opsets);
    m->opsets[0].domain = strdup("");
    m->opsets[0].version = 17;
    m->metadata = calloc(1, sizeof *m->metadata);
    xc_graph *g = m->graph = graph(2, 3, 1);
    value(&g->inputs[0], "x", XC_FLOAT, 1, 2);
    value(&g->inputs[1], "y0", XC_FLOAT, 1, 2);
    value(&g->inputs[2], "M", XC_INT64, 0, 0);
    node(&g->nodes[0], "Loop", "loop", 3, 1, "M", "", "y0", "y");
    graph_attr(&g->nodes[0], "body", body);
    node(&g->nodes[1], "Relu", "relu", 1, 1, "x", "h");
    value(&g->outputs[0], "y", XC_FLOAT, 1, 2);
    return m;
}

TEST(loop_capture_runs_on_interpreter_and_session)
{
    xc_model *m = loop_model();
    CHECK_OK(xc_model_validate(m));
    CHECK(!strcmp(m->graph->nodes[0].op_type, "Relu")); /* the capture sorted Relu first */
    int64_t two = 2;
    xc_tensor *x = NULL, *y0 = NULL, *mt = NULL, *y = NULL;
    CHECK_OK(xc_tensor_new(XC_FLOAT, 1, &two, &x));
    CHECK_OK(xc_tensor_new(XC_FLOAT, 1, &two, &y0));
    CHECK_OK(xc_tensor_new(XC_INT64, 0, NULL, &mt));
    if (!x || !y0 || !mt) goto out;
    ((float *)x->data)[0] = -1.0f; /* relu -> 0 */
    ((float *)x->data)[1] = 2.0f;
    ((float *)y0->data)[0] = 1.0f;
    ((float *)y0->data)[1] = 1.0f;
    ((int64_t *)mt->data)[0] = 3;
    const xc_tensor *in[] = {x, y0, mt};
    xc_backend *b = NULL;
    CHECK_OK(xc_ref_backend_create(m, &b));
    if (b) CHECK_OK(xc_backend_run(b, in, &y, NULL));
    if (y) {
        CHECK_NEAR(((float *)y->data)[0], 1.0, 0);
        CHECK_NEAR(((float *)y->data)[1], 7.0, 0);
    }
    xc_backend_destroy(b);
    xc_ref_session *rs = NULL;
    CHECK_OK(xc_ref_session_create(m, in, &rs));
    const xc_tensor *sy = NULL;
    if (rs) CHECK_OK(xc_ref_session_get(rs, "y", &sy));
    if (sy) CHECK_NEAR(((float *)sy->data)[1], 7.0, 0);
    xc_ref_session_free(rs);
out:
    xc_tensor_free(x);
    xc_tensor_free(y0);
    xc_tensor_free(mt);
    xc_tensor_free(y);
    xc_model_free(m);
}

TEST(unknown_capture_fails_naming_the_nodes)
{
    xc_model *m = loop_model();
    xc_graph *body = m->graph->nodes[0].attrs[0].g;
    free(body->nodes[1].inputs[1]);
    body->nodes[1].inputs[1] = strdup("nowhere");
    CHECK(xc_model_validate(m) == XC_ERR_MODEL);
    const char *msg = xc_error_message();
    CHECK(strstr(msg, "node 'loop' (Loop) body: node 'add' (Add): input 'nowhere'") != NULL);
    CHECK(strchr(msg, '\n') == NULL);
    xc_model_free(m);
}

/* lint.c — `crosscheck check lint` (see lint.h): errors come from validation run with a sink
 * (validate.c, the one place that knows what makes a model invalid); warnings from the graph's
 * use-def structure, computed here. */
#include "lint.h"
#include "names.h"
#include "onnx_io.h"
#include "validate.h"
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *xc_lint_severity_name(xc_lint_severity s) { return s == XC_LINT_ERROR ? "error" : "warning"; }

void xc_lint_report_free(xc_lint_report *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->f[i].kind);
        free(r->f[i].node);
        free(r->f[i].op_type);
        free(r->f[i].tensor);
        free(r->f[i].message);
    }
    free(r->f);
    free(r->model);
    memset(r, 0, sizeof *r);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static xc_status add(xc_lint_report *r, xc_lint_severity sev, const char *kind, const xc_node *nd, const char *tensor,
                     const char *message)
{
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 16;
        xc_lint_finding *f = realloc(r->f, sizeof *f * (size_t)cap);
        if (!f) return xc_fail(XC_ERR_NOMEM, "out of memory");
        r->f = f;
        r->cap = cap;
    }
    xc_lint_finding *f = &r->f[r->n];
    memset(f, 0, sizeof *f);
    f->severity = sev;
    f->kind = strdup(kind);
    f->node = nd ? strdup(nd->name ? nd->name : "") : NULL;
    f->op_type = nd ? strdup(nd->op_type ? nd->op_type : "") : NULL;
    f->tensor = dup_or_null(tensor);
    f->message = strdup(message);
    r->n++; /* counted before the check so that free releases whatever was copied */
    if (!f->kind || (nd && (!f->node || !f->op_type)) || (tensor && !f->tensor) || !f->message)
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    if (sev == XC_LINT_ERROR)
        r->n_errors++;
    else
        r->n_warnings++;
    return XC_OK;
}

static xc_status warn(xc_lint_report *r, const char *kind, const xc_node *nd, const char *tensor, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static xc_status warn(xc_lint_report *r, const char *kind, const xc_node *nd, const char *tensor, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = add(r, XC_LINT_WARNING, kind, nd, tensor, msg);
    free(msg);
    return s;
}

static xc_status on_issue(void *user, xc_status code, const char *kind, const xc_node *node, const char *tensor)
{
    (void)code;
    return add(user, XC_LINT_ERROR, kind, node, tensor, xc_error_message());
}

/* ---- warnings ---- */

/* Names visible in a graph: its own, then its enclosing graphs'. */
typedef struct scope {
    xc_names names;
    const struct scope *outer;
} scope;

static int in_scope(const scope *s, const char *name)
{
    for (; s; s = s->outer)
        if (xc_names_get(&s->names, name) != -1) return 1;
    return 0;
}

static xc_status lint_subgraphs(xc_lint_report *r, const xc_graph *g, const scope *outer);

/* Every value a subgraph defines that hides one of an enclosing graph. */
static xc_status lint_subgraph(xc_lint_report *r, const xc_node *owner, const xc_graph *sg, const scope *outer)
{
    char lb[256];
    scope sc = {.outer = outer};
    XC_TRY(xc_names_init(&sc.names, (size_t)sg->n_inputs + sg->n_initializers + (size_t)sg->n_nodes * 2));
    xc_status s = XC_OK;
    for (int i = 0; s == XC_OK && i < sg->n_inputs + sg->n_initializers; i++) {
        const char *n = i < sg->n_inputs ? sg->inputs[i].name : sg->initializers[i - sg->n_inputs]->name;
        if (n[0] && in_scope(outer, n))
            s = warn(r, "shadowed", owner, n, "%s: subgraph %s '%s' hides a value of the same name in an enclosing graph",
                     xc_node_label(owner, lb, sizeof lb), i < sg->n_inputs ? "input" : "initializer", n);
        if (s == XC_OK && n[0]) s = xc_names_put(&sc.names, n, 1);
    }
    for (int k = 0; s == XC_OK && k < sg->n_nodes; k++)
        for (int o = 0; s == XC_OK && o < sg->nodes[k].n_outputs; o++) {
            const char *n = sg->nodes[k].outputs[o];
            if (n[0] && in_scope(outer, n))
                s = warn(r, "shadowed", &sg->nodes[k], n,
                         "%s: output '%s' (in a subgraph of %s) hides a value of the same name in an enclosing graph",
                         xc_node_label(&sg->nodes[k], lb, sizeof lb), n,
                         owner->name && owner->name[0] ? owner->name : owner->op_type);
            if (s == XC_OK && n[0]) s = xc_names_put(&sc.names, n, 1);
        }
    if (s == XC_OK) s = lint_subgraphs(r, sg, &sc);
    xc_names_free(&sc.names);
    return s;
}

static xc_status lint_subgraphs(xc_lint_report *r, const xc_graph *g, const scope *sc)
{
    for (int k = 0; k < g->n_nodes; k++)
        for (int a = 0; a < g->nodes[k].n_attrs; a++) {
            const xc_attr *at = &g->nodes[k].attrs[a];
            if (at->type == XC_ATTR_GRAPH && at->g) XC_TRY(lint_subgraph(r, &g->nodes[k], at->g, sc));
            for (size_t i = 0; at->type == XC_ATTR_GRAPHS && i < at->n; i++)
                if (at->graphs[i]) XC_TRY(lint_subgraph(r, &g->nodes[k], at->graphs[i], sc));
        }
    return XC_OK;
}

/* Calls fn for every name a node reads: its inputs and, conservatively, every input of every
 * node of its subgraphs (outer values they capture). Stops at the first failure. */
typedef xc_status (*name_fn)(void *user, const char *name);
static xc_status graph_reads(const xc_graph *g, name_fn fn, void *user);
static xc_status node_reads(const xc_node *nd, name_fn fn, void *user)
{
    for (int i = 0; i < nd->n_inputs; i++)
        if (nd->inputs[i][0]) XC_TRY(fn(user, nd->inputs[i]));
    for (int a = 0; a < nd->n_attrs; a++) {
        const xc_attr *at = &nd->attrs[a];
        if (at->type == XC_ATTR_GRAPH && at->g) XC_TRY(graph_reads(at->g, fn, user));
        for (size_t i = 0; at->type == XC_ATTR_GRAPHS && i < at->n; i++)
            if (at->graphs[i]) XC_TRY(graph_reads(at->graphs[i], fn, user));
    }
    return XC_OK;
}

static xc_status graph_reads(const xc_graph *g, name_fn fn, void *user)
{
    for (int k = 0; k < g->n_nodes; k++) XC_TRY(node_reads(&g->nodes[k], fn, user));
    for (int i = 0; i < g->n_outputs; i++) XC_TRY(fn(user, g->outputs[i].name));
    return XC_OK;
}

static xc_status mark_used(void *user, const char *name) { return xc_names_put(user, name, 1); }

/* Liveness: a node is live when a graph output depends on it. */
typedef struct liveness {
    const xc_names *producer;
    char *live;
    int *stack, n_stack;
} liveness;

static xc_status mark_live(void *user, const char *name)
{
    liveness *l = user;
    int p = xc_names_get(l->producer, name);
    if (p >= 0 && !l->live[p]) {
        l->live[p] = 1;
        l->stack[l->n_stack++] = p;
    }
    return XC_OK;
}

static xc_status lint_warnings(xc_lint_report *r, const xc_model *m)
{
    const xc_graph *g = m->graph;
    char lb[256];
    xc_names used, producer;
    size_t cap = (size_t)g->n_nodes * 4 + g->n_inputs + g->n_initializers + g->n_outputs;
    XC_TRY(xc_names_init(&used, cap));
    xc_status s = xc_names_init(&producer, cap);
    if (s != XC_OK) {
        xc_names_free(&used);
        return s;
    }
    liveness l = {&producer, calloc(g->n_nodes ? g->n_nodes : 1, 1), malloc(sizeof(int) * (g->n_nodes ? g->n_nodes : 1)), 0};
    if (!l.live || !l.stack) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; s == XC_OK && k < g->n_nodes; k++) s = node_reads(&g->nodes[k], mark_used, &used);
    for (int i = 0; s == XC_OK && i < g->n_outputs; i++) s = mark_used(&used, g->outputs[i].name);
    for (int k = 0; s == XC_OK && k < g->n_nodes; k++)
        for (int o = 0; s == XC_OK && o < g->nodes[k].n_outputs; o++)
            if (g->nodes[k].outputs[o][0] && xc_names_get(&producer, g->nodes[k].outputs[o]) == -1)
                s = xc_names_put(&producer, g->nodes[k].outputs[o], k);
    for (int i = 0; s == XC_OK && i < g->n_outputs; i++) s = mark_live(&l, g->outputs[i].name);
    while (s == XC_OK && l.n_stack) s = node_reads(&g->nodes[l.stack[--l.n_stack]], mark_live, &l);

    for (int i = 0; s == XC_OK && i < g->n_inputs; i++) {
        const char *n = g->inputs[i].name;
        if (!n[0]) continue;
        if (xc_graph_find_initializer(g, n, NULL))
            s = warn(r, "shadowed", NULL, n,
                     "graph input '%s' is also an initializer: the initializer is only a default a caller may override", n);
        else if (xc_names_get(&used, n) == -1)
            s = warn(r, "unused-input", NULL, n, "graph input '%s' is not used by any node or graph output", n);
    }
    for (int i = 0; s == XC_OK && i < g->n_initializers; i++) {
        const char *n = g->initializers[i]->name;
        if (xc_names_get(&used, n) == -1)
            s = warn(r, "unused-initializer", NULL, n, "initializer '%s' is not used by any node", n);
    }
    for (int k = 0; s == XC_OK && k < g->n_nodes; k++) {
        const xc_node *nd = &g->nodes[k];
        if (!l.live[k])
            s = warn(r, "dead-node", nd, nd->n_outputs ? nd->outputs[0] : NULL, "%s: no graph output depends on it",
                     xc_node_label(nd, lb, sizeof lb));
        if (s == XC_OK && (!nd->name || !nd->name[0]))
            s = warn(r, "unnamed-node", nd, NULL, "%s has no name", xc_node_label(nd, lb, sizeof lb));
        if (s == XC_OK && m->types && m->types->node_unsupported && m->types->node_unsupported[k])
            s = warn(r, "unsupported", nd, NULL, "%s (crosscheck cannot run it)", m->types->node_unsupported[k]);
    }
    if (s == XC_OK) { /* subgraphs see every value of the main graph */
        scope top = {.outer = NULL};
        s = xc_names_init(&top.names, cap);
        for (int i = 0; s == XC_OK && i < g->n_inputs; i++) s = xc_names_put(&top.names, g->inputs[i].name, 1);
        for (int i = 0; s == XC_OK && i < g->n_initializers; i++) s = xc_names_put(&top.names, g->initializers[i]->name, 1);
        for (int k = 0; s == XC_OK && k < g->n_nodes; k++)
            for (int o = 0; s == XC_OK && o < g->nodes[k].n_outputs; o++)
                if (g->nodes[k].outputs[o][0]) s = xc_names_put(&top.names, g->nodes[k].outputs[o], 1);
        if (s == XC_OK) s = lint_subgraphs(r, g, &top);
        xc_names_free(&top.names);
    }
    free(l.live);
    free(l.stack);
    xc_names_free(&used);
    xc_names_free(&producer);
    return s;
}

xc_status xc_lint(const char *path, xc_lint_report *out)
{
    memset(out, 0, sizeof *out);
    if (!(out->model = strdup(path))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_issue_sink sink = {on_issue, out};
    xc_model *m = NULL;
    xc_status s = xc_model_load_checked(path, &sink, &m);
    if (s == XC_OK && m) s = lint_warnings(out, m);
    xc_model_free(m);
    if (s != XC_OK) {
        char *msg = strdup(xc_error_message());
        xc_lint_report_free(out);
        if (msg) xc_fail(s, "%s", msg);
        free(msg);
    }
    return s;
}

static void add_str(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *xc_lint_report_json(const xc_lint_report *r)
{
    cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "findings");
    if (!root || !list) return cJSON_Delete(root), NULL;
    cJSON_AddStringToObject(root, "model", r->model ? r->model : "");
    for (int i = 0; i < r->n; i++) {
        const xc_lint_finding *f = &r->f[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) return cJSON_Delete(root), NULL;
        cJSON_AddItemToArray(list, o);
        add_str(o, "severity", xc_lint_severity_name(f->severity));
        add_str(o, "kind", f->kind);
        add_str(o, "node", f->node);
        add_str(o, "op_type", f->op_type);
        add_str(o, "tensor", f->tensor);
        add_str(o, "message", f->message);
    }
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    if (!sum) return cJSON_Delete(root), NULL;
    cJSON_AddNumberToObject(sum, "errors", r->n_errors);
    cJSON_AddNumberToObject(sum, "warnings", r->n_warnings);
    cJSON_AddBoolToObject(sum, "passed", r->n_errors == 0);
    return root;
}

xc_status xc_lint_report_save_json(const xc_lint_report *r, const char *path)
{
    cJSON *j = xc_lint_report_json(r);
    char *text = j ? cJSON_Print(j) : NULL;
    xc_status s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    cJSON_Delete(j);
    return s;
}

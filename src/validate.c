/* validate.c — load-time validation: every problem a model can have is found here, before
 * anything runs, and reported in one line naming the node or tensor. */
#include "validate.h"
#include "ops/plugins.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A problem found: without a sink the first one fails validation (loading); with one (check
 * lint) it is reported, *bad (when given) is set, and validation goes on past it. */
#define ISSUE(sink, bad, kind, node, tensor, ...)                                                                                \
    do {                                                                                                                         \
        xc_status issue_s_ = xc_fail(__VA_ARGS__);                                                                               \
        if (!(sink)) return issue_s_;                                                                                            \
        if (bad) *(int *)(bad) = 1;                                                                                              \
        XC_TRY((sink)->report((sink)->user, issue_s_, kind, node, tensor));                                                      \
    } while (0)

static xc_status check_opsets(const xc_model *m, const xc_issue_sink *sink)
{
    int64_t v = xc_model_opset(m, "");
    if (m->n_opsets == 0) ISSUE(sink, NULL, "opset", NULL, NULL, XC_ERR_MODEL, "model imports no opset");
    if (v > XC_MAX_OPSET)
        ISSUE(sink, NULL, "opset", NULL, NULL, XC_ERR_UNSUPPORTED,
              "model uses ai.onnx opset %lld, newer than the newest supported (%d)", (long long)v, XC_MAX_OPSET);
    for (int i = 0; i < m->n_opsets; i++)
        if (m->opsets[i].version < 1)
            ISSUE(sink, NULL, "opset", NULL, NULL, XC_ERR_MODEL, "opset import for domain '%s' has invalid version %lld",
                  m->opsets[i].domain, (long long)m->opsets[i].version);
    return XC_OK;
}

/* A graph's value names (name -> producer) and, through parent, those of the graphs around it:
 * a subgraph may read any value of an enclosing graph (an outer-scope capture). */
typedef struct scope {
    const struct scope *parent;
    const xc_names *producer;
} scope;

static int in_scope(const scope *sc, const char *name)
{
    for (; sc; sc = sc->parent)
        if (xc_names_get(sc->producer, name) != -1) return 1;
    return 0;
}

/* Every value has exactly one source: a graph input, an initializer or one node output. A
 * subgraph (outer non-NULL) may also read the values of its enclosing graphs. */
static xc_status check_names(const xc_graph *g, xc_names *producer, const scope *outer, const xc_issue_sink *sink)
{
    char lb[256];
    for (int i = 0; i < g->n_initializers; i++) {
        const char *n = g->initializers[i]->name;
        if (xc_names_get(producer, n) != -1) {
            ISSUE(sink, NULL, "duplicate-name", NULL, n, XC_ERR_MODEL, "initializer '%s' is defined twice", n);
            continue;
        }
        XC_TRY(xc_names_put(producer, n, -2));
    }
    for (int i = 0; i < g->n_inputs; i++) {
        const char *n = g->inputs[i].name;
        if (!n[0]) {
            ISSUE(sink, NULL, "unnamed-value", NULL, NULL, XC_ERR_MODEL, "graph input #%d has no name", i);
            continue;
        }
        int prev = xc_names_get(producer, n);
        if (prev == -3) ISSUE(sink, NULL, "duplicate-name", NULL, n, XC_ERR_MODEL, "graph input '%s' is listed twice", n);
        if (prev == -1) XC_TRY(xc_names_put(producer, n, -3));
    }
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *nd = &g->nodes[k];
        for (int o = 0; o < nd->n_outputs; o++) {
            const char *n = nd->outputs[o];
            if (!n[0]) continue;
            int prev = xc_names_get(producer, n);
            if (prev != -1) {
                ISSUE(sink, NULL, "duplicate-output", nd, n, XC_ERR_MODEL, "%s: output '%s' is already defined by %s",
                      xc_node_label(nd, lb, sizeof lb), n,
                      prev == -2   ? "an initializer"
                      : prev == -3 ? "a graph input"
                                   : "another node");
                continue;
            }
            XC_TRY(xc_names_put(producer, n, k));
        }
    }
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *nd = &g->nodes[k];
        for (int i = 0; i < nd->n_inputs; i++)
            if (nd->inputs[i][0] && xc_names_get(producer, nd->inputs[i]) == -1 && !in_scope(outer, nd->inputs[i]))
                ISSUE(sink, NULL, "missing-producer", nd, nd->inputs[i], XC_ERR_MODEL,
                      outer ? "%s: input '%s' has no producer (not a subgraph input, initializer or node output, nor a value of "
                              "an enclosing graph)"
                            : "%s: input '%s' has no producer (not a graph input, initializer or node output)",
                      xc_node_label(nd, lb, sizeof lb), nd->inputs[i]);
    }
    for (int i = 0; i < g->n_outputs; i++) {
        const char *n = g->outputs[i].name;
        if (!n[0])
            ISSUE(sink, NULL, "unnamed-value", NULL, NULL, XC_ERR_MODEL, "graph output #%d has no name", i);
        else if (xc_names_get(producer, n) == -1 && !in_scope(outer, n))
            ISSUE(sink, NULL, "missing-producer", NULL, n, XC_ERR_MODEL,
                  "graph output '%s' is not produced by any node, input or initializer", n);
    }
    return XC_OK;
}

/* What each node waits for, as node indices of g in CSR form (dep[start[k] .. start[k+1])):
 * the producers of its inputs and of the values its subgraphs capture from g. */
typedef struct deps {
    int *start, *dep;
} deps;

static void deps_free(deps *d)
{
    free(d->start);
    free(d->dep);
}

static xc_status deps_build(const xc_graph *g, const xc_names *producer, deps *d)
{
    int n = g->n_nodes, len = 0, cap = 16;
    d->start = malloc(sizeof(int) * (size_t)(n + 1));
    d->dep = malloc(sizeof(int) * (size_t)cap);
    if (!d->start || !d->dep) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        const xc_node *nd = &g->nodes[k];
        const char **caps = NULL;
        int n_caps = 0;
        XC_TRY(xc_node_captures(nd, &caps, &n_caps));
        d->start[k] = len;
        for (int i = 0; i < nd->n_inputs + n_caps; i++) {
            const char *name = i < nd->n_inputs ? nd->inputs[i] : caps[i - nd->n_inputs];
            int p = name[0] ? xc_names_get(producer, name) : -1;
            if (p < 0) continue;
            if (len == cap) {
                int *bigger = realloc(d->dep, sizeof(int) * (size_t)(cap *= 2));
                if (!bigger) {
                    free(caps);
                    return xc_fail(XC_ERR_NOMEM, "out of memory");
                }
                d->dep = bigger;
            }
            d->dep[len++] = p;
        }
        free(caps);
    }
    d->start[n] = len;
    return XC_OK;
}

static void heap_push(int *h, int *n, int v)
{
    int i = (*n)++;
    while (i > 0 && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static int heap_pop(int *h, int *n)
{
    int top = h[0], v = h[--*n], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1] < h[c]) c++;
        if (h[c] >= v) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
    return top;
}

/* One cycle among the nodes Kahn's algorithm could not order (pending > 0): walk back from a
 * stuck node along stuck producers until a node repeats. Writes the cycle into path (in data
 * flow order) and returns its length; seen is scratch (n ints). */
static int find_cycle(const xc_graph *g, const deps *d, const int *pending, int *seen, int *path)
{
    int n = g->n_nodes, len = 0, k = 0;
    while (k < n && pending[k] <= 0) k++;
    for (int i = 0; i < n; i++) seen[i] = -1;
    while (seen[k] < 0) {
        seen[k] = len;
        path[len++] = k;
        int next = -1;
        for (int e = d->start[k]; e < d->start[k + 1] && next < 0; e++)
            if (pending[d->dep[e]] > 0) next = d->dep[e];
        k = next; /* a stuck node always has a stuck producer */
    }
    int first = seen[k], m = len - first;
    for (int i = 0; i < m / 2; i++) { /* walked against the data flow: reverse */
        int t = path[first + i];
        path[first + i] = path[len - 1 - i];
        path[len - 1 - i] = t;
    }
    memmove(path, path + first, sizeof(int) * (size_t)m);
    return m;
}

static xc_status report_cycle(const xc_graph *g, const int *path, int m, const xc_issue_sink *sink)
{
    char lb[256], *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i <= m; i++) fprintf(f, "%s%s", i ? " -> " : "", xc_node_label(&g->nodes[path[i % m]], lb, sizeof lb));
    fclose(f);
    if (!text) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_fail(XC_ERR_MODEL, "graph has a cycle: %s", text);
    free(text);
    return sink->report(sink->user, s, "cycle", &g->nodes[path[0]], NULL);
}

/* Kahn's algorithm, stable: nodes already in order keep it. Without a sink a cycle fails naming
 * a node on it; with one each independent cycle is reported once and broken (its nodes placed
 * where it was found), so the rest of the graph still gets an order and can be checked. A node
 * with subgraphs comes after the producers of the values they capture. */
static xc_status toposort(xc_graph *g, const xc_names *producer, const xc_issue_sink *sink)
{
    int n = g->n_nodes;
    deps d = {0};
    int *pending = calloc(n ? n : 1, sizeof(int)), *order = malloc(sizeof(int) * (n ? n : 1));
    int *start = calloc(n + 1, sizeof(int)), *users = NULL, *fill = NULL, *seen = NULL, *path = NULL;
    xc_status s = XC_OK;
    if (!pending || !order || !start) {
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((s = deps_build(g, producer, &d)) != XC_OK) goto out;
    /* consumer lists in CSR form */
    size_t edges = 0;
    for (int k = 0; k < n; k++)
        for (int e = d.start[k]; e < d.start[k + 1]; e++) {
            start[d.dep[e] + 1]++;
            pending[k]++;
            edges++;
        }
    for (int k = 0; k < n; k++) start[k + 1] += start[k];
    users = malloc(sizeof(int) * (edges ? edges : 1));
    fill = calloc(n ? n : 1, sizeof(int));
    if (!users || !fill) {
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int k = 0; k < n; k++)
        for (int e = d.start[k]; e < d.start[k + 1]; e++) {
            int p = d.dep[e];
            users[start[p] + fill[p]++] = k;
        }
    /* ready nodes leave a min-heap by index, so a graph already in order keeps its order */
    int done = 0, heap_n = 0;
    int *heap = fill; /* reuse: fill is no longer needed */
    for (int k = 0; k < n; k++)
        if (pending[k] == 0) heap_push(heap, &heap_n, k);
    for (;;) {
        while (heap_n) {
            int k = heap_pop(heap, &heap_n);
            order[done++] = k;
            for (int e = start[k]; e < start[k + 1]; e++)
                if (pending[users[e]] > 0 && --pending[users[e]] == 0) heap_push(heap, &heap_n, users[e]);
        }
        if (done == n) break;
        if (!sink) {
            for (int k = 0; k < n; k++)
                if (pending[k] > 0) {
                    char lb[256];
                    s = xc_fail(XC_ERR_MODEL, "graph has a cycle through %s", xc_node_label(&g->nodes[k], lb, sizeof lb));
                    break;
                }
            goto out;
        }
        if ((!seen && !(seen = malloc(sizeof(int) * (size_t)n))) || (!path && !(path = malloc(sizeof(int) * (size_t)n)))) {
            s = xc_fail(XC_ERR_NOMEM, "out of memory");
            goto out;
        }
        int m = find_cycle(g, &d, pending, seen, path);
        if ((s = report_cycle(g, path, m, sink)) != XC_OK) goto out;
        for (int i = 0; i < m; i++) pending[path[i]] = 0; /* break it: its nodes count as done */
        for (int i = 0; i < m; i++) {
            int k = path[i];
            order[done++] = k;
            for (int e = start[k]; e < start[k + 1]; e++)
                if (pending[users[e]] > 0 && --pending[users[e]] == 0) heap_push(heap, &heap_n, users[e]);
        }
    }
    xc_node *sorted = malloc(sizeof(xc_node) * (n ? n : 1));
    if (!sorted) {
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int k = 0; k < n; k++) sorted[k] = g->nodes[order[k]];
    free(g->nodes);
    g->nodes = sorted;
out:
    deps_free(&d);
    free(seen);
    free(path);
    free(pending);
    free(order);
    free(start);
    free(users);
    free(fill);
    return s;
}

static const char *attr_type_name(xc_attr_type t)
{
    static const char *names[] = {"UNDEFINED",      "FLOAT",      "INT",        "STRING",  "TENSOR", "GRAPH",
                                  "FLOATS",         "INTS",       "STRINGS",    "TENSORS", "GRAPHS", "SPARSE_TENSOR",
                                  "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* One node's domain, op type, arity and attributes. With a sink every problem is reported and
 * *bad set (its outputs then stay untyped rather than inferred from a broken node). */
static xc_status check_node(const xc_model *m, xc_node *nd, const xc_issue_sink *sink, int *bad)
{
    char lb[256];
    const char *dom = nd->domain;
    nd->opset = (int)xc_model_opset(m, dom);
    nd->schema = NULL;
    if (!nd->opset) {
        ISSUE(sink, bad, "domain", nd, NULL, XC_ERR_MODEL, "%s: domain '%s' is not imported by the model",
              xc_node_label(nd, lb, sizeof lb), dom);
        return XC_OK;
    }
    if (!nd->op_type[0]) {
        ISSUE(sink, bad, "unknown-op", nd, NULL, XC_ERR_MODEL, "%s: node has no op_type", xc_node_label(nd, lb, sizeof lb));
        return XC_OK;
    }
    int custom = dom[0] && strcmp(dom, "ai.onnx");
    if (custom) nd->schema = xc_plugin_schema_find(dom, nd->op_type, nd->opset);
    if (custom && !nd->schema && xc_builtin_domain_op(dom, nd->op_type))
        nd->schema = xc_schema_find(nd->op_type, nd->opset, NULL);
    if (custom && !nd->schema) return XC_OK; /* other domains without a plugin: loadable, listed as unsupported */
    if (!custom && !xc_onnx_op_known(nd->op_type)) {
        ISSUE(sink, bad, "unknown-op", nd, NULL, XC_ERR_MODEL, "%s: unknown op type '%s' (not an ONNX operator)",
              xc_node_label(nd, lb, sizeof lb), nd->op_type);
        return XC_OK;
    }
    if (!custom) nd->schema = xc_schema_find(nd->op_type, nd->opset, NULL);
    const xc_op_schema *s = nd->schema;
    if (!s) return XC_OK;
    if (nd->n_inputs < s->min_in || (s->max_in >= 0 && nd->n_inputs > s->max_in))
        ISSUE(sink, bad, "arity", nd, NULL, XC_ERR_MODEL, "%s: has %d inputs, expected %d..%d", xc_node_label(nd, lb, sizeof lb),
              nd->n_inputs, s->min_in, s->max_in);
    if (nd->n_outputs < s->min_out || nd->n_outputs > s->max_out)
        ISSUE(sink, bad, "arity", nd, NULL, XC_ERR_MODEL, "%s: has %d outputs, expected %d..%d", xc_node_label(nd, lb, sizeof lb),
              nd->n_outputs, s->min_out, s->max_out);
    for (int i = 0; i < s->min_in && i < nd->n_inputs; i++)
        if (!nd->inputs[i][0])
            ISSUE(sink, bad, "arity", nd, NULL, XC_ERR_MODEL, "%s: required input %d is empty", xc_node_label(nd, lb, sizeof lb),
                  i);
    for (int a = 0; a < nd->n_attrs; a++) {
        const xc_attr *at = &nd->attrs[a];
        const xc_attr_spec *sp = NULL;
        for (const xc_attr_spec *p = s->attrs; p && p->name; p++)
            if (!strcmp(p->name, at->name)) sp = p;
        int twice = 0;
        for (int b = 0; b < a; b++) twice |= !strcmp(nd->attrs[b].name, at->name);
        if (twice) {
            ISSUE(sink, bad, "attribute", nd, NULL, XC_ERR_MODEL, "%s: attribute '%s' is given twice",
                  xc_node_label(nd, lb, sizeof lb), at->name);
            continue;
        }
        if (!sp) {
            ISSUE(sink, bad, "attribute", nd, NULL, XC_ERR_MODEL, "%s: unknown attribute '%s' for %s-%d",
                  xc_node_label(nd, lb, sizeof lb), at->name, nd->op_type, s->since);
            continue;
        }
        if (at->ref_attr_name) continue; /* only inside functions */
        if (sp->type != at->type)
            ISSUE(sink, bad, "attribute", nd, NULL, XC_ERR_MODEL, "%s: attribute '%s' has type %s, expected %s",
                  xc_node_label(nd, lb, sizeof lb), at->name, attr_type_name(at->type), attr_type_name(sp->type));
    }
    for (const xc_attr_spec *p = s->attrs; p && p->name; p++)
        if (p->required && !xc_node_attr(nd, p->name))
            ISSUE(sink, bad, "attribute", nd, NULL, XC_ERR_MODEL, "%s: required attribute '%s' is missing",
                  xc_node_label(nd, lb, sizeof lb), p->name);
    return XC_OK;
}

/* Reports of a subgraph's problems carry where the subgraph is: "node 'loop' (Loop) body: ". */
typedef struct prefix_sink {
    const xc_issue_sink *parent;
    const char *prefix;
    int reported;
} prefix_sink;

static xc_status prefix_report(void *user, xc_status code, const char *kind, const xc_node *node, const char *tensor)
{
    prefix_sink *p = user;
    p->reported = 1;
    xc_error_prefix(code, "%s", p->prefix);
    return p->parent->report(p->parent->user, code, kind, node, tensor);
}

static xc_status validate_subgraphs(const xc_model *m, xc_graph *g, const scope *sc, const xc_issue_sink *sink, int *bad);

/* Names, order and nodes of one subgraph of owner, which sits in the graph of scope outer.
 * Without a sink the first problem fails, its message prefixed with the subgraph's place; with
 * one, *bad is set when a problem was reported inside (the owner is then left untyped, so
 * inference never looks into a broken body). */
static xc_status validate_subgraph(const xc_model *m, const xc_node *owner, const char *attr, xc_graph *sg, const scope *outer,
                                   const xc_issue_sink *sink, int *bad)
{
    char lb[256], prefix[512];
    snprintf(prefix, sizeof prefix, "%s %s: ", xc_node_label(owner, lb, sizeof lb), attr);
    prefix_sink ps = {sink, prefix, 0};
    xc_issue_sink inner = {prefix_report, &ps};
    const xc_issue_sink *isink = sink ? &inner : NULL;
    xc_names producer;
    XC_TRY(xc_names_init(&producer, (size_t)sg->n_nodes * 2 + sg->n_initializers + sg->n_inputs + 1));
    xc_status s = check_names(sg, &producer, outer, isink);
    if (s == XC_OK) s = toposort(sg, &producer, isink);
    for (int k = 0; k < sg->n_nodes && s == XC_OK; k++) s = check_node(m, &sg->nodes[k], isink, NULL);
    scope sc = {outer, &producer};
    if (s == XC_OK) s = validate_subgraphs(m, sg, &sc, isink, NULL);
    xc_names_free(&producer);
    if (bad && ps.reported) *bad = 1;
    /* with a sink every message was prefixed as it was reported */
    if (s != XC_OK && !sink && s != XC_ERR_NOMEM) s = xc_error_prefix(s, "%s", prefix);
    return s;
}

/* bad (may be NULL): per node of g, set when a problem was reported inside its subgraphs. */
static xc_status validate_subgraphs(const xc_model *m, xc_graph *g, const scope *sc, const xc_issue_sink *sink, int *bad)
{
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *nd = &g->nodes[k];
        int *b = bad ? &bad[k] : NULL;
        for (int a = 0; a < nd->n_attrs; a++) {
            const xc_attr *at = &nd->attrs[a];
            if (at->g) XC_TRY(validate_subgraph(m, nd, at->name, at->g, sc, sink, b));
            for (size_t j = 0; at->graphs && j < at->n; j++)
                XC_TRY(validate_subgraph(m, nd, at->name, at->graphs[j], sc, sink, b));
        }
    }
    return XC_OK;
}

xc_status xc_model_validate_all(xc_model *m, const xc_issue_sink *sink)
{
    xc_graph *g = m->graph;
    XC_TRY(check_opsets(m, sink));
    xc_names producer;
    XC_TRY(xc_names_init(&producer, (size_t)g->n_nodes * 2 + g->n_initializers + g->n_inputs));
    xc_status s = check_names(g, &producer, NULL, sink);
    if (s == XC_OK) s = toposort(g, &producer, sink);
    /* after the sort: bad[k] is the node now at index k */
    int *bad = sink ? calloc(g->n_nodes ? g->n_nodes : 1, sizeof(int)) : NULL;
    if (sink && !bad && s == XC_OK) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    scope top = {NULL, &producer};
    if (s == XC_OK) s = validate_subgraphs(m, g, &top, sink, bad);
    xc_names_free(&producer);
    if (s != XC_OK) {
        free(bad);
        return s;
    }
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++) s = check_node(m, &g->nodes[k], sink, bad ? &bad[k] : NULL);
    xc_graph_types_free(m->types);
    m->types = NULL;
    m->types_free = xc_graph_types_free;
    if (s == XC_OK) s = xc_graph_infer_checked(g, sink, bad, &m->types);
    free(bad);
    return s;
}

xc_status xc_model_validate(xc_model *m) { return xc_model_validate_all(m, NULL); }

/* session.c — the reference evaluated on demand (see xc_ref_session in backend.h).
 *
 * Per-layer comparison drives the reference from the optimized backend's observer: when the
 * engine reports tensor T, the session evaluates just the nodes T depends on that have not run
 * yet. Because engine layers run in a topological order of the ONNX nodes they cover, the
 * session ends up evaluating the graph in the engine's order, so the reference's live set and
 * the engine's stay in step and memory stays bounded by the two live sets. A value is freed
 * when every node that reads it has run and no caller holds it. */
#include "backend.h"
#include "names.h"
#include "validate.h"
#include <stdlib.h>
#include <string.h>

struct xc_ref_session {
    const xc_model *model;
    xc_names slots; /* value name -> slot */
    int n_slots;
    const xc_tensor **val;     /* current value or NULL */
    char *owned;               /* 1: the session allocated val[slot] */
    int *producer;             /* node index or -1 */
    int *pending;              /* reads by needed nodes that have not run yet */
    char *held;                /* a caller holds the value (xc_ref_session_get until release) */
    int *wanted;               /* reads by nodes on the evaluation stack: recomputed inputs survive */
    char *keep;                /* graph outputs: never freed */
    char *needed, *ran;        /* per node: an ancestor of a graph output / has run once */
    int *stack, cap_stack;     /* explicit DFS stack (graphs can be long chains); one entry per edge at most */
    int *cap_start, *cap_slot; /* per node: slots its subgraphs capture (CSR, n_nodes + 1 starts) */
    int max_io;
};

/* What node k reads: its inputs, then the values its subgraphs capture. */
static int n_reads(const xc_ref_session *s, int k)
{
    return s->model->graph->nodes[k].n_inputs + s->cap_start[k + 1] - s->cap_start[k];
}

/* Slot of read i of node k, or -1 for an omitted input. */
static int read_slot(const xc_ref_session *s, int k, int i)
{
    const xc_node *n = &s->model->graph->nodes[k];
    if (i >= n->n_inputs) return s->cap_slot[s->cap_start[k] + i - n->n_inputs];
    return n->inputs[i][0] ? xc_names_get(&s->slots, n->inputs[i]) : -1;
}

static int slot_of(xc_ref_session *s, const char *name)
{
    int k = xc_names_get(&s->slots, name);
    if (k < 0 && xc_names_put(&s->slots, name, k = s->n_slots) == XC_OK) s->n_slots++;
    return k;
}

void xc_ref_session_free(xc_ref_session *s)
{
    if (!s) return;
    for (int i = 0; s->val && s->owned && i < s->n_slots; i++)
        if (s->owned[i]) xc_tensor_free((xc_tensor *)s->val[i]);
    xc_names_free(&s->slots);
    free(s->val);
    free(s->owned);
    free(s->producer);
    free(s->pending);
    free(s->held);
    free(s->wanted);
    free(s->keep);
    free(s->needed);
    free(s->ran);
    free(s->stack);
    free(s->cap_start);
    free(s->cap_slot);
    free(s);
}

/* Marks the ancestors of the graph outputs: only their reads keep values alive. */
static void mark_needed(xc_ref_session *s)
{
    const xc_graph *g = s->model->graph;
    int top = 0;
    for (int o = 0; o < g->n_outputs; o++) {
        int p = s->producer[xc_names_get(&s->slots, g->outputs[o].name)];
        if (p >= 0 && !s->needed[p]) s->needed[s->stack[top++] = p] = 1;
    }
    while (top) {
        int k = s->stack[--top];
        for (int i = 0; i < n_reads(s, k); i++) {
            int slot = read_slot(s, k, i);
            int p = slot >= 0 ? s->producer[slot] : -1;
            if (p >= 0 && !s->needed[p]) s->needed[s->stack[top++] = p] = 1;
        }
    }
}

/* The model-graph values each node's subgraphs capture, as slots. */
static xc_status capture_slots(xc_ref_session *s)
{
    const xc_graph *g = s->model->graph;
    int len = 0, cap = 0;
    s->cap_start = calloc((size_t)g->n_nodes + 1, sizeof(int));
    if (!s->cap_start) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < g->n_nodes; k++) {
        const char **caps = NULL;
        int n_caps = 0;
        s->cap_start[k] = len;
        XC_TRY(xc_node_captures(&g->nodes[k], &caps, &n_caps));
        for (int i = 0; i < n_caps; i++) {
            int slot = xc_names_get(&s->slots, caps[i]);
            if (slot < 0) continue; /* validation resolved every capture */
            if (len == cap) {
                int *bigger = realloc(s->cap_slot, sizeof(int) * (size_t)(cap = cap ? cap * 2 : 8));
                if (!bigger) {
                    free(caps);
                    return xc_fail(XC_ERR_NOMEM, "out of memory");
                }
                s->cap_slot = bigger;
            }
            s->cap_slot[len++] = slot;
        }
        free(caps);
    }
    s->cap_start[g->n_nodes] = len;
    return XC_OK;
}

xc_status xc_ref_session_create(const xc_model *m, const xc_tensor *const *inputs, xc_ref_session **out)
{
    const xc_graph *g = m->graph;
    *out = NULL;
    char *why = xc_ref_unsupported(m);
    if (why) {
        char *nl = strchr(why, '\n');
        if (nl) *nl = 0;
        xc_status st = xc_fail(XC_ERR_UNSUPPORTED, "the reference cannot run %s", why);
        free(why);
        return st;
    }
    xc_ref_session *s = calloc(1, sizeof *s);
    if (!s) return xc_fail(XC_ERR_NOMEM, "out of memory");
    s->model = m;
    size_t cap = (size_t)g->n_inputs + g->n_initializers + 1;
    for (int k = 0; k < g->n_nodes; k++) cap += g->nodes[k].n_outputs;
    xc_status st = xc_names_init(&s->slots, cap);
    s->val = calloc(cap, sizeof *s->val);
    s->owned = calloc(cap, 1);
    s->producer = malloc(cap * sizeof *s->producer);
    s->pending = calloc(cap, sizeof *s->pending);
    s->held = calloc(cap, 1);
    s->wanted = calloc(cap, sizeof *s->wanted);
    s->keep = calloc(cap, 1);
    s->needed = calloc((size_t)g->n_nodes + 1, 1);
    s->ran = calloc((size_t)g->n_nodes + 1, 1);
    s->cap_stack = g->n_nodes + 1;
    for (int k = 0; k < g->n_nodes; k++) s->cap_stack += g->nodes[k].n_inputs;
    s->stack = NULL; /* sized once captures are known */
    if (st != XC_OK || !s->val || !s->owned || !s->producer || !s->pending || !s->held || !s->wanted || !s->keep || !s->needed
        || !s->ran) {
        xc_ref_session_free(s);
        return st != XC_OK ? st : xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < cap; i++) s->producer[i] = -1;
    for (int i = 0; i < g->n_initializers; i++) s->val[slot_of(s, g->initializers[i]->name)] = g->initializers[i];
    for (int i = 0, j = 0; i < g->n_inputs; i++)
        if (xc_graph_is_runtime_input(g, i)) s->val[slot_of(s, g->inputs[i].name)] = inputs[j++];
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        s->max_io = n->n_inputs > s->max_io ? n->n_inputs : s->max_io;
        s->max_io = n->n_outputs > s->max_io ? n->n_outputs : s->max_io;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o][0]) s->producer[slot_of(s, n->outputs[o])] = k;
    }
    for (int o = 0; o < g->n_outputs; o++) s->keep[slot_of(s, g->outputs[o].name)] = 1;
    if ((st = capture_slots(s)) != XC_OK) {
        xc_ref_session_free(s);
        return st;
    }
    s->cap_stack += s->cap_start[g->n_nodes];
    if (!(s->stack = malloc((size_t)s->cap_stack * sizeof *s->stack))) {
        xc_ref_session_free(s);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    mark_needed(s);
    for (int k = 0; k < g->n_nodes; k++)
        for (int i = 0; s->needed[k] && i < n_reads(s, k); i++)
            if (read_slot(s, k, i) >= 0) s->pending[read_slot(s, k, i)]++;
    *out = s;
    return XC_OK;
}

static void maybe_free(xc_ref_session *s, int slot)
{
    if (s->owned[slot] && !s->pending[slot] && !s->held[slot] && !s->wanted[slot] && !s->keep[slot]) {
        xc_tensor_free((xc_tensor *)s->val[slot]);
        s->val[slot] = NULL;
        s->owned[slot] = 0;
    }
}

/* The session's values, as the scope of the nodes' subgraphs. */
typedef struct session_scope {
    xc_ref_scope base;
    const xc_ref_session *s;
} session_scope;

static const xc_tensor *session_find(const xc_ref_scope *self, const char *name)
{
    const xc_ref_session *s = ((const session_scope *)self)->s;
    int slot = xc_names_get(&s->slots, name);
    return slot >= 0 ? s->val[slot] : NULL;
}

/* Runs node k, whose inputs (and captures) are all present. */
static xc_status run_node(xc_ref_session *s, int k, const xc_tensor **in, xc_tensor **out)
{
    const xc_node *n = &s->model->graph->nodes[k];
    session_scope scope = {{NULL, session_find, NULL}, s};
    for (int i = 0; i < n->n_inputs; i++) in[i] = n->inputs[i][0] ? s->val[xc_names_get(&s->slots, n->inputs[i])] : NULL;
    XC_TRY(xc_ref_eval_node_in(n, in, out, &scope.base));
    for (int o = 0; o < n->n_outputs; o++) {
        if (!n->outputs[o][0]) continue;
        int slot = xc_names_get(&s->slots, n->outputs[o]);
        if (s->val[slot]) { /* recomputed a value someone still has: keep the old one */
            xc_tensor_free(out[o]);
            continue;
        }
        s->val[slot] = out[o];
        s->owned[slot] = 1;
    }
    int first = !s->ran[k];
    s->ran[k] = 1;
    for (int i = 0; i < n_reads(s, k); i++) {
        int slot = read_slot(s, k, i);
        if (slot < 0) continue;
        if (first && s->needed[k]) s->pending[slot]--;
        maybe_free(s, slot);
    }
    for (int o = 0; o < n->n_outputs; o++)
        if (n->outputs[o][0]) maybe_free(s, xc_names_get(&s->slots, n->outputs[o])); /* outputs nobody reads */
    return XC_OK;
}

/* Adds (+1) or drops (-1) the reads of node k to the values it needs. */
static void want_inputs(xc_ref_session *s, int k, int delta)
{
    for (int i = 0; i < n_reads(s, k); i++)
        if (read_slot(s, k, i) >= 0) s->wanted[read_slot(s, k, i)] += delta;
}

/* Evaluates whatever `slot` depends on, depth first, without recursion. A node stays on the
 * stack until all its inputs exist; the inputs of stacked nodes are never freed meanwhile. */
static xc_status evaluate(xc_ref_session *s, int slot)
{
    const xc_graph *g = s->model->graph;
    const xc_tensor **in = calloc((size_t)s->max_io + 1, sizeof *in);
    xc_tensor **out = calloc((size_t)s->max_io + 1, sizeof *out);
    xc_status st = in && out ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    int top = 0;
    if (st == XC_OK) {
        s->stack[top++] = s->producer[slot];
        want_inputs(s, s->producer[slot], 1);
    }
    while (st == XC_OK && top) {
        int k = s->stack[top - 1], missing = 0;
        const xc_node *n = &g->nodes[k];
        for (int i = 0; i < n_reads(s, k) && st == XC_OK; i++) {
            int in_slot = read_slot(s, k, i);
            if (in_slot < 0 || s->val[in_slot]) continue;
            missing = 1;
            if (top >= s->cap_stack) {
                st = xc_fail(XC_ERR_INTERNAL, "reference session: evaluation stack overflow");
                break;
            }
            s->stack[top++] = s->producer[in_slot];
            want_inputs(s, s->producer[in_slot], 1);
        }
        if (st != XC_OK || missing) continue;
        top--;
        want_inputs(s, k, -1);
        /* A node pushed twice along two paths runs again only if a value still wanted is gone. */
        int again = !s->ran[k];
        for (int o = 0; o < n->n_outputs && !again; o++) {
            if (!n->outputs[o][0]) continue;
            int out_slot = xc_names_get(&s->slots, n->outputs[o]);
            again = !s->val[out_slot] && (s->wanted[out_slot] || s->held[out_slot]);
        }
        if (again) st = run_node(s, k, in, out);
    }
    while (top) want_inputs(s, s->stack[--top], -1); /* after a failure */
    free(in);
    free(out);
    return st;
}

xc_status xc_ref_session_get(xc_ref_session *s, const char *name, const xc_tensor **out)
{
    int slot = xc_names_get(&s->slots, name);
    *out = NULL;
    if (slot < 0) return xc_fail(XC_ERR_USAGE, "tensor '%s' is not in the model", name);
    if (!s->val[slot]) {
        if (s->producer[slot] < 0) return xc_fail(XC_ERR_USAGE, "tensor '%s' has no value (an input not given?)", name);
        /* a value computed for this caller must not be freed by its own consumers' bookkeeping */
        s->held[slot]++;
        xc_status st = evaluate(s, slot);
        s->held[slot]--;
        XC_TRY(st);
        if (!s->val[slot]) return xc_fail(XC_ERR_INTERNAL, "reference session: '%s' was not computed", name);
    }
    s->held[slot] = 1;
    *out = s->val[slot];
    return XC_OK;
}

void xc_ref_session_release(xc_ref_session *s, const char *name)
{
    int slot = xc_names_get(&s->slots, name);
    if (slot < 0) return;
    s->held[slot] = 0;
    maybe_free(s, slot);
}

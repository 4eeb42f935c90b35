/* cleanup.c — dead-node and unused-initializer removal, and merging of duplicate initializers.
 *
 * Works on a graph whose nodes may be out of order (an operation may have just appended one),
 * so liveness is a worklist from the graph outputs rather than a reverse walk. */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

/* ---- duplicate initializers ---- */

/* qsort has no user pointer: the graph whose initializers are being sorted, per thread */
static __thread const xc_graph *tls_graph;

static int cmp_shape(const void *pa, const void *pb)
{
    const xc_tensor *a = tls_graph->initializers[*(const int *)pa], *b = tls_graph->initializers[*(const int *)pb];
    if (a->dtype != b->dtype) return a->dtype < b->dtype ? -1 : 1;
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    for (int k = 0; k < a->rank; k++)
        if (a->dims[k] != b->dims[k]) return a->dims[k] < b->dims[k] ? -1 : 1;
    return *(const int *)pa < *(const int *)pb ? -1 : 1; /* ties keep initializer order: the first survives */
}

/* and the content hashes, while one run of equal shapes is sorted by them */
static __thread const uint64_t *tls_hash;

static int cmp_hash(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    if (tls_hash[a] != tls_hash[b]) return tls_hash[a] < tls_hash[b] ? -1 : 1;
    return a < b ? -1 : 1; /* the first of equal initializers survives */
}

static uint64_t fnv1a(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Renaming state: canon maps a duplicate's name to the index of the top graph's initializer
 * replacing it; read[i] records that duplicate i was read (so the report counts real merges). */
typedef struct rename_ctx {
    const xc_graph *top;
    xc_names canon, index;
    char *read;
} rename_ctx;

static void rename_inputs(rename_ctx *r, xc_graph *g, xc_status *s);

static void rename_node(rename_ctx *r, xc_node *n, xc_status *s)
{
    for (int i = 0; i < n->n_inputs && *s == XC_OK; i++) {
        int c = n->inputs[i][0] ? xc_names_get(&r->canon, n->inputs[i]) : -1;
        if (c < 0) continue;
        char *name = strdup(r->top->initializers[c]->name);
        if (!name) {
            *s = xc_fail(XC_ERR_NOMEM, "out of memory");
            return;
        }
        r->read[xc_names_get(&r->index, n->inputs[i])] = 1;
        free(n->inputs[i]);
        n->inputs[i] = name;
    }
    for (int a = 0; a < n->n_attrs && *s == XC_OK; a++) {
        if (n->attrs[a].g) rename_inputs(r, n->attrs[a].g, s);
        for (size_t j = 0; n->attrs[a].graphs && j < n->attrs[a].n; j++) rename_inputs(r, n->attrs[a].graphs[j], s);
    }
}

/* Renames every read of a duplicate (subgraph captures included: names are unique across
 * scopes, so a capture can only mean the outer initializer). */
static void rename_inputs(rename_ctx *r, xc_graph *g, xc_status *s)
{
    for (int k = 0; k < g->n_nodes && *s == XC_OK; k++) rename_node(r, &g->nodes[k], s);
}

/* The names of g's inputs and outputs, as a set (old models list every initializer as an input:
 * a scan per initializer would be quadratic). */
static xc_status io_names(const xc_graph *g, xc_names *io)
{
    XC_TRY(xc_names_init(io, (size_t)g->n_inputs + g->n_outputs + 1));
    xc_status s = XC_OK;
    for (int i = 0; i < g->n_inputs && s == XC_OK; i++) s = xc_names_put(io, g->inputs[i].name, 1);
    for (int i = 0; i < g->n_outputs && s == XC_OK; i++) s = xc_names_put(io, g->outputs[i].name, 1);
    return s;
}

/* Within run[0..m), initializers of one dtype and shape, finds the copies: the run is sorted by
 * content hash, so each copy sits in a group of equal hashes behind the first initializer it
 * equals (a bucket per hash: 100,000 same-shaped scalars took minutes compared pairwise). Only
 * runs of two or more are hashed, so a unique multi-gigabyte weight is never read. */
static xc_status merge_run(const xc_graph *g, int *run, int m, uint64_t *hash, rename_ctx *r, int *found)
{
    for (int i = 0; i < m; i++) hash[run[i]] = fnv1a(g->initializers[run[i]]->data, g->initializers[run[i]]->nbytes);
    tls_hash = hash;
    qsort(run, m, sizeof(int), cmp_hash);
    for (int a = 0, end; a < m; a = end) {
        for (end = a + 1; end < m && hash[run[end]] == hash[run[a]];) end++;
        for (int b = a + 1; b < end; b++) {
            const xc_tensor *y = g->initializers[run[b]];
            for (int c = a; c < b; c++) { /* the first canonical one it equals: run[a] unless hashes collide */
                const xc_tensor *x = g->initializers[run[c]];
                if (xc_names_get(&r->canon, x->name) >= 0 || (x->nbytes && memcmp(x->data, y->data, x->nbytes))) continue;
                XC_TRY(xc_names_put(&r->canon, y->name, run[c]));
                XC_TRY(xc_names_put(&r->index, y->name, run[b]));
                *found = 1;
                break;
            }
        }
    }
    return XC_OK;
}

/* Points every read of a duplicate initializer at the first copy. The duplicates become unused
 * and the liveness pass removes them. Initializers that are graph inputs (a caller may
 * override them) or graph outputs keep their names. */
static xc_status merge_duplicates(xc_graph *g, int *merged)
{
    int n = g->n_initializers;
    int *order = malloc(sizeof(int) * (n + 1));
    uint64_t *hash = malloc(sizeof(uint64_t) * (n + 1));
    rename_ctx r = {.top = g, .read = calloc(n + 1, 1)};
    xc_names io = {0};
    xc_status s = xc_names_init(&r.canon, (size_t)n + 1);
    if (s == XC_OK) s = xc_names_init(&r.index, (size_t)n + 1);
    if (s == XC_OK) s = io_names(g, &io);
    if (!order || !hash || !r.read || s != XC_OK) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    int m = 0, found = 0;
    for (int i = 0; i < n && s == XC_OK; i++)
        if (xc_names_get(&io, g->initializers[i]->name) < 0) order[m++] = i;
    tls_graph = g;
    if (s == XC_OK) qsort(order, m, sizeof(int), cmp_shape);
    for (int a = 0, end; a < m && s == XC_OK; a = end) {
        const xc_tensor *x = g->initializers[order[a]];
        for (end = a + 1; end < m; end++) {
            const xc_tensor *y = g->initializers[order[end]];
            if (y->dtype != x->dtype || !xc_shape_equal(x->rank, x->dims, y->rank, y->dims)) break;
        }
        if (end - a > 1) s = merge_run(g, order + a, end - a, hash, &r, &found);
    }
    if (s == XC_OK && found) rename_inputs(&r, g, &s);
    for (int i = 0; merged && r.read && i < n; i++) *merged += r.read[i];
    xc_names_free(&r.canon);
    xc_names_free(&r.index);
    xc_names_free(&io);
    free(r.read);
    free(order);
    free(hash);
    return s;
}

/* ---- liveness ---- */

/* Marks live nodes (those some graph output depends on) and every value they or the outputs
 * read. */
static xc_status mark_live(const xc_graph *g, const xc_names *prod, char *live, xc_names *read)
{
    sg_list stack = {0}, uses = {0};
    xc_status s = XC_OK;
    for (int i = 0; i < g->n_outputs && s == XC_OK; i++) s = sg_list_push(&stack, g->outputs[i].name);
    while (stack.n && s == XC_OK) {
        const char *name = stack.v[--stack.n];
        if (xc_names_get(read, name) >= 0) continue;
        if ((s = xc_names_put(read, name, 1)) != XC_OK) break;
        int k = xc_names_get(prod, name);
        if (k < 0 || live[k]) continue;
        live[k] = 1;
        s = sg_node_uses(&g->nodes[k], &uses);
        for (int i = 0; i < uses.n && s == XC_OK; i++) s = sg_list_push(&stack, uses.v[i]);
    }
    sg_list_free(&stack);
    sg_list_free(&uses);
    return s;
}

static void prune_value_info(xc_graph *g, const xc_names *prod, const char *dead_node)
{
    int w = 0;
    for (int i = 0; i < g->n_value_info; i++) {
        int k = xc_names_get(prod, g->value_info[i].name);
        if (k == -1 || (k >= 0 && dead_node[k]))
            xc_value_info_clear(&g->value_info[i]);
        else
            g->value_info[w++] = g->value_info[i];
    }
    g->n_value_info = w;
}

xc_status sg_cleanup(xc_model *m, int merge, xc_sanitize_report *rep)
{
    xc_graph *g = m->graph;
    if (merge) XC_TRY(merge_duplicates(g, rep ? &rep->initializers_merged : NULL));
    xc_names prod, read;
    XC_TRY(sg_producers(g, &prod));
    char *live = calloc(g->n_nodes + 1, 1), *dead = calloc(g->n_nodes + g->n_initializers + 1, 1);
    xc_status s = xc_names_init(&read, (size_t)g->n_nodes * 2 + 16);
    if (!live || !dead || s != XC_OK) {
        free(live);
        free(dead);
        xc_names_free(&prod);
        if (s == XC_OK) xc_names_free(&read);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    s = mark_live(g, &prod, live, &read);
    if (s == XC_OK) {
        int removed_nodes = 0, removed_inits = 0;
        for (int k = 0; k < g->n_nodes; k++) removed_nodes += dead[k] = !live[k];
        prune_value_info(g, &prod, dead);
        sg_remove_nodes(g, dead);
        memset(dead, 0, g->n_initializers + 1);
        for (int i = 0; i < g->n_initializers; i++) {
            if (xc_names_get(&read, g->initializers[i]->name) >= 0) continue;
            dead[i] = 1;
            removed_inits++;
            /* an unused initializer that is also a graph input goes too: leaving the input
             * would turn a default value into an input callers must feed */
            sg_remove_input(g, g->initializers[i]->name);
        }
        sg_remove_initializers(g, dead);
        if (rep) {
            rep->removed_nodes += removed_nodes;
            rep->removed_initializers += removed_inits;
        }
    }
    free(live);
    free(dead);
    xc_names_free(&prod);
    xc_names_free(&read);
    return s;
}

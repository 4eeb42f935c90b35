/* graph_draw_around.c — the --around selection: the nodes within `radius` edges of one node,
 * following tensors in either direction (producer to consumer and back), by breadth-first
 * search over an undirected adjacency list built once (so a large model costs O(nodes+edges)). */
#include "graph_draw_internal.h"
#include <stdlib.h>
#include <string.h>

/* Calls add(p, n) for every edge from producing node p to consuming node n. */
static void each_edge(const xc_draw *d, void (*add)(void *, int, int), void *ctx)
{
    for (int n = 0; n < d->g->n_nodes; n++) {
        const xc_node *node = &d->g->nodes[n];
        for (int k = 0; k < node->n_inputs; k++) {
            int p = node->inputs[k][0] ? xc_names_get(&d->producer, node->inputs[k]) : -1;
            if (p >= 0 && p != n) add(ctx, p, n);
        }
    }
}

typedef struct adjacency {
    int *start, *fill, *next; /* CSR: neighbours of v are next[start[v] .. start[v+1]) */
} adjacency;

static void count_edge(void *ctx, int p, int n)
{
    adjacency *a = ctx;
    a->start[p + 1]++;
    a->start[n + 1]++;
}

static void place_edge(void *ctx, int p, int n)
{
    adjacency *a = ctx;
    a->next[a->fill[p]++] = n;
    a->next[a->fill[n]++] = p;
}

static xc_status bfs(const xc_draw *d, int from, int radius, unsigned char *keep)
{
    int nn = d->g->n_nodes;
    adjacency a = {calloc((size_t)nn + 1, sizeof(int)), calloc((size_t)nn + 1, sizeof(int)), NULL};
    int *queue = malloc(((size_t)nn + 1) * sizeof(int)), *depth = malloc(((size_t)nn + 1) * sizeof(int));
    xc_status s = XC_OK;
    if (a.start && a.fill && queue && depth) {
        each_edge(d, count_edge, &a);
        for (int v = 0; v < nn; v++) a.start[v + 1] += a.start[v];
        memcpy(a.fill, a.start, (size_t)nn * sizeof(int));
        a.next = malloc(((size_t)a.start[nn] + 1) * sizeof(int));
    }
    if (!a.next) {
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
    } else {
        each_edge(d, place_edge, &a);
        int head = 0, tail = 0;
        queue[tail++] = from;
        depth[from] = 0;
        keep[from] = 1;
        while (head < tail) {
            int v = queue[head++];
            if (depth[v] >= radius) continue;
            for (int k = a.start[v]; k < a.start[v + 1]; k++) {
                int w = a.next[k];
                if (keep[w]) continue;
                keep[w] = 1;
                depth[w] = depth[v] + 1;
                queue[tail++] = w;
            }
        }
    }
    free(a.start);
    free(a.fill);
    free(a.next);
    free(queue);
    free(depth);
    return s;
}

xc_status xc_draw_select(xc_draw *d)
{
    const char *around = d->o->around;
    if (!around) {
        memset(d->keep, 1, (size_t)d->g->n_nodes);
        return XC_OK;
    }
    if (d->o->radius < 0) return xc_fail(XC_ERR_USAGE, "--radius must be 0 or more, got %d", d->o->radius);
    int from = xc_names_get(&d->node_index, around);
    if (from < 0) {
        const char *file = d->m->path ? d->m->path : "model";
        return xc_fail(XC_ERR_USAGE, "%s: no node named '%s' to draw around", file, around);
    }
    return bfs(d, from, d->o->radius, d->keep);
}

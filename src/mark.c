/* mark.c — resolving --outputs patterns and keeping marked tensors as backends report them
 * (see mark.h). */
#include "mark.h"
#include "log.h"
#include "ocl/ocl.h"
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xc_marks_free(xc_marks *m)
{
    xc_names_free(&m->set);
    free(m->names);
    memset(m, 0, sizeof *m);
}

int xc_marks_has(const xc_marks *m, const char *name) { return m->n && xc_names_get(&m->set, name) >= 0; }

static int is_graph_output(const xc_graph *g, const char *name)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (!strcmp(g->outputs[i].name, name)) return 1;
    return 0;
}

static int matches(const char *pattern, const char *name)
{
    return strpbrk(pattern, "*?[") ? fnmatch(pattern, name, 0) == 0 : !strcmp(pattern, name);
}

xc_status xc_marks_resolve(const xc_graph *g, const char *const *patterns, int n, xc_marks *out)
{
    memset(out, 0, sizeof *out);
    int all = n == 2 && !strcmp(patterns[0], "mark") && !strcmp(patterns[1], "all");
    size_t total = 0;
    for (int k = 0; k < g->n_nodes; k++) total += (size_t)g->nodes[k].n_outputs;
    char *hit = calloc((size_t)n + 1, 1);
    out->names = malloc(sizeof *out->names * (total + 1));
    xc_status s = hit && out->names ? xc_names_init(&out->set, total + 1) : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; s == XC_OK && k < g->n_nodes; k++)
        for (int o = 0; s == XC_OK && o < g->nodes[k].n_outputs; o++) {
            const char *name = g->nodes[k].outputs[o];
            int want = 0;
            for (int p = 0; name[0] && p < n; p++)
                if (all || matches(patterns[p], name)) want = hit[p] = 1;
            if (!want || is_graph_output(g, name) || xc_names_get(&out->set, name) >= 0) continue;
            out->names[out->n++] = name;
            s = xc_names_put(&out->set, name, out->n - 1);
        }
    if (s == XC_OK && !all) {
        char *list = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&list, &len);
        int missing = 0;
        for (int p = 0; f && p < n; p++) /* the first eight named, the rest counted: one readable line */
            if (!hit[p] && missing++ < 8) fprintf(f, "%s'%s'", missing > 1 ? ", " : "", patterns[p]);
        if (f && missing > 8) fprintf(f, " and %d more", missing - 8);
        if (f) fclose(f);
        if (!f || !list)
            s = xc_fail(XC_ERR_NOMEM, "out of memory");
        else if (missing)
            s = xc_fail(XC_ERR_USAGE, "--outputs: %s match%s no tensor computed by a node of the model", list,
                        missing == 1 ? "es" : "");
        free(list);
    }
    free(hit);
    if (s != XC_OK) xc_marks_free(out);
    return s;
}

static xc_status keep(void *user, const char *name, const xc_tensor *t, const char *layer)
{
    xc_mark_watch *w = user;
    if (xc_marks_has(w->marks, name)) {
        xc_tensor *c;
        XC_TRY(xc_tensor_clone(t, &c));
        if (!c->name || strcmp(c->name, name)) {
            xc_status s = xc_tensor_set_name(c, name);
            if (s != XC_OK) return xc_tensor_free(c), s;
        }
        XC_TRY(xc_tensor_list_push(w->kept, c));
    }
    return w->next && w->next->on_tensor ? w->next->on_tensor(w->next->user, name, t, layer) : XC_OK;
}

xc_observer xc_mark_watch_observer(xc_mark_watch *w)
{
    xc_observer o = {keep, w};
    return o;
}

/* The engine layer covering the node that computes name, or -1. */
static int layer_of(const xc_engine *e, const xc_graph *g, const char *name, xc_engine_layer_info *info, const xc_node **node)
{
    for (int l = 0; l < xc_engine_layer_count(e); l++) {
        xc_engine_layer_info_get(e, l, info);
        for (int k = 0; k < info->n_nodes; k++) {
            const xc_node *nd = &g->nodes[info->nodes[k]];
            for (int o = 0; o < nd->n_outputs; o++)
                if (!strcmp(nd->outputs[o], name)) return *node = nd, l;
        }
    }
    return -1;
}

int xc_marks_report_missing(const xc_marks *m, const xc_tensor_list *kept, const xc_engine *e, const xc_graph *g,
                            const char *runner)
{
    int missing = 0;
    for (int i = 0; i < m->n; i++) {
        int seen = 0;
        for (int k = 0; k < kept->n && !seen; k++) seen = kept->t[k]->name && !strcmp(kept->t[k]->name, m->names[i]);
        if (seen) continue;
        missing++;
        xc_engine_layer_info info;
        const xc_node *nd = NULL;
        if (e && layer_of(e, g, m->names[i], &info, &nd) >= 0)
            xc_log(XC_LOG_WARNING,
                   "runner %s: marked tensor '%s' is not materialized: it stays inside fused layer '%s' (fused by %s); "
                   "--no-fuse-node %s keeps it",
                   runner, m->names[i], info.name, info.fusion ? info.fusion : "a builder pass", nd->name[0] ? nd->name : "NODE");
        else
            xc_log(XC_LOG_WARNING,
                   "runner %s: marked tensor '%s' is not materialized (folded away or not computed by this runner)", runner,
                   m->names[i]);
    }
    return missing;
}

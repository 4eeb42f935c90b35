/* sanitize.c — `surgeon sanitize`: input-shape overrides, constant folding, cleanup.
 *
 * Order matters: shapes are overridden first so that Shape nodes of those inputs fold, folding
 * runs next, and cleanup last removes what folding left unread. */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

/* Fixes the dims of runtime graph inputs. Intermediate value infos are dropped: they were
 * written for the old shapes and would contradict the new ones (validation re-infers). */
static xc_status override_shapes(xc_graph *g, const xc_input_shape *ov, int n_ov)
{
    for (int k = 0; k < n_ov; k++) {
        xc_value_info *v = NULL;
        for (int i = 0; i < g->n_inputs; i++)
            if (!strcmp(g->inputs[i].name, ov[k].name) && xc_graph_is_runtime_input(g, i)) v = &g->inputs[i];
        if (!v) return xc_fail(XC_ERR_USAGE, "--override-input-shapes names '%s', which is not a graph input", ov[k].name);
        if (v->rank >= 0 && v->rank != ov[k].rank)
            return xc_fail(XC_ERR_USAGE, "--override-input-shapes gives '%s' rank %d, but the model says rank %d", v->name,
                           ov[k].rank, v->rank);
        v->rank = ov[k].rank;
        for (int d = 0; d < XC_MAX_RANK; d++) {
            free(v->dim_params[d]);
            v->dim_params[d] = NULL;
            v->dims[d] = d < v->rank ? ov[k].dims[d] : 0;
        }
    }
    if (n_ov) {
        for (int i = 0; i < g->n_value_info; i++) xc_value_info_clear(&g->value_info[i]);
        g->n_value_info = 0;
    }
    return XC_OK;
}

/* After overrides, declared output shapes may be stale: take the inferred ones where known. */
static void refresh_output_shapes(xc_model *m)
{
    xc_graph *g = m->graph;
    for (int o = 0; o < g->n_outputs; o++) {
        xc_value_info *v = &g->outputs[o];
        const xc_type_shape *t = xc_graph_type(m->types, v->name);
        if (!t || t->rank < 0) continue;
        int same_rank = v->rank == t->rank;
        for (int d = 0; d < XC_MAX_RANK; d++) {
            int keep_param = same_rank && d < t->rank && t->dims[d] < 0;
            if (!keep_param) {
                free(v->dim_params[d]);
                v->dim_params[d] = NULL;
            }
            v->dims[d] = d < t->rank ? t->dims[d] : 0;
        }
        v->rank = t->rank;
        if (t->dtype != XC_UNDEFINED) v->dtype = t->dtype;
    }
}

xc_status xc_surgeon_sanitize(const xc_model *m, const xc_sanitize_options *o, xc_model **out, xc_sanitize_report *rep)
{
    xc_sanitize_report r;
    memset(&r, 0, sizeof r);
    r.nodes_before = m->graph->n_nodes;
    *out = NULL;
    xc_model *w;
    XC_TRY(sg_clone(m, NULL, NULL, &w));
    xc_status s = override_shapes(w->graph, o->shapes, o->n_shapes);
    if (s == XC_OK && o->fold_constants) s = sg_fold(w, o->fold_size_threshold, &r);
    /* folding always cleans up after itself; --cleanup also merges duplicate initializers */
    if (s == XC_OK && (o->fold_constants || o->cleanup)) s = sg_cleanup(w, o->cleanup, &r);
    if (s != XC_OK) {
        xc_model_free(w);
        return xc_error_prefix(s, "sanitize: ");
    }
    /* o->toposort needs no work of its own: validation sorts every result (stable Kahn) */
    XC_TRY(sg_finish(w, "sanitize: ", out));
    if (o->n_shapes) refresh_output_shapes(*out);
    r.nodes_after = (*out)->graph->n_nodes;
    if (rep) *rep = r;
    return XC_OK;
}

/* fusions.c — `debug fusions`: which fused group makes the engine disagree. The candidates are
 * the failing build's fused layers (those a fusion pass formed); a check unfuses the switched
 * ones by putting all their ONNX nodes on the --no-fuse-node list, with every remaining layer's
 * tactic pinned to the failing build's choice (new, unfused layers run their baseline), so no
 * check times anything. Then the pass-level answer: which single --disable-fusion PASS, among
 * the passes that formed the culprits, makes the model pass on its own. */
#include "debug/session.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fusions {
    const xc_engine *e;       /* the failing build */
    int n;
    int *layer;               /* per candidate group: its layer */
    char replay[4200];        /* the failing build's tactics */
} fusions;

/* o pinned to the failing build's tactics, unfused layers at their baseline. */
static xc_ocl_build_options pinned(const xc_debug_session *s, const fusions *f)
{
    xc_ocl_build_options o = s->cfg->ocl;
    o.load_tactics = f->replay;
    o.replay_lenient = 1;
    o.timing_cache = NULL;
    o.save_tactics = NULL;
    return o;
}

/* Adds the nodes of every switched group to o's --no-fuse-node list. */
static xc_status exclude(const fusions *f, const unsigned char *sw, xc_ocl_build_options *o)
{
    const xc_graph *g = f->e->model->graph;
    for (int i = 0; i < f->n; i++) {
        const xc_layer *L = &f->e->layers[f->layer[i]];
        for (int k = 0; sw[i] && k < L->n_nodes; k++) {
            if (o->n_no_fuse_nodes == XC_MAX_LAYER_NAMES) return xc_fail(XC_ERR_NOMEM, "more than %d nodes to unfuse", XC_MAX_LAYER_NAMES);
            const xc_node *n = &g->nodes[L->nodes[k]];
            o->no_fuse_nodes[o->n_no_fuse_nodes++] = n->name[0] ? n->name : n->outputs[0];
        }
    }
    return XC_OK;
}

/* --artifacts-dir: the options this check added to the failing build, as good/ or bad/. */
static xc_status keep(const xc_debug_session *s, const fusions *f, const xc_ocl_build_options *o, const char *what, int passed)
{
    if (!xc_debug_keeps(s)) return XC_OK;
    int n = 0, cap = 2 * (o->n_no_fuse_nodes + o->n_disabled) + 3;
    const char **args = calloc((size_t)cap, sizeof *args);
    if (!args) return xc_fail(XC_ERR_NOMEM, "out of memory");
    args[n++] = "--load-tactics";
    args[n++] = f->replay;
    for (int i = s->cfg->ocl.n_no_fuse_nodes; i < o->n_no_fuse_nodes; i++) args[n++] = "--no-fuse-node", args[n++] = o->no_fuse_nodes[i];
    for (int i = s->cfg->ocl.n_disabled; i < o->n_disabled; i++) args[n++] = "--disable-fusion", args[n++] = o->disabled[i];
    xc_status st = xc_debug_keep_options(s, what, args, n, passed);
    free(args);
    return st;
}

static xc_status probe(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed)
{
    const fusions *f = user;
    xc_ocl_build_options o = pinned(s, f);
    XC_TRY(exclude(f, sw, &o));
    XC_TRY(xc_debug_check(s, &o, what, passed, NULL));
    return keep(s, f, &o, what, *passed);
}

/* The passes that formed layer L, joined with '+' in pipeline order. */
static void pass_names(const xc_layer *L, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int p = 0; xc_passes[p]; p++)
        if (L->fusions >> p & 1u) o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? "+" : "", xc_passes[p]->name);
}

/* Tries --disable-fusion P alone for each pass P that formed a culprit: first the passes that
 * completed a culprit group (the last to touch it: the most direct answer), then the others. */
static xc_status pass_level(xc_debug_session *s, const fusions *f, unsigned last, unsigned passes)
{
    for (int round = 0; round < 2; round++)
        for (int p = 0; xc_passes[p]; p++) {
            if (!((round ? passes & ~last : last) >> p & 1u)) continue;
            xc_ocl_build_options o = pinned(s, f);
            if (o.n_disabled == XC_MAX_NAMED) return XC_OK;
            o.disabled[o.n_disabled++] = xc_passes[p]->name;
            char what[128];
            int passed;
            snprintf(what, sizeof what, "--disable-fusion %s alone", xc_passes[p]->name);
            XC_TRY(xc_debug_check(s, &o, what, &passed, NULL));
            XC_TRY(keep(s, f, &o, what, passed));
            if (passed) {
                snprintf(s->report->pass_fix, sizeof s->report->pass_fix, "%s", xc_passes[p]->name);
                return XC_OK;
            }
        }
    return XC_OK;
}

static xc_status find(xc_debug_session *s, const xc_engine *e, fusions *f)
{
    xc_debug_report *r = s->report;
    XC_TRY(xc_debug_keep_failing(s, e));
    for (int l = 0; l < e->n_layers; l++)
        if (!e->layers[l].dead && e->layers[l].fusions) f->layer[f->n++] = l;
    r->n_candidates = f->n;
    xc_debug_say(s, "%d fused group%s in the build: searching them", f->n, f->n == 1 ? "" : "s");
    XC_TRY(xc_debug_save_failing_tactics(s, e, f->replay, sizeof f->replay));
    int culprits[XC_DEBUG_MAX_CULPRITS], explained;
    XC_TRY(xc_debug_search(s, f->n, "groups unfused", probe, f, culprits, &r->n_culprits, &explained));
    if (!explained) {
        r->outcome = XC_DEBUG_UNEXPLAINED;
        return XC_OK;
    }
    r->outcome = XC_DEBUG_FOUND;
    unsigned passes = 0, last = 0;
    size_t o = 0;
    for (int k = 0; k < r->n_culprits; k++) {
        const xc_layer *L = &e->layers[f->layer[culprits[k]]];
        xc_debug_culprit *c = &r->culprits[k];
        xc_debug_name_culprit(e, L, c);
        pass_names(L, c->bad, sizeof c->bad);
        snprintf(c->good, sizeof c->good, "unfused");
        passes |= L->fusions;
        last |= xc_pass_bit(L->fusion);
        for (int n = 0; n < L->n_nodes; n++) {
            const xc_node *nd = &e->model->graph->nodes[L->nodes[n]];
            xc_debug_shell_arg(r->fix_args, sizeof r->fix_args, &o, "--no-fuse-node");
            xc_debug_shell_arg(r->fix_args, sizeof r->fix_args, &o, nd->name[0] ? nd->name : nd->outputs[0]);
        }
    }
    return pass_level(s, f, last, passes);
}

static xc_status run(xc_debug_session *s, const xc_engine *e)
{
    fusions f = {e, 0, calloc(e->n_layers + 1, sizeof(int)), ""};
    xc_status st = f.layer ? find(s, e, &f) : xc_fail(XC_ERR_NOMEM, "out of memory");
    free(f.layer);
    return st;
}

xc_status xc_debug_fusions(const xc_debug_config *c, xc_debug_report *r)
{
    XC_TRY(xc_debug_check_outputs(c, NULL));
    return xc_debug_run(c, r, run);
}

/* fusions.c — `debug fusions`: which fused group makes the engine disagree. The candidates are
 * the failing build's fused layers (those a fusion pass formed). First the pass-level answer:
 * each pass that formed a group is disabled alone (--disable-fusion PASS), most groups first;
 * when one fixes it, only its groups are searched (a wholly bad pass costs a few checks, not a
 * bisection over every group of the model); once the culprits are named, a later pass among
 * theirs that also fixes it alone is the narrower answer. A check unfuses the switched groups by
 * putting all their ONNX nodes on the --no-fuse-node list, with every remaining layer's tactic
 * pinned to the failing build's choice (new, unfused layers run their baseline), so no check
 * times anything. */
#include "debug/session.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fusions {
    const xc_engine *e; /* the failing build */
    int n;
    int *layer;        /* per candidate group: its layer */
    char replay[4200]; /* the failing build's tactics */
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

/* Layer l of e as the engine's interface describes it. */
static xc_engine_layer_info layer(const xc_engine *e, int l)
{
    xc_engine_layer_info info;
    xc_engine_layer_info_get(e, l, &info);
    return info;
}

/* A live layer some fusion pass helped form. */
static int fused(const xc_engine *e, int l)
{
    xc_engine_layer_info info = layer(e, l);
    return info.name && info.fusions;
}

/* Adds the nodes of every switched group to o's --no-fuse-node list. */
static xc_status exclude(const fusions *f, const unsigned char *sw, xc_ocl_build_options *o)
{
    const xc_graph *g = xc_engine_model(f->e)->graph;
    for (int i = 0; i < f->n; i++) {
        xc_engine_layer_info L = layer(f->e, f->layer[i]);
        for (int k = 0; sw[i] && k < L.n_nodes; k++) {
            const xc_node *n = &g->nodes[L.nodes[k]];
            XC_TRY(xc_name_list_add(&o->no_fuse_nodes, n->name[0] ? n->name : n->outputs[0]));
        }
    }
    return XC_OK;
}

/* --artifacts-dir: the options this check added to the failing build, as good/ or bad/. */
static xc_status keep(const xc_debug_session *s, const fusions *f, const xc_ocl_build_options *o, const char *what, int passed)
{
    if (!xc_debug_keeps(s)) return XC_OK;
    int n = 0, cap = 2 * (o->no_fuse_nodes.n + o->disabled.n) + 1;
    const char **args = calloc((size_t)cap, sizeof *args);
    if (!args) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = s->cfg->ocl.no_fuse_nodes.n; i < o->no_fuse_nodes.n; i++)
        args[n++] = "--no-fuse-node", args[n++] = o->no_fuse_nodes.v[i];
    for (int i = s->cfg->ocl.disabled.n; i < o->disabled.n; i++) args[n++] = "--disable-fusion", args[n++] = o->disabled.v[i];
    xc_status st = xc_debug_keep_options(s, what, args, n, f->replay, passed);
    free(args);
    return st;
}

static xc_status probe(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed)
{
    const fusions *f = user;
    xc_ocl_build_options o = pinned(s, f);
    xc_status st = xc_ocl_options_own(&o); /* a list of its own to add to */
    if (st == XC_OK) st = exclude(f, sw, &o);
    if (st == XC_OK) st = xc_debug_check(s, &o, what, passed, NULL);
    if (st == XC_OK) s->report->n_pass_checks++;
    if (st == XC_OK) st = keep(s, f, &o, what, *passed);
    xc_ocl_options_free(&o);
    return st;
}

/* The passes that formed layer L, joined with '+' in pipeline order. */
static void pass_names(const xc_engine_layer_info *L, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int p = 0; xc_ocl_pass_name(p); p++)
        if (L->fusions >> p & 1u)
            o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? "+" : "", xc_ocl_pass_name(p));
}

/* Checks --disable-fusion PASS p alone (pinned as every check); keeps the check's file. */
static xc_status disable_alone(xc_debug_session *s, const fusions *f, int p, int *passed)
{
    xc_ocl_build_options o = pinned(s, f);
    char what[128];
    snprintf(what, sizeof what, "--disable-fusion %s alone", xc_ocl_pass_name(p));
    xc_status st = xc_ocl_options_own(&o); /* a list of its own to add to */
    if (st == XC_OK) st = xc_name_list_add(&o.disabled, xc_ocl_pass_name(p));
    if (st == XC_OK) st = xc_debug_check(s, &o, what, passed, NULL);
    if (st == XC_OK) s->report->n_pass_checks++;
    if (st == XC_OK) st = keep(s, f, &o, what, *passed);
    xc_ocl_options_free(&o);
    XC_TRY(st);
    if (*passed) snprintf(s->report->pass_fix, sizeof s->report->pass_fix, "%s", xc_ocl_pass_name(p));
    return XC_OK;
}

/* Before any bisection, each pass that formed a group is disabled alone, the passes that formed
 * the most groups first: a wholly bad pass is then answered in a few checks, and the search
 * runs among that pass's groups only. Returns the pass that fixed it, or -1. */
static xc_status pass_first(xc_debug_session *s, const fusions *f, int *fixed)
{
    int count[32] = {0}, n_passes = 0;
    *fixed = -1;
    for (int p = 0; xc_ocl_pass_name(p) && p < 32; p++, n_passes++)
        for (int i = 0; i < f->n; i++) count[p] += layer(f->e, f->layer[i]).fusions >> p & 1u;
    for (int tried = 0; tried < n_passes; tried++) {
        int best = -1, passed;
        for (int p = 0; p < n_passes; p++)
            if (count[p] > 0 && (best < 0 || count[p] > count[best])) best = p;
        if (best < 0) break;
        count[best] = -1;
        XC_TRY(disable_alone(s, f, best, &passed));
        if (passed) return *fixed = best, XC_OK;
    }
    return XC_OK;
}

/* Once the culprits are known: a pass later in the pipeline than `fixed` that also formed a
 * culprit group may fix it alone too (gemm_residual extends what gemm_bias_act fused; without
 * the first the second cannot fuse either). The latest such pass is the narrower fix, leaving
 * more of the engine fused, so it becomes the pass-level answer. One check per such pass. */
static xc_status narrowest_pass(xc_debug_session *s, const fusions *f, const int *culprits, int n_culprits, int fixed)
{
    unsigned later = 0;
    for (int k = 0; k < n_culprits; k++) later |= layer(f->e, f->layer[culprits[k]]).fusions;
    for (int p = fixed + 1; xc_ocl_pass_name(p) && p < 32; p++) {
        int passed;
        if (later >> p & 1u) XC_TRY(disable_alone(s, f, p, &passed));
    }
    return XC_OK;
}

static xc_status find(xc_debug_session *s, const xc_engine *e, fusions *f)
{
    xc_debug_report *r = s->report;
    XC_TRY(xc_debug_keep_failing(s, e));
    for (int l = 0; l < xc_engine_layer_count(e); l++)
        if (fused(e, l)) f->layer[f->n++] = l;
    r->n_candidates = f->n;
    xc_debug_say(s, "%d fused group%s in the build: searching them", f->n, f->n == 1 ? "" : "s");
    XC_TRY(xc_debug_save_failing_tactics(s, e, f->replay, sizeof f->replay));
    int culprits[XC_DEBUG_MAX_CULPRITS], explained, fixed, all = f->n;
    XC_TRY(pass_first(s, f, &fixed));
    if (fixed >= 0) { /* the culprits are among that pass's groups */
        int kept = 0;
        for (int i = 0; i < f->n; i++)
            if (layer(e, f->layer[i]).fusions >> fixed & 1u) f->layer[kept++] = f->layer[i];
        f->n = kept;
        xc_debug_say(s, "--disable-fusion %s alone fixes it: searching its %d group%s", xc_ocl_pass_name(fixed), kept,
                     kept == 1 ? "" : "s");
    } else {
        xc_debug_say(s, "no single --disable-fusion fixes it: searching all %d groups", f->n);
    }
    XC_TRY(xc_debug_search(s, f->n, "groups unfused", probe, f, culprits, &r->n_culprits, &explained));
    if (!explained && f->n < all) { /* disabling the pass changed more than its groups: search them all */
        f->n = 0;
        for (int l = 0; l < xc_engine_layer_count(e); l++)
            if (fused(e, l)) f->layer[f->n++] = l;
        xc_debug_say(s, "unfusing that pass's groups does not explain it: searching all %d groups", f->n);
        XC_TRY(xc_debug_search(s, f->n, "groups unfused", probe, f, culprits, &r->n_culprits, &explained));
    }
    if (!explained) {
        r->outcome = XC_DEBUG_UNEXPLAINED;
        return XC_OK;
    }
    r->outcome = XC_DEBUG_FOUND;
    if (fixed >= 0) XC_TRY(narrowest_pass(s, f, culprits, r->n_culprits, fixed));
    XC_TRY(xc_debug_validate(s, probe, f, f->n, culprits, r->n_culprits));
    for (int k = 0; k < r->n_culprits; k++) {
        xc_engine_layer_info L = layer(e, f->layer[culprits[k]]);
        xc_debug_culprit *c = &r->culprits[k];
        xc_debug_name_culprit(e, f->layer[culprits[k]], c);
        pass_names(&L, c->bad, sizeof c->bad);
        snprintf(c->good, sizeof c->good, "unfused");
        for (int n = 0; n < L.n_nodes; n++) {
            const xc_node *nd = &xc_engine_model(e)->graph->nodes[L.nodes[n]];
            xc_debug_shell_arg(&r->fix_args, "--no-fuse-node");
            xc_debug_shell_arg(&r->fix_args, nd->name[0] ? nd->name : nd->outputs[0]);
        }
    }
    if (r->fix_args.failed) return xc_fail(XC_ERR_NOMEM, "out of memory");
    return XC_OK; /* the pass-level answer came first (pass_first) */
}

static xc_status run(xc_debug_session *s, const xc_engine *e)
{
    fusions f = {e, 0, calloc((size_t)xc_engine_layer_count(e) + 1, sizeof(int)), ""};
    xc_status st = f.layer ? find(s, e, &f) : xc_fail(XC_ERR_NOMEM, "out of memory");
    free(f.layer);
    return st;
}

xc_status xc_debug_fusions(const xc_debug_config *c, xc_debug_report *r)
{
    XC_TRY(xc_debug_check_outputs(c, NULL));
    return xc_debug_run(c, r, run);
}

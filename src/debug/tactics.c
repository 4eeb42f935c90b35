/* tactics.c — `debug tactics`: which layer's tactic makes the engine disagree. The candidates
 * are the layers of the failing build whose tactic is not their kind's baseline; a check pins
 * every layer by a replay file (switched candidates to their baseline, everything else to the
 * failing build's choice), so nothing is timed and every check is deterministic. */
#include "debug/session.h"
#include "ocl/fault.h"
#include "ocl/tactics_file.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_OUTPUT "debug_tactics.json"

typedef struct tactics {
    const xc_engine *e;   /* the failing build */
    int n;                /* candidates */
    int *layer;           /* per candidate: its layer */
    char (*baseline)[96]; /* per candidate: its baseline tactic */
} tactics;

/* A replay file pinning every layer: candidate i to its baseline when sw[i], else as built. */
static xc_status write_replay(const tactics *t, const unsigned char *sw, const char *path)
{
    xc_tactics_file *f = xc_tactics_new();
    if (!f) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    for (int l = 0, i = 0; l < xc_engine_layer_count(t->e) && s == XC_OK; l++) {
        xc_engine_layer_info L;
        xc_engine_layer_info_get(t->e, l, &L);
        if (!L.name) continue; /* merged into another layer */
        int cand = i < t->n && t->layer[i] == l ? i++ : -1;
        s = xc_tactics_set(f, L.name, cand >= 0 && sw[cand] ? t->baseline[cand] : L.variant, 0);
    }
    if (s == XC_OK) s = xc_tactics_save(f, path);
    xc_tactics_free(f);
    return s;
}

static xc_status probe(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed)
{
    const tactics *t = user;
    char path[4200];
    XC_TRY(write_replay(t, sw, xc_debug_check_file(s, "tactics.json", path, sizeof path)));
    xc_ocl_build_options o = s->cfg->ocl;
    o.load_tactics = path;
    o.timing_cache = NULL;
    o.save_tactics = NULL;
    XC_TRY(xc_debug_check(s, &o, what, passed, NULL));
    return xc_debug_keep_file(s, path, "tactics.json", *passed);
}

static xc_status find(xc_debug_session *s, const xc_engine *e, tactics *t)
{
    xc_debug_report *r = s->report;
    XC_TRY(xc_debug_keep_failing(s, e));
    for (int l = 0; l < xc_engine_layer_count(e); l++) {
        xc_engine_layer_info L;
        xc_engine_layer_info_get(e, l, &L);
        if (!L.name || xc_engine_layer_runs_baseline(e, l)) continue;
        t->layer[t->n] = l;
        xc_engine_layer_baseline(e, l, t->baseline[t->n], sizeof t->baseline[0]);
        t->n++;
    }
    r->n_candidates = t->n;
    xc_debug_say(s, "%d of the build's layers run a tactic other than their baseline: searching them", t->n);
    int culprits[XC_DEBUG_MAX_CULPRITS], explained;
    XC_TRY(xc_debug_search(s, t->n, "layers at their baseline tactic", probe, t, culprits, &r->n_culprits, &explained));
    if (!explained) {
        r->outcome = XC_DEBUG_UNEXPLAINED;
        return XC_OK;
    }
    r->outcome = XC_DEBUG_FOUND;
    XC_TRY(xc_debug_validate(s, probe, t, t->n, culprits, r->n_culprits));
    unsigned char *sw = calloc(t->n + 1, 1);
    if (!sw) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < r->n_culprits; k++) {
        xc_engine_layer_info L;
        xc_engine_layer_info_get(e, t->layer[culprits[k]], &L);
        xc_debug_culprit *c = &r->culprits[k];
        xc_debug_name_culprit(e, t->layer[culprits[k]], c);
        snprintf(c->bad, sizeof c->bad, "%s", L.variant);
        snprintf(c->good, sizeof c->good, "%s", t->baseline[culprits[k]]);
        sw[culprits[k]] = 1;
    }
    const char *out = s->cfg->output ? s->cfg->output : DEFAULT_OUTPUT;
    xc_status st = write_replay(t, sw, out);
    free(sw);
    XC_TRY(st);
    return xc_debug_report_written(r, out, "--load-tactics");
}

static xc_status run(xc_debug_session *s, const xc_engine *e)
{
    int n = xc_engine_layer_count(e);
    tactics t = {e, 0, calloc((size_t)n + 1, sizeof(int)), calloc((size_t)n + 1, sizeof(*t.baseline))};
    xc_status st = t.layer && t.baseline ? find(s, e, &t) : xc_fail(XC_ERR_NOMEM, "out of memory");
    free(t.layer);
    free(t.baseline);
    return st;
}

xc_status xc_debug_tactics(const xc_debug_config *c, xc_debug_report *r)
{
    XC_TRY(xc_debug_check_outputs(c, DEFAULT_OUTPUT));
    return xc_debug_run(c, r, run);
}

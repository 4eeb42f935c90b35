/* precision.c — `debug precision`: a small set of layers to keep in fp32 so an --fp16 engine
 * passes. The candidates are the failing build's fp16 layers (reformats and free views
 * excluded: they follow their neighbours); a check keeps the switched ones in fp32 by name
 * (--layer-precision), every tactic pinned to the failing build's choice. The answer is
 * written as a per-layer precision file that `build --layer-precision-file` reads. */
#include "debug/session.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_OUTPUT "debug_precision.json"

typedef struct precision {
    const xc_engine *e;
    int n;
    int *layer;
    char replay[4200];
} precision;

/* The name of layer l of e (NULL for a layer merged into another). */
static const char *layer_name(const xc_engine *e, int l)
{
    xc_engine_layer_info info;
    xc_engine_layer_info_get(e, l, &info);
    return info.name;
}

static xc_status probe(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed)
{
    const precision *p = user;
    xc_ocl_build_options o = s->cfg->ocl;
    o.load_tactics = p->replay;
    o.replay_lenient = 1; /* reformat layers come and go with the precisions */
    o.timing_cache = NULL;
    o.save_tactics = NULL;
    for (int i = 0; i < p->n; i++) {
        if (!sw[i]) continue;
        if (o.n_fp32_layers == XC_MAX_LAYER_NAMES)
            return xc_fail(XC_ERR_NOMEM, "more than %d layers to keep in fp32", XC_MAX_LAYER_NAMES);
        o.fp32_layers[o.n_fp32_layers++] = layer_name(p->e, p->layer[i]);
    }
    char path[4200];
    xc_debug_check_file(s, "precision.json", path, sizeof path);
    int ask =
        s->cfg->command.interactive; /* the user is shown the candidate's precision file (removed with the session folder) */
    if (xc_debug_keeps(s) || ask) XC_TRY(xc_layer_precision_save(path, o.fp32_layers, o.n_fp32_layers));
    if (ask) xc_debug_say(s, "check %d: the candidate's precision file: %s", s->report->n_checks + 1, path);
    XC_TRY(xc_debug_check(s, &o, what, passed, NULL));
    return xc_debug_keep_file(s, path, "precision.json", *passed);
}

static int searchable(const xc_engine *e, int layer)
{
    xc_engine_layer_info info, *l = &info;
    xc_engine_layer_info_get(e, layer, l);
    return l->name && l->fp16 && !l->cpu && strcmp(l->kind, "reformat") && strcmp(l->kind, "view");
}

static xc_status find(xc_debug_session *s, const xc_engine *e, precision *p)
{
    xc_debug_report *r = s->report;
    XC_TRY(xc_debug_keep_failing(s, e));
    for (int l = 0; l < xc_engine_layer_count(e); l++)
        if (searchable(e, l)) p->layer[p->n++] = l;
    r->n_candidates = p->n;
    xc_debug_say(s, "%d fp16 layers in the build: searching them %s", p->n, s->cfg->reverse ? "from the back" : "from the front");
    XC_TRY(xc_debug_save_failing_tactics(s, e, p->replay, sizeof p->replay));
    int culprits[XC_DEBUG_MAX_CULPRITS], explained;
    XC_TRY(xc_debug_search(s, p->n, "layers in fp32", probe, p, culprits, &r->n_culprits, &explained));
    if (!explained) {
        r->outcome = XC_DEBUG_UNEXPLAINED;
        return XC_OK;
    }
    r->outcome = XC_DEBUG_FOUND;
    XC_TRY(xc_debug_validate(s, probe, p, p->n, culprits, r->n_culprits));
    const char *names[XC_DEBUG_MAX_CULPRITS];
    for (int k = 0; k < r->n_culprits; k++) {
        xc_debug_name_culprit(e, p->layer[culprits[k]], &r->culprits[k]);
        snprintf(r->culprits[k].bad, sizeof r->culprits[k].bad, "fp16");
        snprintf(r->culprits[k].good, sizeof r->culprits[k].good, "fp32");
        names[k] = layer_name(e, p->layer[culprits[k]]);
    }
    const char *out = s->cfg->output ? s->cfg->output : DEFAULT_OUTPUT;
    XC_TRY(xc_layer_precision_save(out, names, r->n_culprits));
    xc_debug_report_written(r, out, "--layer-precision-file");
    return XC_OK;
}

static xc_status run(xc_debug_session *s, const xc_engine *e)
{
    precision p = {e, 0, calloc((size_t)xc_engine_layer_count(e) + 1, sizeof(int)), ""};
    xc_status st = p.layer ? find(s, e, &p) : xc_fail(XC_ERR_NOMEM, "out of memory");
    free(p.layer);
    return st;
}

xc_status xc_debug_precision(const xc_debug_config *c, xc_debug_report *r)
{
    if (!c->ocl.fp16)
        return xc_fail(XC_ERR_USAGE, "debug precision needs --fp16: it finds the layers an fp16 engine must keep in fp32");
    XC_TRY(xc_debug_check_outputs(c, DEFAULT_OUTPUT));
    return xc_debug_run(c, r, run);
}

/* precision.c — `debug precision`: the precision each layer needs so a reduced-precision engine
 * passes, walking TensorRT's ladder int8 -> fp16 -> fp32 (as Polygraphy's debug precision does).
 * The candidates are the failing build's int8 and fp16 layers (reformats and free views
 * excluded: they follow their neighbours); a check constrains the switched ones by name
 * (--layer-precision NAME:PREC), every tactic pinned to the failing build's choice.
 *   1. int8 engine with --fp16: raise int8 layers to fp16 and search which must be; if raising
 *      them all does not pass,
 *   2. raise the int8 and fp16 layers to fp32 and search which must be (an fp16 engine starts
 *      here, as does an int8 one without --fp16);
 *   3. with --fp16, each int8 culprit of step 2 is tried one rung lower (fp16), the others at
 *      their rung: kept there when the build still passes.
 * An fp16 engine (no int8 layer) first asks the failing build itself: one isolated per-layer run
 * (each layer fed the reference's inputs) names the layers that fail on their own, as an fp16
 * overflow does (LayerNorm's or ReduceL2's squares past 65504: every such norm is NaN at once,
 * where in the ordinary run the first one's NaN hides the others). Those raised together are one
 * check; when it passes, each is tried back in fp16 (one check each, dropped when the build still
 * passes) and the search is done: k overflowing norms cost k + 1 checks, not a bisection per
 * culprit (38 checks for the 5 of a 4-layer ViT). Otherwise (or under --mode linear or
 * --direction reverse, a search the user asked for) the bisection runs as above.
 * The answer is a per-layer precision file `build --layer-precision-file` reads. */
#include "debug/session.h"
#include "runner.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_OUTPUT "debug_precision.json"

typedef struct precision {
    const xc_engine *e;
    int n;      /* candidates of the search under way */
    int *layer; /* per candidate: its layer in the failing build */
    int *from;  /* per candidate: its precision there (XC_LAYER_PREC_INT8 or _FP16) */
    int *to;    /* per candidate: the precision a switched candidate is constrained to */
    char replay[4200];
    char calibration[4200]; /* --int8 without --calibration-cache: the ranges every check reads ("": none) */
} precision;

/* The name of layer l of e (NULL for a layer merged into another). */
static const char *layer_name(const xc_engine *e, int l)
{
    xc_engine_layer_info info;
    xc_engine_layer_info_get(e, l, &info);
    return info.name;
}

/* The failing build's options with every tactic pinned to its choice, nothing written. */
static xc_ocl_build_options pinned_options(const xc_debug_session *s, const precision *p)
{
    xc_ocl_build_options o = s->cfg->ocl;
    o.load_tactics = p->replay;
    o.replay_lenient = 1; /* reformat layers come and go with the precisions, int8 layers turn float */
    o.timing_cache = NULL;
    o.save_tactics = NULL;
    if (p->calibration[0]) o.calibration_cache = p->calibration;
    return o;
}

static xc_status probe(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed)
{
    const precision *p = user;
    xc_ocl_build_options o = pinned_options(s, p);
    const char **names = malloc(sizeof *names * (size_t)(p->n + 1));
    int *precs = malloc(sizeof *precs * (size_t)(p->n + 1)), n = 0;
    xc_status st = xc_ocl_options_own(&o); /* lists of its own to add to (empty when it fails) */
    if (st == XC_OK && (!names || !precs)) st = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; st == XC_OK && i < p->n; i++) {
        if (!sw[i]) continue;
        names[n] = layer_name(p->e, p->layer[i]);
        precs[n] = p->to[i];
        st = xc_ocl_constrain_layer(&o, names[n], precs[n]);
        n++;
    }
    char path[4200];
    xc_debug_check_file(s, "precision.json", path, sizeof path);
    int ask =
        s->cfg->command.interactive; /* the user is shown the candidate's precision file (removed with the session folder) */
    if (st == XC_OK && (xc_debug_keeps(s) || ask)) st = xc_layer_precision_save(path, names, precs, n);
    free(names);
    free(precs);
    if (st == XC_OK && ask) xc_debug_say(s, "check %d: the candidate's precision file: %s", s->report->n_checks + 1, path);
    if (st == XC_OK) st = xc_debug_check(s, &o, what, passed, NULL);
    xc_ocl_options_free(&o);
    XC_TRY(st);
    return xc_debug_keep_file(s, path, "precision.json", *passed);
}

/* The ladder's 16-bit rung: fp16, or bf16 for a --bf16 engine. */
static int half_rung(const xc_ocl_build_options *o) { return xc_half_format_get(o->half_format)->prec; }

/* The precision layer l runs in, when it is one the search may raise (else NONE). */
static int raisable(const xc_engine *e, int layer)
{
    xc_engine_layer_info info, *l = &info;
    xc_engine_layer_info_get(e, layer, l);
    if (!l->name || l->cpu || !strcmp(l->kind, "reformat") || !strcmp(l->kind, "view")) return XC_LAYER_PREC_NONE;
    return l->int8 ? XC_LAYER_PREC_INT8 : l->fp16 ? xc_half_format_get(xc_engine_half_format(e))->prec : XC_LAYER_PREC_NONE;
}

/* The failing build's candidates below `below` as p's search, each raised to `to`. */
static int collect(const xc_engine *e, precision *p, int below, int to)
{
    p->n = 0;
    for (int l = 0; l < xc_engine_layer_count(e); l++) {
        int from = raisable(e, l);
        if (from == XC_LAYER_PREC_NONE || from >= below) continue;
        p->layer[p->n] = l;
        p->from[p->n] = from;
        p->to[p->n++] = to;
    }
    return p->n;
}

/* Step 3: each int8 culprit tried at the 16-bit rung (the others at theirs): one check each. */
static xc_status lower_int8(xc_debug_session *s, precision *p, const int *culprits, int n_culprits)
{
    unsigned char *sw = calloc((size_t)p->n + 1, 1);
    if (!sw) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n_culprits; k++) sw[culprits[k]] = 1;
    xc_status st = XC_OK;
    for (int k = 0; st == XC_OK && k < n_culprits; k++) {
        int c = culprits[k], passed = 0;
        if (p->from[c] != XC_LAYER_PREC_INT8) continue;
        char what[600];
        int half = half_rung(&s->cfg->ocl);
        snprintf(what, sizeof what, "culprit '%.500s' one rung lower, in %s", layer_name(p->e, p->layer[c]),
                 xc_layer_prec_name(half));
        p->to[c] = half;
        st = probe(s, p, sw, what, &passed);
        if (!passed) p->to[c] = XC_LAYER_PREC_FP32;
    }
    free(sw);
    return st;
}

/* One rung of the ladder: candidates below `below` raised to `to`, searched. */
static xc_status rung(xc_debug_session *s, const xc_engine *e, precision *p, int below, int to, int *culprits, int *explained)
{
    xc_debug_report *r = s->report;
    int n8 = 0;
    collect(e, p, below, to);
    for (int i = 0; i < p->n; i++) n8 += p->from[i] == XC_LAYER_PREC_INT8;
    r->n_candidates = p->n;
    if (n8 && p->n > n8)
        xc_debug_say(s, "%d int8 and %d %s layers in the build: raising them to %s, searching %s", n8, p->n - n8,
                     xc_layer_prec_name(half_rung(&s->cfg->ocl)), xc_layer_prec_name(to),
                     s->cfg->reverse ? "from the back" : "from the front");
    else
        xc_debug_say(s, "%d %s layers in the build: raising them to %s, searching %s", p->n,
                     n8 ? "int8" : xc_layer_prec_name(half_rung(&s->cfg->ocl)), xc_layer_prec_name(to),
                     s->cfg->reverse ? "from the back" : "from the front");
    char word[64];
    snprintf(word, sizeof word, "layers in %s", xc_layer_prec_name(to));
    return xc_debug_search(s, p->n, word, probe, p, culprits, &r->n_culprits, explained);
}

/* Under --int8 --calibration-data without a cache, every check would run the reference over the
 * calibration sets again: the failing build's options calibrate once into a cache in the
 * session folder (a build, not a check: nothing runs), which every check then reads. */
static xc_status calibrate_once(xc_debug_session *s, precision *p)
{
    const xc_ocl_build_options *given = &s->cfg->ocl;
    if (!given->int8 || !given->calibration_data || given->calibration_cache) return XC_OK;
    snprintf(p->calibration, sizeof p->calibration, "%s/check_calibration.json", s->dir);
    xc_ocl_build_options o = pinned_options(s, p);
    o.progress = 0;
    o.quiet_faults = 1;
    if (s->shapes) {
        o.shapes = s->shapes;
        o.n_shapes = s->n_shapes;
    }
    xc_engine *e = NULL;
    xc_status st = xc_ocl_build(s->model, &o, &e);
    xc_engine_free(e);
    if (st != XC_OK) p->calibration[0] = 0;
    return st;
}

/* The candidates whose layer fails in the isolated per-layer run of the failing build (every
 * tactic pinned, the session's input sets): guess[i] set, their count in *n. */
static xc_status failing_alone(xc_debug_session *s, precision *p, unsigned char *guess, int *n)
{
    const xc_debug_config *c = s->cfg;
    xc_run_config rc = xc_run_config_default();
    rc.model_path = c->model_path;
    rc.ocl = pinned_options(s, p);
    rc.ocl.progress = 0;
    rc.ocl.quiet_faults = 1;
    rc.inputs = c->inputs;
    rc.iterations = s->n_iter;
    rc.load_inputs = c->load_inputs;
    rc.n_load_inputs = c->n_load_inputs;
    rc.tol = c->tol;
    rc.checks = c->checks;
    rc.per_layer = XC_PER_LAYER_ISOLATED;
    rc.per_layer_outputs_only = 1;
    rc.runners[rc.n_runners++] = (xc_runner_spec){.kind = "ref"};
    rc.runners[rc.n_runners++] = (xc_runner_spec){.kind = "ocl"};
    xc_run_report rep;
    memset(&rep, 0, sizeof rep);
    xc_status st = xc_run(&rc, &rep);
    *n = 0;
    for (int k = 0; st == XC_OK && k < rep.n_runners; k++)
        for (int it = 0; rep.runners[k].engine && rep.runners[k].per_layer && it < rep.iterations; it++) {
            const xc_per_layer *pl = &rep.runners[k].per_layer[it];
            for (int r = 0; r < pl->n_rows; r++) {
                const char *name = pl->rows[r].info.name;
                for (int i = 0; name && pl->rows[r].verdict == XC_VERDICT_FAIL && i < p->n; i++)
                    if (!guess[i] && !strcmp(layer_name(p->e, p->layer[i]), name)) guess[i] = 1, (*n)++;
            }
        }
    xc_run_report_free(&rep);
    return st;
}

/* The isolated per-layer guess (see the top): *explained when the layers failing on their own,
 * raised, make the build pass; culprits are then those still needed. */
static xc_status guess_alone(xc_debug_session *s, precision *p, int *culprits, int *explained)
{
    xc_debug_report *r = s->report;
    unsigned char *sw = calloc((size_t)p->n + 1, 1);
    int n = 0, passed = 0;
    if (!sw) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status st = failing_alone(s, p, sw, &n);
    if (st != XC_OK) { /* only a guess: the search goes on without it */
        xc_debug_say(s, "the isolated per-layer run of the failing build did not run (%s): bisecting", xc_error_message());
        free(sw);
        return XC_OK;
    }
    xc_debug_say(s, "isolated per-layer run of the failing build: %d of %d candidate layers fail on their own%s", n, p->n,
                 n && n < p->n && n <= XC_DEBUG_MAX_CULPRITS ? ": raising them first" : ": bisecting");
    char what[600];
    snprintf(what, sizeof what, "the %d layer%s failing on their own in %s", n, n == 1 ? "" : "s", xc_layer_prec_name(p->to[0]));
    if (n && n < p->n && n <= XC_DEBUG_MAX_CULPRITS) st = probe(s, p, sw, what, &passed);
    for (int i = 0; st == XC_OK && passed && n > 1 && i < p->n; i++) {
        if (!sw[i]) continue;
        sw[i] = 0;
        snprintf(what, sizeof what, "'%.500s' back in %s, the other %d in %s", layer_name(p->e, p->layer[i]),
                 xc_layer_prec_name(p->from[i]), n - 1, xc_layer_prec_name(p->to[i]));
        int still = 0;
        st = probe(s, p, sw, what, &still);
        if (still)
            n--;
        else
            sw[i] = 1;
    }
    *explained = st == XC_OK && passed;
    r->n_culprits = 0;
    for (int i = 0; *explained && i < p->n && r->n_culprits < XC_DEBUG_MAX_CULPRITS; i++)
        if (sw[i]) culprits[r->n_culprits++] = i;
    free(sw);
    return st;
}

static xc_status find(xc_debug_session *s, const xc_engine *e, precision *p)
{
    xc_debug_report *r = s->report;
    XC_TRY(xc_debug_keep_failing(s, e));
    XC_TRY(xc_debug_save_failing_tactics(s, e, p->replay, sizeof p->replay));
    XC_TRY(calibrate_once(s, p));
    int half = half_rung(&s->cfg->ocl);
    int culprits[XC_DEBUG_MAX_CULPRITS], explained = 0, has_int8 = collect(e, p, XC_LAYER_PREC_FP16, 0) > 0;
    if (has_int8 && s->cfg->ocl.fp16) {
        XC_TRY(rung(s, e, p, half, half, culprits, &explained));
        if (!explained) xc_debug_say(s, "raising every int8 layer to %s does not pass: trying fp32", xc_layer_prec_name(half));
    }
    /* the guess needs the reference's tensors (no --check, no --exec-runner); a search mode or
     * direction asked for (--mode linear, --direction reverse) is the search the user wants; and
     * it runs the failing build in this process, so only one that ran to its comparison in check
     * 1 (a crash or a hang there is left to the isolated checks: failed_iteration -1) */
    const xc_debug_config *c = s->cfg;
    if (!has_int8 && !xc_check_external(&c->command) && !c->n_against && c->mode != XC_DEBUG_LINEAR && !c->reverse
        && s->failed_iteration >= 0) {
        collect(e, p, XC_LAYER_PREC_FP32, XC_LAYER_PREC_FP32);
        r->n_candidates = p->n;
        XC_TRY(guess_alone(s, p, culprits, &explained));
    }
    if (!explained) {
        XC_TRY(rung(s, e, p, XC_LAYER_PREC_FP32, XC_LAYER_PREC_FP32, culprits, &explained));
        if (explained && has_int8 && s->cfg->ocl.fp16) XC_TRY(lower_int8(s, p, culprits, r->n_culprits));
    }
    if (!explained) {
        r->outcome = XC_DEBUG_UNEXPLAINED;
        return XC_OK;
    }
    r->outcome = XC_DEBUG_FOUND;
    XC_TRY(xc_debug_validate(s, probe, p, p->n, culprits, r->n_culprits));
    const char *names[XC_DEBUG_MAX_CULPRITS];
    int precs[XC_DEBUG_MAX_CULPRITS];
    for (int k = 0; k < r->n_culprits; k++) {
        int c = culprits[k];
        xc_debug_name_culprit(e, p->layer[c], &r->culprits[k]);
        snprintf(r->culprits[k].bad, sizeof r->culprits[k].bad, "%s", xc_layer_prec_name(p->from[c]));
        snprintf(r->culprits[k].good, sizeof r->culprits[k].good, "%s", xc_layer_prec_name(p->to[c]));
        names[k] = layer_name(e, p->layer[c]);
        precs[k] = p->to[c];
    }
    const char *out = s->cfg->output ? s->cfg->output : DEFAULT_OUTPUT;
    XC_TRY(xc_layer_precision_save(out, names, precs, r->n_culprits));
    return xc_debug_report_written(r, out, "--layer-precision-file");
}

static xc_status run(xc_debug_session *s, const xc_engine *e)
{
    size_t n = (size_t)xc_engine_layer_count(e) + 1;
    precision p = {e, 0, calloc(n, sizeof(int)), calloc(n, sizeof(int)), calloc(n, sizeof(int)), "", ""};
    xc_status st = p.layer && p.from && p.to ? find(s, e, &p) : xc_fail(XC_ERR_NOMEM, "out of memory");
    free(p.layer);
    free(p.from);
    free(p.to);
    return st;
}

/* Whether the model holds Q/DQ nodes (explicit quantization: an int8 engine without --int8). */
static xc_status has_qdq(const char *path, int *yes)
{
    xc_model *m;
    *yes = 0;
    XC_TRY(xc_model_load(path, &m));
    const xc_graph *g = m->graph;
    for (int k = 0; k < g->n_nodes && !*yes; k++)
        *yes = !g->nodes[k].domain[0]
               && (!strcmp(g->nodes[k].op_type, "QuantizeLinear") || !strcmp(g->nodes[k].op_type, "DequantizeLinear"));
    xc_model_free(m);
    return XC_OK;
}

xc_status xc_debug_precision(const xc_debug_config *c, xc_debug_report *r)
{
    int qdq = 0;
    if (!c->ocl.fp16 && !c->ocl.int8) XC_TRY(has_qdq(c->model_path, &qdq));
    if (!c->ocl.fp16 && !c->ocl.int8 && !qdq)
        return xc_fail(XC_ERR_USAGE,
                       "debug precision needs --fp16, --int8 or a Q/DQ model: it finds the layers a reduced-precision "
                       "engine must run in higher precision");
    XC_TRY(xc_debug_check_outputs(c, DEFAULT_OUTPUT));
    xc_debug_config pc = *c;
    if (pc.judge == XC_DEBUG_JUDGE_DEFAULT) pc.judge = XC_DEBUG_JUDGE_OUTPUTS; /* the precision the outputs need (debug.h) */
    return xc_debug_run(&pc, r, run);
}

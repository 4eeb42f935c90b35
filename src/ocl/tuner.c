/* tuner.c — chooses each layer's tactic, like TensorRT's builder: a tactic pinned by
 * --load-tactics wins; else a timing-cache hit; else every applicable tactic variant is built
 * and timed (one warm-up, then N runs queued back to back and measured with profiling events,
 * median kept) on a private context; the candidates within 10 % of the fastest are timed once
 * more, one after the other, and the fastest of that round is kept. A variant that fails to
 * build is skipped. */
#include "ocl/build.h"
#include "ocl/profile_shapes.h"
#include "ocl/runtime.h"
#include "log.h"
#include "ocl/tactics_file.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fnmatch.h>
#include <unistd.h>

typedef struct candidate {
    const xc_tactic *t;
    const xc_variant *v; /* NULL: the tactic's only variant */
    char name[96];
} candidate;

static void candidate_name(const xc_tactic *t, const xc_variant *v, char *buf, size_t len)
{
    if (v && v->suffix && v->suffix[0])
        snprintf(buf, len, "%s.%s", t->name, v->suffix);
    else
        snprintf(buf, len, "%s", t->name);
}

/* Does candidate c pass --tactics (its full name or its tactic's name matches a glob)? */
static int allowed(const xc_engine *e, const candidate *c)
{
    for (int i = 0; i < e->opt.tactic_filter.n; i++)
        if (!fnmatch(e->opt.tactic_filter.v[i], c->name, 0) || !fnmatch(e->opt.tactic_filter.v[i], c->t->name, 0)) return 1;
    return !e->opt.tactic_filter.n;
}

/* Every applicable (tactic, variant) of l, baseline first; tuned: only the variants tuning
 * considers at the engine's optimization level on this device. */
static int applicable_candidates(const xc_engine *e, const xc_layer *l, candidate *out, int max, int tuned)
{
    int n = 0;
    for (int k = 0; l->kind->tactics[k] && n < max; k++) {
        const xc_tactic *t = l->kind->tactics[k];
        if (t->applicable && !t->applicable(e, l)) continue;
        if (!t->variants) {
            out[n].t = t;
            out[n].v = NULL;
            candidate_name(t, NULL, out[n].name, sizeof out[n].name);
            n++;
            continue;
        }
        int level = tuned ? e->opt.opt_level : 5;
        const xc_variant *list = level <= 3 && !e->dev->is_gpu && t->cpu_variants ? t->cpu_variants : t->variants;
        for (const xc_variant *v = list; v->suffix && n < max && (level >= 3 || v == list); v++) {
            out[n].t = t;
            out[n].v = v;
            candidate_name(t, v, out[n].name, sizeof out[n].name);
            n++;
        }
    }
    return n;
}

static int all_candidates(const xc_engine *e, const xc_layer *l, candidate *out, int max)
{
    return applicable_candidates(e, l, out, max, 0);
}

static xc_status prepare(xc_engine *e, xc_layer *l, const candidate *c)
{
    l->n_launches = 0;
    l->workspace = 0;
    l->tactic = c->t;
    snprintf(l->variant, sizeof l->variant, "%s", c->name);
    l->defines = c->v ? c->v->defines : "";
    return c->t->prepare ? c->t->prepare(e, l, l->defines) : XC_OK;
}

/* Bytes of the model's constants: tactics upload the weights they read as they are prepared, so
 * the engine's weight_bytes is not yet their total while tuning. */
static size_t constant_bytes(const xc_engine *e)
{
    size_t bytes = 0;
    for (int t = 0; t < e->n_tensors; t++)
        if (e->tensors[t].value) bytes += e->tensors[t].value->nbytes;
    return bytes;
}

/* --timing-weights AUTO made COLD or CACHED once, before any timing: cold on a GPU whose cache,
 * as the device reports it, the model's constants exceed (NVIDIA reports 4.1 MiB for an H100),
 * so the model is summed once, not per timing. A layer of such a model meets its weights in memory in every run,
 * and the latency-bound tactics lose most there: on an H100, BERT-base's 768 x 768 output
 * projection on gemm.tf32.64x64 timed 28 us with everything cached and ran 41 us in the model
 * (timed cold, the tactic chosen took 33.6 and ran 34.9), resnet50's fc Gemm timed 52 cached, 87
 * cold, and ran 87. */
static void resolve_timing_weights(xc_engine *e)
{
    if (e->opt.timing_weights != XC_TIMING_WEIGHTS_AUTO) return;
    const int cold = e->dev->is_gpu && e->dev->cache_bytes && constant_bytes(e) > e->dev->cache_bytes;
    e->opt.timing_weights = cold ? XC_TIMING_WEIGHTS_COLD : XC_TIMING_WEIGHTS_CACHED;
}

/* Whether tactics are timed with the device cache emptied before each run (after
 * resolve_timing_weights). */
static int timing_cold(const xc_engine *e) { return e->opt.timing_weights == XC_TIMING_WEIGHTS_COLD; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median time of layer li over n runs, in ms. One warm-up run, waited for; then the n timed runs
 * queued back to back and waited for once, so the device stays busy from one to the next as in a
 * model's run (a host round trip after each run left it idle between them). Under timing_cold
 * each run follows xc_ocl_ctx_chill (its events time the layer alone). */
static xc_status time_layer(xc_ocl_ctx *ctx, int li, int n, double *ms)
{
    double t[64];
    cl_event a[64] = {NULL}, b[64] = {NULL};
    const int cold = timing_cold(ctx->e);
    if (n > 64) n = 64;
    xc_status s = cold ? xc_ocl_ctx_chill(ctx, li) : XC_OK;
    if (s == XC_OK) s = xc_ocl_ctx_run_layer(ctx, li, &a[0], &b[0]);
    cl_int err = s == XC_OK ? clWaitForEvents(1, &b[0]) : CL_SUCCESS;
    for (int it = 0; it < n && s == XC_OK && err == CL_SUCCESS; it++) {
        if (a[it]) clReleaseEvent(a[it]);
        if (b[it]) clReleaseEvent(b[it]);
        a[it] = b[it] = NULL;
        s = cold ? xc_ocl_ctx_chill(ctx, li) : XC_OK;
        if (s == XC_OK) s = xc_ocl_ctx_run_layer(ctx, li, &a[it], &b[it]);
    }
    if (s == XC_OK && err == CL_SUCCESS) err = clWaitForEvents(1, &b[n - 1]);
    for (int it = 0; it < n; it++) {
        cl_ulong start = 0, end = 0;
        if (s == XC_OK && err == CL_SUCCESS)
            err = clGetEventProfilingInfo(a[it], CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
        if (s == XC_OK && err == CL_SUCCESS)
            err = clGetEventProfilingInfo(b[it], CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
        t[it] = (double)(end - start) * 1e-6;
        if (a[it]) clReleaseEvent(a[it]);
        if (b[it]) clReleaseEvent(b[it]);
    }
    XC_TRY(s);
    if (err != CL_SUCCESS) return xc_cl_fail(err, "timing a tactic");
    qsort(t, n, sizeof t[0], cmp_double);
    *ms = t[n / 2];
    return XC_OK;
}

/* The bar (a terminal): layers done / total and what is being timed, redrawn in place. */
static void progress(const xc_engine *e, int done, int total, const char *what)
{
    if (e->opt.progress != XC_PROGRESS_BAR) return;
    int width = 30, fill = total ? done * width / total : width;
    fprintf(stderr, "\r[%.*s%*s] %d/%d %-60.60s", fill, "##############################", width - fill, "", done, total, what);
    if (done == total) fprintf(stderr, "\n");
    fflush(stderr);
}

int xc_tuner_finalist(double ms, double best_ms) { return ms >= 0 && ms <= best_ms * 1.10; }

int xc_tuner_finalists(const double *ms, int n, double best_ms)
{
    int count = 0;
    for (int k = 0; k < n; k++) count += xc_tuner_finalist(ms[k], best_ms);
    return count;
}

/* The candidates whose first time (ms[k], < 0: not a candidate) came within 10 % of the fastest
 * (xc_tuner_finalist) are timed once more, one right after the other, and the fastest of that round wins
 * (*best, *best_ms). Each first time was taken on its own, minutes apart in a long tuning, with
 * the device's clock and the programs built in between, so a few percent between close
 * candidates said little (BERT's 1024 x 3072 x 768 product got tactics 20 % apart in two builds
 * on H100s). A finalist that no longer runs stays out. */
static void retime_finalists(xc_engine *e, xc_ocl_ctx *ctx, int li, const candidate *c, const double *ms, int n, int *best,
                             double *best_ms)
{
    xc_layer *l = &e->layers[li];
    int win = -1;
    double win_ms = 0;
    if (xc_tuner_finalists(ms, n, *best_ms) < 2) return; /* one alone: no round */
    for (int k = 0; k < n; k++) {
        if (!xc_tuner_finalist(ms[k], *best_ms)) continue;
        double again = 0;
        xc_ocl_ctx_forget_layer(ctx, li);
        xc_status s = prepare(e, l, &c[k]);
        if (s == XC_OK) s = time_layer(ctx, li, e->opt.timing_iterations, &again);
        if (s != XC_OK) {
            xc_log(XC_LOG_VERBOSE, "layer '%s': finalist %s no longer runs: %s", l->name, c[k].name, xc_error_message());
            xc_error_clear();
            continue;
        }
        xc_log(XC_LOG_VERBOSE, "layer '%s': finalist %s: %.4f ms", l->name, c[k].name, again);
        if (win < 0 || again < win_ms) {
            win = k;
            win_ms = again;
        }
    }
    if (win >= 0) {
        *best = win;
        *best_ms = win_ms;
    }
}

/* Times every candidate, the close ones twice; leaves l prepared with the fastest. */
static xc_status tune(xc_engine *e, xc_ocl_ctx *ctx, int li, const candidate *c, int n)
{
    xc_layer *l = &e->layers[li];
    double best_ms = 0, *times = malloc(sizeof *times * (size_t)(n > 0 ? n : 1));
    int best = -1;
    if (!times) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status first_status = XC_OK;
    char first_error[2048] = ""; /* why the first candidate failed: the answer when none works */
    for (int k = 0; k < n; k++) {
        char what[256];
        snprintf(what, sizeof what, "%s: %s (%d/%d)", l->name, c[k].name, k + 1, n);
        progress(e, e->progress_done, e->progress_total, what);
        xc_ocl_ctx_forget_layer(ctx, li);
        double ms = 0;
        times[k] = -1;
        xc_status s = prepare(e, l, &c[k]);
        if (s == XC_OK) s = time_layer(ctx, li, e->opt.timing_iterations, &ms);
        if (s != XC_OK) {
            xc_log(XC_LOG_VERBOSE, "layer '%s': tactic %s not a candidate here: %s", l->name, c[k].name, xc_error_message());
            if (first_status == XC_OK) {
                first_status = s;
                snprintf(first_error, sizeof first_error, "%s", xc_error_message());
            }
            xc_error_clear(); /* this variant does not build or run here: not a candidate */
            continue;
        }
        xc_log(XC_LOG_VERBOSE, "layer '%s': tactic %s: %.4f ms", l->name, c[k].name, ms);
        times[k] = ms;
        if (best < 0 || ms < best_ms) {
            best = k;
            best_ms = ms;
        }
    }
    if (best >= 0) retime_finalists(e, ctx, li, c, times, n, &best, &best_ms);
    free(times);
    xc_ocl_ctx_forget_layer(ctx, li);
    if (best < 0) /* out of memory stays out of memory, so its hint and status reach the user */
        return xc_fail(first_status == XC_ERR_NOMEM ? XC_ERR_NOMEM : XC_ERR_RUNTIME,
                       "layer '%s': no tactic builds and runs on this device: %s", l->name,
                       first_error[0] ? first_error : "no candidate tactic");
    XC_TRY(prepare(e, l, &c[best]));
    xc_engine_drop_unused_derived(e, l);
    l->time_ms = best_ms;
    if (e->opt.progress == XC_PROGRESS_LINES) { /* not a terminal: one plain line per layer timed */
        fprintf(stderr, "crosscheck: tuning %d/%d: layer '%s': %d tactic%s timed, %s fastest (%.3g ms)\n", e->progress_done + 1,
                e->progress_total, l->name, n, n == 1 ? "" : "s", c[best].name, best_ms);
        fflush(stderr);
    }
    return XC_OK;
}

static int find_candidate(const candidate *c, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(c[k].name, name)) return k;
    return -1;
}

/* The candidates --tactics leaves (the baseline alone when it leaves none); tuned: among the
 * variants tuning considers on this device, else among all. */
static int candidates(const xc_engine *e, const xc_layer *l, candidate *out, int max, int tuned)
{
    int n = applicable_candidates(e, l, out, max, tuned), kept = 0, valid = 0;
    for (int k = 0; k < n; k++) /* a profile's range rules out tactics that do not apply all over it */
        if (!xc_tactic_excluded(e->opt.excluded, l->name, out[k].t->name)) out[valid++] = out[k];
    for (int k = 0; k < valid; k++)
        if (allowed(e, &out[k])) out[kept++] = out[k];
    return kept ? kept : valid ? 1 : 0;
}

const char *xc_layer_baseline(const xc_engine *e, const xc_layer *l, char *buf, size_t len)
{
    candidate c[1];
    if (all_candidates(e, l, c, 1) == 1)
        snprintf(buf, len, "%s", c[0].name);
    else
        snprintf(buf, len, "%s", "");
    return buf;
}

/* A replay file may pin only some layers: the others are tuned (or cached) as usual, or run
 * their baseline under replay_lenient. A plan pins every layer: a layer it lacks means the
 * model or the options changed. */
/* The timing-cache key of a layer signature: the best of a --tactics subset is not the best
 * tactic for the signature, so a filtered build stores (and finds) its timings under the
 * signature plus the filter; a rebuild with the same --tactics re-times nothing. */
static char *cache_key(const xc_engine *e, const char *sig)
{
    size_t len = strlen(sig) + sizeof "|tactics=" + sizeof "|cold";
    for (int i = 0; i < e->opt.tactic_filter.n; i++) len += strlen(e->opt.tactic_filter.v[i]) + 1;
    char *key = malloc(len); /* whole: filters cut short would share an entry (the list has no length limit) */
    if (!key) return NULL;
    size_t o = (size_t)snprintf(key, len, "%s", sig);
    for (int i = 0; i < e->opt.tactic_filter.n; i++)
        o += (size_t)snprintf(key + o, len - o, "%s%s", i ? "," : "|tactics=", e->opt.tactic_filter.v[i]);
    if (timing_cold(e)) snprintf(key + o, len - o, "|cold"); /* times of another cache state */
    return key;
}

static xc_status choose(xc_engine *e, xc_ocl_ctx *ctx, const xc_tactics_file *pinned, xc_tactics_file *cache, int li)
{
    xc_layer *l = &e->layers[li];
    candidate c[96];
    const xc_tactics_file *pins = e->opt.pins; /* a profile's shape engine: its opt tactics, leniently */
    const char *want = pinned ? xc_tactics_lookup(pinned, l->name) : pins ? xc_tactics_lookup(pins, l->name) : NULL;
    int n = candidates(e, l, c, 96, !want); /* a pin may name any variant */
    if (!n && e->opt.excluded)
        return xc_fail(XC_ERR_UNSUPPORTED, "layer '%s' (%s): no tactic applies over the whole profile range (narrow the range)",
                       l->name, l->kind->name);
    if (!n) return xc_fail(XC_ERR_INTERNAL, "layer '%s' (%s): no applicable tactic", l->name, l->kind->name);
    if (pins) {
        int k = want ? find_candidate(c, n, want) : -1;
        if (k < 0)
            xc_log(XC_LOG_INFO, "layer '%s': %s; it runs its baseline %s", l->name,
                   want ? "its tactic at the profile's opt shapes does not apply here"
                        : "not in the engine at the profile's opt shapes",
                   c[0].name);
        return prepare(e, l, &c[k < 0 ? 0 : k]); /* untimed at this shape: time_ms stays 0 */
    }
    if (pinned && !want && xc_tactics_is_plan(pinned))
        return xc_fail(XC_ERR_USAGE, "%s: no tactic recorded for layer '%s' (was the model or a build option changed?)",
                       e->opt.load_tactics, l->name);
    if (want) {
        int k = find_candidate(c, n, want);
        if (k < 0 && e->opt.replay_lenient) k = 0; /* e.g. a layer now in another precision */
        if (k < 0) return xc_fail(XC_ERR_USAGE, "--load-tactics: tactic '%s' does not apply to layer '%s' here", want, l->name);
        return prepare(e, l, &c[k]);
    }
    if (pinned && e->opt.replay_lenient) return prepare(e, l, &c[0]);
    xc_text text = {0};
    xc_layer_signature(e, l, &text);
    const char *sig = xc_text_str(&text);
    char *key = text.failed ? NULL : cache_key(e, sig);
    if (!key) return xc_text_free(&text), xc_fail(XC_ERR_NOMEM, "out of memory");
    /* the subset's own entry, else the signature's best when the subset allows it (the best of
     * all is then the best of the subset too) */
    const char *hit = cache ? xc_tactics_lookup(cache, key) : NULL, *used = key;
    int k = hit ? find_candidate(c, n, hit) : -1;
    if (k < 0 && cache && e->opt.tactic_filter.n && (hit = xc_tactics_lookup(cache, sig)))
        k = find_candidate(c, n, hit), used = sig;
    xc_status s;
    if (k >= 0) {
        s = prepare(e, l, &c[k]);
        if (s == XC_OK) {
            l->time_ms = xc_tactics_lookup_ms(cache, used); /* measured on this device, by this or an earlier build */
            e->n_cache_hits++;
        }
    } else if (n == 1 || e->opt.opt_level == 0) {
        s = prepare(e, l, &c[0]); /* level 0: the baseline, untimed */
    } else {
        s = tune(e, ctx, li, c, n);
        if (s == XC_OK) e->n_timed++;
        if (s == XC_OK && cache) s = xc_tactics_set(cache, key, l->variant, l->time_ms);
    }
    free(key);
    xc_text_free(&text);
    return s;
}

/* Every layer a replay file names must exist: a typo would otherwise silently pin nothing. */
static xc_status check_pinned_names(const xc_engine *e, const xc_tactics_file *pinned)
{
    for (int i = 0; i < xc_tactics_count(pinned); i++) {
        const char *name = xc_tactics_key(pinned, i);
        int found = 0;
        for (int l = 0; l < e->n_layers && !found; l++) found = !e->layers[l].dead && !strcmp(e->layers[l].name, name);
        if (!found)
            return xc_fail(XC_ERR_USAGE, "%s: layer '%s' is not in this engine (see 'crosscheck build' for its layers)",
                           e->opt.load_tactics, name);
    }
    return XC_OK;
}

/* Does glob match a tactic some live GPU layer of e could use? 2: one that tuning at the
 * engine's optimization level on this device considers; 1: only one of the variants a higher
 * level offers (CPU devices below level 4 time fewer); 0: none. */
static int glob_matches(const xc_engine *e, const char *glob)
{
    candidate c[96];
    int best = 0;
    for (int l = 0; l < e->n_layers && best < 2; l++) {
        if (e->layers[l].dead || e->layers[l].cpu) continue;
        for (int tuned = 1; tuned >= 0 && best < 2 - !tuned; tuned--) {
            int n = applicable_candidates(e, &e->layers[l], c, 96, tuned);
            for (int k = 0; k < n; k++)
                if (!fnmatch(glob, c[k].name, 0) || !fnmatch(glob, c[k].t->name, 0)) {
                    best = tuned ? 2 : 1;
                    break;
                }
        }
    }
    return best;
}

/* A --tactics glob that matches no tactic any layer could use is a warning when another glob
 * matches (several globs for several layer kinds are common), and an error when none does: a
 * typo would otherwise leave every layer on its baseline, silently. A glob naming a variant the
 * optimization level does not offer on this device is unmatched too, with the level to ask for. */
static xc_status check_tactic_filter(const xc_engine *e)
{
    int n = e->opt.tactic_filter.n, unmatched = 0;
    char *matched = calloc((size_t)n + 1, 1);
    if (!matched) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) unmatched += (matched[i] = (char)glob_matches(e, e->opt.tactic_filter.v[i])) != 2;
    xc_status s = XC_OK;
    for (int i = 0; i < n && unmatched; i++) {
        if (matched[i] == 2) continue;
        char why[160] = "";
        if (matched[i] == 1)
            snprintf(why, sizeof why, " at optimization level %d on this device (--builder-optimization-level 5 offers it)",
                     e->opt.opt_level);
        if (unmatched == n) {
            s = xc_fail(XC_ERR_USAGE,
                        "--tactics '%s' matches no tactic of any layer of this engine%s (see 'crosscheck inspect engine')",
                        e->opt.tactic_filter.v[i], why);
            break;
        }
        xc_warn("--tactics '%s' matches no tactic of any layer of this engine%s", e->opt.tactic_filter.v[i], why);
    }
    free(matched);
    return s;
}

xc_status xc_engine_choose_tactics(xc_engine *e)
{
    xc_tactics_file *loaded = NULL, *cache = NULL;
    xc_ocl_ctx *ctx = NULL;
    resolve_timing_weights(e); /* before the timing cache's keys, which name a cold state */
    xc_status s = check_tactic_filter(e);
    if (s == XC_OK && !e->opt.replay && e->opt.load_tactics) s = xc_tactics_load(e->opt.load_tactics, NULL, &loaded);
    const xc_tactics_file *pinned = e->opt.replay ? e->opt.replay : loaded;
    if (s == XC_OK && e->opt.timing_cache) s = xc_tactics_load(e->opt.timing_cache, e, &cache);
    if (s == XC_OK) s = xc_ocl_ctx_create(e, 1, &ctx);
    if (s == XC_OK)
        xc_log(XC_LOG_VERBOSE, "tactics timed with %s (weights %.1f MiB, device cache %.1f MiB; --timing-weights)",
               timing_cold(e) ? "the device cache emptied before each run, the layer's inputs read back into it"
                              : "whatever the previous run left in the device cache",
               constant_bytes(e) / 1048576.0, e->dev->cache_bytes / 1048576.0);
    int total = 0;
    for (int l = 0; l < e->n_layers; l++) total += !e->layers[l].dead;
    e->progress_total = total;
    e->progress_done = 0;
    for (int l = 0; l < e->n_layers && s == XC_OK; l++) {
        if (e->layers[l].dead) continue;
        progress(e, e->progress_done, total, e->layers[l].name);
        if (!e->layers[l].cpu)
            s = choose(e, ctx, pinned, cache, l);
        else
            snprintf(e->layers[l].variant, sizeof e->layers[l].variant, "cpu.reference");
        e->progress_done++;
    }
    if (s == XC_OK) progress(e, total, total, "done");
    if (s == XC_OK && pinned && !e->opt.replay_lenient) s = check_pinned_names(e, pinned);
    if (s == XC_OK && cache) s = xc_tactics_save(cache, e->opt.timing_cache);
    if (s == XC_OK && cache && !e->n_timed && !e->n_cache_hits) /* said, so a rebuild that re-times is no surprise */
        xc_warn("--timing-cache %s: this build timed no layer (%s), so nothing was stored", e->opt.timing_cache,
                e->opt.opt_level == 0 ? "optimization level 0 builds every layer's baseline untimed"
                : pinned              ? "--load-tactics pinned the tactics"
                                      : "no layer has more than one candidate tactic");
    if (s == XC_OK && e->opt.save_tactics) s = xc_tactics_save_engine(e, e->opt.save_tactics);
    xc_ocl_ctx_free(ctx);
    xc_tactics_free(loaded);
    xc_tactics_free(cache);
    return s;
}

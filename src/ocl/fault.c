/* fault.c — fault injection (see fault.h). The perturbation is applied on the host: the layer's
 * outputs are read back, changed and written again. That is slow but obviously correct for any
 * storage (fp16 included) and any layer kind, which is what a test bed needs. */
#include "ocl/fault.h"
#include "log.h"
#include "ocl/build.h"
#include "ocl/runtime.h"
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    xc_fault_kind kind;
} kinds[] = {
    {"op", XC_FAULT_OP},         {"node", XC_FAULT_NODE},
    {"tactic", XC_FAULT_TACTIC}, {"node-tactic", XC_FAULT_NODE_TACTIC},
    {"fusion", XC_FAULT_FUSION}, {"node-fusion", XC_FAULT_NODE_FUSION},
};

#define EFFECTS "bias=X, scale=X, nan, element, crash, hang=SECONDS"

/* EFFECT: one of EFFECTS (crash=1 is crash). */
static xc_status parse_effect(const char *spec, const char *eff, xc_fault *f)
{
    char *end;
    if (!strcmp(eff, "nan")) return f->effect = XC_FAULT_NAN, XC_OK;
    if (!strcmp(eff, "element")) return f->effect = XC_FAULT_ELEMENT, XC_OK;
    if (!strcmp(eff, "crash") || !strcmp(eff, "crash=1")) return f->effect = XC_FAULT_CRASH, XC_OK;
    int bias = !strncmp(eff, "bias=", 5), scale = !strncmp(eff, "scale=", 6), hang = !strncmp(eff, "hang=", 5);
    if (bias || scale || hang) {
        const char *num = eff + (scale ? 6 : 5);
        f->value = strtod(num, &end);
        if (end != num && !*end && isfinite(f->value) && (!hang || f->value > 0)) {
            f->effect = bias ? XC_FAULT_BIAS : scale ? XC_FAULT_SCALE : XC_FAULT_HANG;
            return XC_OK;
        }
    }
    return xc_fail(XC_ERR_USAGE, "--inject-fault '%s': effect '%s' is not one of " EFFECTS, spec, eff);
}

/* After the last ':', text of the form word=value is meant as an effect; a name part
 * ("scope:x", "x:0", "onnx::MatMul_12") has no '=' after a plain lowercase word. */
static int looks_like_effect(const char *t)
{
    const char *c = t;
    while (*c >= 'a' && *c <= 'z') c++;
    return c > t && *c == '=';
}

xc_status xc_fault_parse(const char *spec, xc_fault *out)
{
    memset(out, 0, sizeof *out);
    if (strlen(spec) >= sizeof out->spec) return xc_fail(XC_ERR_USAGE, "--inject-fault: spec too long");
    snprintf(out->spec, sizeof out->spec, "%s", spec);
    out->effect = XC_FAULT_BIAS;
    out->value = 1.0;
    const char *eq = strchr(spec, '=');
    int k = -1;
    for (size_t i = 0; eq && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].name) == (size_t)(eq - spec) && !strncmp(spec, kinds[i].name, (size_t)(eq - spec))) k = (int)i;
    if (k < 0)
        return xc_fail(XC_ERR_USAGE,
                       "--inject-fault '%s': expected KIND=PATTERN[:EFFECT] with KIND one of op, node, tactic, "
                       "node-tactic, fusion, node-fusion",
                       spec);
    out->kind = kinds[k].kind;
    /* The effect follows the last ':' when that names one (node names may contain ':'). */
    const char *pat = eq + 1, *colon = strrchr(pat, ':');
    size_t plen = strlen(pat);
    static const char *const effects[] = {"bias", "scale", "nan", "element", "crash", "hang"};
    for (size_t i = 0; colon && i < sizeof effects / sizeof effects[0]; i++)
        if (!strncmp(colon + 1, effects[i], strlen(effects[i]))) {
            XC_TRY(parse_effect(spec, colon + 1, out));
            plen = (size_t)(colon - pat);
            break;
        }
    if (colon && plen == strlen(pat) && looks_like_effect(colon + 1)) /* a typo must not become part of the pattern */
        return xc_fail(XC_ERR_USAGE, "--inject-fault '%s': unknown effect '%s' (known: " EFFECTS ")", spec, colon + 1);
    if (!plen) return xc_fail(XC_ERR_USAGE, "--inject-fault '%s': empty PATTERN", spec);
    if (plen >= sizeof out->pattern) return xc_fail(XC_ERR_USAGE, "--inject-fault '%s': PATTERN too long", spec);
    memcpy(out->pattern, pat, plen);
    out->pattern[plen] = 0;
    return XC_OK;
}

static int match(const char *pattern, const char *s) { return s && fnmatch(pattern, s, 0) == 0; }

static int covers_node(const xc_engine *e, const xc_layer *l, const char *pattern, int by_op)
{
    for (int k = 0; k < l->n_nodes; k++) {
        const xc_node *n = &e->model->graph->nodes[l->nodes[k]];
        if (match(pattern, by_op ? n->op_type : n->name[0] ? n->name : n->outputs[0])) return 1;
    }
    return 0;
}

int xc_layer_runs_baseline(const xc_engine *e, const xc_layer *l)
{
    char base[96];
    if (l->cpu || !l->kind) return 1;
    return !strcmp(xc_layer_baseline(e, l, base, sizeof base), l->variant);
}

int xc_engine_layer_runs_baseline(const xc_engine *e, int l) { return xc_layer_runs_baseline(e, &e->layers[l]); }

static int fusion_hits(const xc_layer *l, const char *pattern)
{
    for (int p = 0; xc_passes[p]; p++)
        if ((l->fusions >> p & 1u) && match(pattern, xc_passes[p]->name)) return 1;
    return 0;
}

static int hits(const xc_engine *e, const xc_layer *l, const xc_fault *f)
{
    switch (f->kind) {
    case XC_FAULT_OP: return covers_node(e, l, f->pattern, 1);
    case XC_FAULT_NODE: return covers_node(e, l, f->pattern, 0);
    case XC_FAULT_TACTIC: return match(f->pattern, l->variant) || (l->tactic && match(f->pattern, l->tactic->name));
    case XC_FAULT_NODE_TACTIC: return covers_node(e, l, f->pattern, 0) && !xc_layer_runs_baseline(e, l);
    case XC_FAULT_FUSION: return fusion_hits(l, f->pattern);
    case XC_FAULT_NODE_FUSION: return l->n_nodes > 1 && covers_node(e, l, f->pattern, 0);
    }
    return 0;
}

/* Adds spec to the set (a copy). */
static xc_status add_spec(xc_fault_set *set, const char *spec)
{
    if (set->n == XC_MAX_FAULTS) return xc_fail(XC_ERR_USAGE, "--inject-fault: more than %d faults", XC_MAX_FAULTS);
    return xc_fault_parse(spec, &set->faults[set->n++]);
}

/* CROSSCHECK_INJECT_FAULT: specs separated by ';' (empty items ignored). */
static xc_status add_env(xc_fault_set *set)
{
    const char *env = getenv("CROSSCHECK_INJECT_FAULT");
    if (!env || !env[0]) return XC_OK;
    char *copy = strdup(env), *save = NULL;
    if (!copy) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    for (char *tok = strtok_r(copy, ";", &save); tok && s == XC_OK; tok = strtok_r(NULL, ";", &save))
        if (tok[0]) s = add_spec(set, tok);
    free(copy);
    if (s != XC_OK) xc_error_prefix(s, "CROSSCHECK_INJECT_FAULT: ");
    return s;
}

static void announce(const xc_engine *e, const xc_fault_set *set)
{
    for (int i = 0; i < set->n; i++) {
        const xc_fault *f = &set->faults[i];
        if (!f->n_layers) {
            xc_warn("fault injection '%s' matches no layer of this engine", f->spec);
            continue;
        }
        fprintf(stderr, "crosscheck: FAULT INJECTION ON: '%s' perturbs %d layer%s:", f->spec, f->n_layers,
                f->n_layers > 1 ? "s" : "");
        int shown = 0;
        for (int l = 0; l < e->n_layers && shown < 4; l++)
            if (set->hits[l] >> i & 1u) fprintf(stderr, "%s '%s'", shown++ ? "," : "", e->layers[l].name);
        fprintf(stderr, "%s\n", f->n_layers > shown ? ", ..." : "");
    }
}

xc_status xc_fault_setup(xc_engine *e)
{
    xc_fault_set *set = calloc(1, sizeof *set);
    if (!set) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    for (int i = 0; i < e->opt.faults.n && s == XC_OK; i++) s = add_spec(set, e->opt.faults.v[i]);
    if (s == XC_OK) s = add_env(set);
    if (s == XC_OK && set->n) {
        set->hits = calloc(e->n_layers + 1, sizeof *set->hits);
        if (!set->hits) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    if (s != XC_OK || !set->n) {
        xc_fault_set_free(set);
        return s;
    }
    for (int l = 0; l < e->n_layers; l++)
        for (int i = 0; i < set->n && !e->layers[l].dead; i++)
            if (hits(e, &e->layers[l], &set->faults[i])) {
                set->hits[l] |= 1ull << i;
                set->faults[i].n_layers++;
            }
    e->faults = set;
    if (!e->opt.quiet_faults) announce(e, set);
    return XC_OK;
}

static void perturb(const xc_fault *f, xc_tensor *t)
{
    float *v = t->data;
    size_t n = xc_tensor_numel(t);
    if (f->effect == XC_FAULT_CRASH || f->effect == XC_FAULT_HANG) return;
    if (f->effect == XC_FAULT_ELEMENT) {
        if (n) v[n / 2] += 1.0f;
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = f->effect == XC_FAULT_NAN     ? NAN
               : f->effect == XC_FAULT_SCALE ? (float)(v[i] * f->value)
                                             : (float)(v[i] + f->value);
}

/* crash and hang act on the process, not on the outputs: a driver crash or hang stood in for. */
static void crash_or_hang(const xc_fault *f)
{
    if (f->effect == XC_FAULT_CRASH) { /* past any handler (the driver's, a sanitizer's) that would survive a raise */
        fflush(NULL);
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
    }
    if (f->effect != XC_FAULT_HANG) return;
    struct timespec d = {(time_t)f->value, (long)((f->value - floor(f->value)) * 1e9)};
    while (nanosleep(&d, &d) != 0 && errno == EINTR) {}
}

xc_status xc_fault_apply(xc_ocl_ctx *c, int l)
{
    const xc_engine *e = c->e;
    if (!e->faults || !e->faults->hits[l]) return XC_OK;
    for (int k = 0; k < c->n_queues; k++) clFinish(c->queues[k]); /* the layer must be done before we read */
    for (int i = 0; i < e->faults->n; i++)
        if (e->faults->hits[l] >> i & 1u) crash_or_hang(&e->faults->faults[i]);
    const xc_layer *L = &e->layers[l];
    for (int o = 0; o < L->n_out; o++) {
        int t = L->out[o];
        if (t < 0 || !e->tensors[t].name[0] || e->tensors[t].dtype != XC_FLOAT) continue;
        xc_tensor *host;
        XC_TRY(xc_ocl_ctx_download(c, t, &host));
        for (int i = 0; i < e->faults->n; i++)
            if (e->faults->hits[l] >> i & 1u) perturb(&e->faults->faults[i], host);
        xc_status s = xc_ocl_ctx_upload(c, t, host);
        xc_tensor_free(host);
        XC_TRY(s);
    }
    return XC_OK;
}

const char *xc_fault_on_layer(const xc_engine *e, int l, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; e->faults && i < e->faults->n; i++)
        if (e->faults->hits[l] >> i & 1u)
            o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? "; " : "", e->faults->faults[i].spec);
    return buf;
}

void xc_fault_set_free(xc_fault_set *f)
{
    if (!f) return;
    free(f->hits);
    free(f);
}

/* check.c — the debug session and one check (see session.h). */
#include "debug/session.h"
#include "backend.h"
#include "dataset.h"
#include "ocl/fault.h"
#include "ocl/tactics_file.h"
#include "onnx_io.h"
#include "results.h"
#include "runners/engine.h"
#include "runners/exec.h"
#include "runners/pipeline.h"
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

xc_debug_config xc_debug_config_default(void)
{
    xc_debug_config c;
    memset(&c, 0, sizeof c);
    c.ocl = xc_ocl_build_defaults();
    c.inputs = xc_input_spec_default();
    c.iterations = 0; /* as many sets as loaded, else 1 */
    c.validate_sets = 3;
    c.tol = xc_tolerance_spec_default();
    c.exec_timeout = XC_EXEC_TIMEOUT_DEFAULT;
    c.isolate = 1;
    c.check_timeout = XC_DEBUG_CHECK_TIMEOUT_DEFAULT;
    return c;
}

void xc_debug_shell_arg(xc_text *t, const char *arg)
{
    int quote = !arg[0] || arg[strcspn(arg, " \t\n'\"$*?;&|<>()[]{}\\`!#~")];
    xc_text_printf(t, " %s", quote ? "'" : "");
    for (const char *p = arg; *p; p++) {
        size_t plain = quote ? strcspn(p, "'") : strlen(p); /* runs between single quotes */
        xc_text_printf(t, "%.*s", (int)plain, p);
        p += plain;
        if (!*p) break;
        xc_text_printf(t, "'\\''");
    }
    if (quote) xc_text_printf(t, "'");
}

void xc_debug_say(const xc_debug_session *s, const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (s->cfg->progress) s->cfg->progress(s->cfg->user, line);
}

/* Slot k's inputs: input set `set` (loaded, or generated with seed + set: input_sets.c). */
static xc_status make_inputs(xc_debug_session *s, int k, int set)
{
    const xc_graph *g = s->model->graph;
    XC_TRY(xc_debug_make_set(s, set, s->cfg->inputs.seed + (uint64_t)set, &s->inputs[k]));
    s->fed[k] = calloc(xc_graph_runtime_input_count(g) + 1, sizeof *s->fed[k]);
    if (!s->fed[k]) return xc_fail(XC_ERR_NOMEM, "out of memory");
    return xc_match_inputs(g, &s->inputs[k], s->fed[k]);
}

xc_status xc_debug_make_sets(xc_debug_session *s, int first, int n)
{
    const xc_debug_config *c = s->cfg;
    s->n_iter = n;
    s->first_set = first;
    s->inputs = calloc(n + 1, sizeof *s->inputs);
    s->fed = calloc(n + 1, sizeof *s->fed);
    s->ref = calloc(n + 1, sizeof *s->ref);
    if (!s->inputs || !s->fed || !s->ref) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_runner *golden = NULL; /* none when --check judges: the reference may not run the model (reduce) */
    if (!xc_check_external(&c->command)) XC_TRY(xc_debug_open_golden(s, s->model, c->model_path, &golden));
    xc_status st = XC_OK;
    for (int k = 0; k < n && st == XC_OK; k++) {
        st = make_inputs(s, k, first + k);
        if (st == XC_OK && golden) st = xc_pipeline_outputs(golden, s->model->graph, k, s->fed[k], &s->ref[k]);
    }
    s->golden_math = golden ? golden->fp16 : 0;
    if (st == XC_OK) st = xc_pipeline_rounding_depths(golden, s->model->graph, &s->golden_depth);
    xc_runner_free(golden);
    return st != XC_OK ? xc_error_prefix(st, "%s run: ", c->n_against ? "golden" : "reference") : XC_OK;
}

static void free_sets(xc_debug_session *s)
{
    for (int k = 0; k < s->n_iter; k++) {
        if (s->inputs) xc_tensor_list_free(&s->inputs[k]);
        if (s->fed) free(s->fed[k]);
        if (s->ref) xc_pipeline_outputs_free(s->model->graph, s->ref[k]);
    }
    free(s->inputs);
    free(s->fed);
    free(s->ref);
    free(s->golden_depth);
    s->golden_depth = NULL;
    s->inputs = NULL;
    s->fed = NULL;
    s->ref = NULL;
}

static xc_status make_dir(xc_debug_session *s)
{
    const char *art = s->cfg->artifacts_dir;
    if (art) {
        if (mkdir(art, 0777) != 0 && access(art, W_OK) != 0)
            return xc_fail(XC_ERR_IO, "%s: cannot create the artifacts folder", art);
        snprintf(s->dir, sizeof s->dir, "%s", art);
        return XC_OK;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/crosscheck-debug-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(s->dir)) return xc_fail(XC_ERR_IO, "%s: cannot create a temporary folder", s->dir);
    s->own_dir = 1;
    return XC_OK;
}

/* with_data 0: no input sets and no golden run (an external check judges every candidate). */
static xc_status open_session(const xc_debug_config *c, xc_debug_report *r, xc_debug_session *s, int with_data)
{
    memset(s, 0, sizeof *s);
    memset(r, 0, sizeof *r);
    s->cfg = c;
    s->report = r;
    r->judged_layers = xc_debug_judges_layers(c);
    if (c->checks.check_average)
        return xc_fail(XC_ERR_USAGE, "--check-average: the debug tools judge every input set, not their average");
    XC_TRY(xc_check_command_validate(&c->command));
    XC_TRY(xc_model_load(c->model_path, &s->model));
    if (!with_data) return make_dir(s);
    XC_TRY(xc_debug_input_sets(s));
    XC_TRY(xc_debug_make_sets(s, 0, s->n_iter));
    r->n_sets = s->n_iter;
    r->n_loaded_sets = s->n_loaded;
    XC_TRY(make_dir(s));
    return xc_debug_server_start(s); /* before any OpenCL in this process */
}

xc_status xc_debug_open(const xc_debug_config *c, xc_debug_report *r, xc_debug_session *s) { return open_session(c, r, s, 1); }

xc_status xc_debug_validate(xc_debug_session *s, xc_debug_probe probe, void *user, int n_cand, const int *culprits,
                            int n_culprits)
{
    int n = s->cfg->validate_sets;
    xc_debug_report *r = s->report;
    if (n <= 0 || xc_check_external(&s->cfg->command)) return XC_OK; /* an external check sees no inputs of ours */
    unsigned char *sw = calloc((size_t)n_cand + 1, 1);
    if (!sw) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n_culprits; k++) sw[culprits[k]] = 1;
    xc_debug_session keep = *s; /* the search's sets, back after the check */
    int first = s->n_iter;      /* fresh: after every set the search used */
    xc_status st = xc_debug_make_sets(s, first, n);
    int passed = 0;
    char what[256];
    unsigned long long seed = (unsigned long long)(s->cfg->inputs.seed + (uint64_t)first);
    snprintf(what, sizeof what, "validation: the %d culprit%s switched, on %d fresh input set%s (seeds %llu-%llu)", n_culprits,
             n_culprits == 1 ? "" : "s", n, n == 1 ? "" : "s", seed, seed + (unsigned long long)n - 1);
    if (st == XC_OK) st = probe(s, user, sw, what, &passed);
    if (st == XC_OK) {
        r->validated_sets = n;
        r->validation_seed = seed;
        r->validation_passed = passed;
        r->validation_failed_set = passed ? -1 : s->failed_iteration;
        snprintf(r->validation_why, sizeof r->validation_why, "%s", passed ? "" : s->why);
    }
    free_sets(s);
    s->n_iter = keep.n_iter;
    s->inputs = keep.inputs;
    s->fed = keep.fed;
    s->ref = keep.ref;
    s->golden_depth = keep.golden_depth;
    s->first_set = keep.first_set;
    s->failed_iteration = keep.failed_iteration;
    free(sw);
    return st;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char path[8192];
    while (d && (ent = readdir(d))) {
        if (strncmp(ent->d_name, "check_", 6)) continue; /* only the files this session wrote */
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}

void xc_debug_close(xc_debug_session *s)
{
    xc_debug_server_stop(s);
    if (s->model) free_sets(s);
    xc_results_free(s->loaded);
    free(s->shapes);
    if (s->own_dir) remove_dir(s->dir);
    xc_model_free(s->model);
    memset(s, 0, sizeof *s);
}

const char *xc_debug_check_file(const xc_debug_session *s, const char *suffix, char *buf, size_t len)
{
    snprintf(buf, len, "%s/check_%02d_%s", s->dir, s->report->n_checks + 1, suffix);
    return buf;
}

void xc_debug_name_culprit(const xc_engine *e, int layer, xc_debug_culprit *c)
{
    xc_engine_layer_info info, *l = &info;
    xc_engine_layer_info_get(e, layer, l);
    const xc_graph *g = xc_engine_model(e)->graph;
    free(c->layer);
    free(c->nodes);
    c->layer = xc_strprintf("%s", l->name);
    size_t len = 1;
    for (int k = 0; k < l->n_nodes; k++) {
        const xc_node *n = &g->nodes[l->nodes[k]];
        len += strlen(n->name[0] ? n->name : n->outputs[0]) + 2;
    }
    c->nodes = malloc(len);
    if (c->nodes) {
        size_t o = 0;
        c->nodes[0] = 0;
        for (int k = 0; k < l->n_nodes; k++) {
            const xc_node *n = &g->nodes[l->nodes[k]];
            o += (size_t)snprintf(c->nodes + o, len - o, "%s%s", k ? ", " : "", n->name[0] ? n->name : n->outputs[0]);
        }
    }
}

void xc_debug_report_free(xc_debug_report *r)
{
    for (int k = 0; k < XC_DEBUG_MAX_CULPRITS; k++) {
        free(r->culprits[k].layer);
        free(r->culprits[k].nodes);
        r->culprits[k].layer = r->culprits[k].nodes = NULL;
    }
    xc_text_free(&r->fix_args);
}

xc_status xc_debug_open_golden(const xc_debug_session *s, const xc_model *m, const char *path, xc_runner **out)
{
    const xc_debug_config *c = s->cfg;
    xc_runner_spec ref = {.kind = "ref"};
    xc_runner_env env = {m, path, &c->ocl, s->n_iter, 0, c->exec_timeout};
    return xc_runner_open(c->n_against ? &c->against[0] : &ref, &env, out);
}

static void shell_word(void *user, const char *w) { xc_debug_shell_arg(user, w); }

void xc_debug_golden_args(const xc_debug_config *c, xc_text *t)
{
    xc_runner_spec ref = {.kind = "ref"};
    xc_runner_spec_words(c->n_against ? &c->against[0] : &ref, shell_word, t);
}

int xc_debug_judges_layers(const xc_debug_config *c)
{
    return c->judge != XC_DEBUG_JUDGE_OUTPUTS && !c->n_against && !xc_check_external(&c->command);
}

/* Runs engine e on every iteration; *why describes the first mismatch. */
static xc_status run_and_compare(xc_debug_session *s, xc_engine *e, int fp16, int *passed, char *why, size_t len)
{
    xc_runner *r;
    XC_TRY(xc_engine_runner_wrap(&xc_runner_engine, e, fp16, &r));
    const xc_graph *g = s->model->graph;
    xc_check_tolerance tol = {.spec = &s->cfg->tol,
                              .checks = &s->cfg->checks,
                              /* the runner's own judgement of the engine's 16-bit math (its format,
                                 the engine's storage too), else the golden runner's; TF32 is each
                                 output's own (pipeline.c: its path through the engine) */
                              .math = r->fp16          ? r->fp16
                                      : s->golden_math ? s->golden_math
                                                       : XC_MATH_FP32,
                              .golden_depth = s->golden_depth,
                              .layers = xc_debug_judges_layers(s->cfg) ? s->model : NULL};
    xc_check_verdict v;
    xc_status st = xc_pipeline_check(r, g, s->n_iter, (const xc_tensor *const *const *)s->fed,
                                     (const xc_tensor *const *const *)s->ref, &tol, &v);
    xc_runner_free(r);
    *passed = v.passed;
    s->failed_iteration = v.iteration;
    if (st != XC_OK || v.passed) return xc_check_verdict_free(&v), st;
    if (v.layer) /* every output passes: the error is masked on the way (run --per-layer's rule) */
        snprintf(why, len, "iteration %d, layer '%s', tensor '%s': %s%zu of %zu elements off, max abs error %.3g", v.iteration,
                 v.layer, v.tensor, v.r.shape_mismatch ? "shape mismatch; " : "", v.r.n_failed, v.r.count, v.r.max_abs);
    else if (v.r.shape_mismatch)
        snprintf(why, len, "iteration %d, output '%s': shape mismatch", v.iteration, g->outputs[v.output].name);
    else if (v.r.n_nonfinite_mismatch) /* max abs covers the finite pairs only: 0 when all are NaN */
        snprintf(why, len, "iteration %d, output '%s': %zu of %zu elements off, %zu of them NaN/Inf mismatches", v.iteration,
                 g->outputs[v.output].name, v.r.n_failed, v.r.count, v.r.n_nonfinite_mismatch);
    else
        snprintf(why, len, "iteration %d, output '%s': %zu of %zu elements off, max abs error %.3g", v.iteration,
                 g->outputs[v.output].name, v.r.n_failed, v.r.count, v.r.max_abs);
    xc_check_verdict_free(&v);
    return XC_OK;
}

/* --check CMD (or --interactive) on a candidate engine: its plan ({plan}, the default argument) and replay file
 * ({tactics}) written for the command to read, removed after. */
static xc_status command_check(xc_debug_session *s, const xc_engine *e, int n, const char *what, int *passed, char *why,
                               size_t len)
{
    char plan[4200], tactics[4200];
    snprintf(plan, sizeof plan, "%s/check_%02d_engine.plan", s->dir, n);
    snprintf(tactics, sizeof tactics, "%s/check_%02d_engine_tactics.json", s->dir, n);
    xc_status st = xc_ocl_plan_save(e, plan);
    if (st == XC_OK) st = xc_tactics_save_engine(e, tactics);
    char *out = NULL;
    xc_check_subst subst[3] = {{"{plan}", plan}, {"{tactics}", tactics}, {"{model}", s->cfg->model_path}};
    if (st == XC_OK)
        st = xc_check_command_run(&s->cfg->command, what, subst, 3, 2, passed, why, len,
                                  &out); /* plan appended without {plan}/{tactics} */
    if (st == XC_OK && s->cfg->command.show_output) xc_debug_show_output(s, out);
    free(out);
    unlink(plan);
    unlink(tactics);
    s->failed_iteration = st == XC_OK && !*passed ? 0 : -1;
    return st;
}

/* Check n's progress line; its reason kept as the session's last. */
static void verdict_line(xc_debug_session *s, int n, const char *what, int passed, const char *why)
{
    snprintf(s->why, sizeof s->why, "%s", why);
    xc_debug_say(s, "check %d: %s: %s%s%s%s", n, what, passed ? "PASSED" : "FAILED", why[0] ? " (" : "", why, why[0] ? ")" : "");
}

xc_status xc_debug_judge(xc_debug_session *s, xc_engine *e, int fp16, const char *what, int *passed)
{
    char why[1024] = "";
    int n = ++s->report->n_checks;
    xc_status st = xc_check_external(&s->cfg->command) ? command_check(s, e, n, what, passed, why, sizeof why)
                                                       : run_and_compare(s, e, fp16, passed, why, sizeof why);
    if (st != XC_OK) return xc_error_prefix(st, "check %d (%s): ", n, what);
    verdict_line(s, n, what, *passed, why);
    return XC_OK;
}

/* The fault announcement of engine e, one line per fault, into buf. */
static void fault_lines(const xc_engine *e, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; e->faults && i < e->faults->n; i++) {
        const xc_fault *f = &e->faults->faults[i];
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "FAULT INJECTION ON: '%s' hits %d layer%s of this build\n", f->spec,
                              f->n_layers, f->n_layers == 1 ? "" : "s");
    }
}

void xc_debug_say_faults(const xc_debug_session *s, const char *lines)
{
    for (const char *p = lines; *p;) {
        size_t n = strcspn(p, "\n");
        xc_debug_say(s, "%.*s", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

void xc_debug_announce_faults(const xc_debug_session *s, const xc_engine *e)
{
    char lines[2048];
    fault_lines(e, lines, sizeof lines);
    xc_debug_say_faults(s, lines);
}

xc_status xc_debug_build_and_compare(xc_debug_session *s, const xc_ocl_build_options *o, const char *save_tactics,
                                     xc_debug_verdict *v, void (*built)(const xc_debug_verdict *v, void *user), void *user)
{
    memset(v, 0, sizeof *v);
    v->failed_iteration = -1;
    xc_engine *e = NULL;
    XC_TRY(xc_ocl_build(s->model, o, &e));
    fault_lines(e, v->faults, sizeof v->faults);
    if (built) built(v, user);
    xc_status st = save_tactics ? xc_tactics_save_engine(e, save_tactics) : XC_OK;
    if (st == XC_OK) st = run_and_compare(s, e, o->fp16, &v->passed, v->why, sizeof v->why);
    v->failed_iteration = s->failed_iteration;
    xc_engine_free(e);
    return st;
}

/* The options every check builds with: o, faults announced once, the loaded inputs' shapes. */
static xc_ocl_build_options check_options(const xc_debug_session *s, const xc_ocl_build_options *o)
{
    xc_ocl_build_options opt = *o;
    opt.quiet_faults = 1; /* announced once, at the failing build */
    if (s->shapes) {      /* built for the loaded inputs' shapes (input_sets.c) */
        opt.shapes = s->shapes;
        opt.n_shapes = s->n_shapes;
    }
    if (s->report->n_checks)
        opt.progress = 0; /* debugfix D1: check 1 (the failing build) shows its tuning; later ones pin every tactic */
    return opt;
}

xc_status xc_debug_check_saving(xc_debug_session *s, const xc_ocl_build_options *o, const char *what, const char *save_tactics,
                                int *passed, xc_debug_verdict *v)
{
    xc_ocl_build_options opt = check_options(s, o);
    xc_debug_verdict own, *w = v ? v : &own;
    xc_status st = xc_debug_isolating(s) ? xc_debug_isolated(s, &opt, save_tactics, w)
                                         : xc_debug_build_and_compare(s, &opt, save_tactics, w, NULL, NULL);
    if (st != XC_OK) return xc_error_prefix(st, "check %d (%s): ", s->report->n_checks + 1, what);
    s->failed_iteration = w->failed_iteration;
    *passed = w->passed;
    verdict_line(s, ++s->report->n_checks, what, w->passed, w->why);
    return XC_OK;
}

xc_status xc_debug_check(xc_debug_session *s, const xc_ocl_build_options *o, const char *what, int *passed, xc_engine **keep)
{
    if (!keep && xc_debug_isolating(s)) return xc_debug_check_saving(s, o, what, NULL, passed, NULL);
    xc_ocl_build_options opt = check_options(s, o);
    xc_engine *e = NULL;
    xc_status st = xc_ocl_build(s->model, &opt, &e);
    if (st != XC_OK) return xc_error_prefix(st, "check %d (%s): ", s->report->n_checks + 1, what);
    st = xc_debug_judge(s, e, opt.fp16, what, passed);
    if (st == XC_OK && keep)
        *keep = e;
    else
        xc_engine_free(e);
    return st;
}

/* --isolate: check 1 runs in a child like every check (a failing build that crashes is what
 * debug tactics is for), which saves its tactics; the engine the search takes apart is then
 * the same build, every tactic pinned, built here and never run. */
static xc_status failing_build_isolated(xc_debug_session *s, xc_engine **e, int *passed)
{
    char path[4200];
    xc_debug_verdict v;
    *e = NULL;
    snprintf(path, sizeof path, "%s/check_build_tactics.json", s->dir);
    XC_TRY(xc_debug_check_saving(s, &s->cfg->ocl, "the build as given", path, passed, &v));
    xc_debug_say_faults(s, v.faults);
    if (*passed) return unlink(path), XC_OK;
    if (access(path, R_OK) != 0)
        return xc_fail(XC_ERR_RUNTIME, "check 1 (the build as given) %s before its engine was built: nothing to search", v.why);
    xc_ocl_build_options o = check_options(s, &s->cfg->ocl);
    o.load_tactics = path;
    o.timing_cache = NULL;
    o.save_tactics = NULL;
    o.progress = 0;
    xc_status st = xc_ocl_build(s->model, &o, e);
    unlink(path);
    return st == XC_OK ? XC_OK : xc_error_prefix(st, "the failing build, rebuilt from its tactics: ");
}

xc_status xc_debug_failing_build(xc_debug_session *s, xc_engine **e, int *passed)
{
    if (xc_debug_isolating(s)) return failing_build_isolated(s, e, passed);
    XC_TRY(xc_debug_check(s, &s->cfg->ocl, "the build as given", passed, e));
    xc_debug_announce_faults(s, *e);
    return XC_OK;
}

xc_status xc_debug_save_failing_tactics(xc_debug_session *s, const xc_engine *e, char *buf, size_t len)
{
    snprintf(buf, len, "%s/check_failing_tactics.json", s->dir);
    return xc_tactics_save_engine(e, buf);
}

xc_status xc_debug_open_for_check(const xc_debug_config *c, xc_debug_report *r, xc_debug_session *s)
{
    return open_session(c, r, s, !xc_check_external(&c->command));
}

xc_status xc_debug_run(const xc_debug_config *c, xc_debug_report *r, xc_status (*find)(xc_debug_session *s, const xc_engine *e))
{
    xc_debug_session s;
    xc_engine *e = NULL;
    int passed = 0;
    xc_status st = open_session(c, r, &s, !xc_check_external(&c->command));
    if (st == XC_OK) st = xc_debug_failing_build(&s, &e, &passed);
    if (st == XC_OK && passed) r->outcome = XC_DEBUG_PASSES;
    if (st == XC_OK && !passed) st = find(&s, e);
    r->bound = xc_debug_search_bound(r->n_candidates) + r->n_pass_checks;
    xc_engine_free(e);
    xc_debug_close(&s);
    return st;
}

xc_status xc_debug_report_written(xc_debug_report *r, const char *path, const char *option)
{
    snprintf(r->written, sizeof r->written, "%s", path);
    xc_debug_shell_arg(&r->fix_args, option);
    xc_debug_shell_arg(&r->fix_args, path);
    return r->fix_args.failed ? xc_fail(XC_ERR_NOMEM, "out of memory") : XC_OK;
}

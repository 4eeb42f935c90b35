/* runner.c — the pipeline behind `crosscheck run` (see runner.h): it knows runners only
 * through their interface (runners/runner.h). */
#include "runner.h"
#include "average_verdict.h"
#include "backend.h"
#include "runners/exec.h"
#include "file_io.h"
#include "loaded_shapes.h"
#include "mark.h"
#include "onnx_io.h"
#include "results.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

xc_run_config xc_run_config_default(void)
{
    static const xc_run_config zero; /* (as in xc_ocl_build_defaults: no second large frame) */
    xc_run_config c = zero;
    c.inputs = xc_input_spec_default();
    c.tol = xc_tolerance_spec_default();
    c.ocl = xc_ocl_build_defaults();
    c.iterations = 0; /* as many as the loaded inputs hold, else 1 */
    c.exec_timeout = XC_EXEC_TIMEOUT_DEFAULT;
    return c;
}

void xc_run_report_free(xc_run_report *r)
{
    for (int k = 0; k < r->n_runners; k++) {
        xc_runner_result *x = &r->runners[k];
        for (int i = 0; x->outputs && i < r->iterations * r->n_outputs; i++) xc_tensor_free(x->outputs[i]);
        for (int i = 0; x->per_layer && i < r->iterations; i++) xc_per_layer_free(&x->per_layer[i]);
        for (int i = 0; x->first_nan && i < r->iterations; i++) xc_first_nan_free(&x->first_nan[i]);
        free(x->outputs);
        free(x->seconds);
        free(x->per_layer);
        free(x->first_nan);
        free(x->nonfinite);
        for (int i = 0; x->marked && i < r->iterations; i++) xc_tensor_list_free(&x->marked[i]);
        free(x->marked);
        xc_engine_free(x->engine);
        free(x->name);
    }
    for (int k = 0; k < r->n_comparisons; k++) {
        for (int o = 0; r->comparisons[k].outputs && o < r->n_outputs; o++)
            xc_check_result_free(&r->comparisons[k].outputs[o].checks);
        free(r->comparisons[k].outputs);
    }
    free(r->averages);
    free(r->comparisons);
    for (int i = 0; r->inputs && i < r->iterations; i++) xc_tensor_list_free(&r->inputs[i]);
    free(r->inputs);
    if (r->marks) xc_marks_free(r->marks);
    free(r->marks);
    xc_model_free(r->model);
    memset(r, 0, sizeof *r);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The runners of c, in order (the shorthand fields become runners when none are listed). */
static int runner_specs(const xc_run_config *c, xc_runner_spec *out)
{
    if (c->n_runners && !c->model_path) { /* without a model, each saved path is a set of its own */
        int n = 0;
        for (int k = 0; k < c->n_runners; k++)
            for (int i = 0; i < c->runners[k].n_paths; i++)
                if (n < XC_MAX_RUNNERS)
                    out[n++] = (xc_runner_spec){.kind = c->runners[k].kind, .paths = &c->runners[k].paths[i], .n_paths = 1};
        return n;
    }
    if (c->n_runners) {
        memcpy(out, c->runners, sizeof(xc_runner_spec) * (size_t)c->n_runners);
        return c->n_runners;
    }
    int n = 0;
    if (c->use_ref || !c->use_ocl) out[n++] = (xc_runner_spec){.kind = "ref"};
    if (c->use_ocl) out[n++] = (xc_runner_spec){.kind = c->plan ? "plan" : "ocl", .path = c->plan};
    return n;
}

/* ---- setting up runners ---- */

static xc_status alloc_result(xc_run_report *r, xc_runner_result *x, int iterations)
{
    size_t n = (size_t)iterations * (size_t)r->n_outputs + 1;
    x->outputs = calloc(n, sizeof *x->outputs);
    x->seconds = calloc((size_t)iterations + 1, sizeof *x->seconds);
    x->nonfinite = calloc(n, sizeof *x->nonfinite);
    return x->outputs && x->seconds && x->nonfinite ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
}

/* Whether a runner other than self already has name. */
static int name_taken(const xc_run_report *r, const xc_runner_result *self, const char *name)
{
    for (int k = 0; k < r->n_runners; k++)
        if (&r->runners[k] != self && r->runners[k].name && !strcmp(r->runners[k].name, name)) return 1;
    return 0;
}

/* A name given by the user is the runner's, and no other runner may have it. Others are called
 * by their kind ("ocl-2" for the second), or keep the name they suggest (saved results: the
 * name saved inside, whole), prefixed with "KIND:" if another runner already has it. The
 * runner learns its final name (its messages use it). */
static xc_status name_runner(xc_run_report *r, xc_runner_result *x, xc_runner *run)
{
    const char *kind = run->type->kind, *base = run->name ? run->name : kind;
    if (run->named && name_taken(r, x, base))
        return xc_fail(XC_ERR_USAGE, "%s %s: another runner has that name", run->type->option, base);
    int prefixed = run->name && !run->named && name_taken(r, x, base);
    x->name = prefixed ? xc_strprintf("%s:%s", kind, base) : strdup(base);
    for (int k = 2; x->name && !run->named && name_taken(r, x, x->name); k++) {
        free(x->name);
        x->name = xc_strprintf("%s-%d", base, k);
    }
    free(run->name);
    run->name = x->name ? strdup(x->name) : NULL;
    return x->name && run->name ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
}

/* Prepares the runners of spec into runners[r->n_runners...] and their results. */
static xc_status setup_runner(const xc_run_config *c, xc_run_report *r, xc_runner **runners, const xc_runner_spec *spec,
                              int iterations)
{
    xc_runner_env env = {r->model, c->model_path, &c->ocl, iterations, c->per_layer != XC_PER_LAYER_OFF, c->exec_timeout};
    xc_runner_list l = {0};
    xc_status s = xc_runner_prepare(spec, &env, &l);
    if (s == XC_OK && r->n_runners + l.n > XC_MAX_RUNNERS)
        s = xc_fail(XC_ERR_USAGE, "%s: %d runner%s would make more than %d runners", spec->n_paths ? spec->paths[0] : spec->kind,
                    l.n, l.n == 1 ? "" : "s", XC_MAX_RUNNERS);
    for (int i = 0; i < l.n && s == XC_OK; i++) {
        xc_runner_result *x = &r->runners[r->n_runners];
        runners[r->n_runners++] = l.r[i];
        l.r[i] = NULL;
        x->kind = runners[r->n_runners - 1]->type->kind;
        x->live = runners[r->n_runners - 1]->live;
        x->fp16 = runners[r->n_runners - 1]->fp16;
        x->engine = xc_runner_take_engine(runners[r->n_runners - 1]); /* the report keeps it for per-layer rows */
        s = name_runner(r, x, runners[r->n_runners - 1]);
        if (s == XC_OK) s = alloc_result(r, x, iterations);
    }
    for (int i = 0; i < l.n; i++) xc_runner_free(l.r[i]); /* those not taken after a failure */
    free(l.r);
    return s;
}

/* Whether runner k is compared layer by layer: it observes its tensors and is not the golden
 * (the reference itself is not compared with the reference). */
static int compared_per_layer(const xc_run_report *r, xc_runner *const *runners, int k)
{
    return runners[k]->observes && k != r->layers_against && !(r->layers_against < 0 && runners[k]->oracle);
}

/* The golden of per-layer comparisons: the --compare-to runner when it observes its tensors
 * (and is not the reference), else the reference evaluated on demand. Then every observing
 * runner gets its per-layer, first-NaN and marked-tensor slots. */
static xc_status setup_observing(const xc_run_config *c, xc_run_report *r, xc_runner *const *runners, int iterations)
{
    r->layers_against =
        c->per_layer && c->compare_to && runners[r->against]->observes && !runners[r->against]->oracle ? r->against : -1;
    int per_layer = 0, fed = 0;
    for (int k = 0; k < r->n_runners; k++) {
        xc_runner_result *x = &r->runners[k];
        int layers = c->per_layer && compared_per_layer(r, runners, k), observed = runners[k]->observes;
        per_layer += layers;
        fed += layers && runners[k]->type->run_fed;
        if (layers) x->per_layer = calloc((size_t)iterations + 1, sizeof *x->per_layer);
        if (c->first_nan && observed) x->first_nan = calloc((size_t)iterations + 1, sizeof *x->first_nan);
        if (c->n_mark && observed) x->marked = calloc((size_t)iterations + 1, sizeof *x->marked);
        if ((layers && !x->per_layer) || (c->first_nan && observed && !x->first_nan) || (c->n_mark && observed && !x->marked))
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        for (int i = 0; x->per_layer && i < iterations; i++) x->per_layer[i].first_divergence = -1;
    }
    if (c->per_layer && !per_layer)
        return xc_fail(XC_ERR_USAGE,
                       "--per-layer compares a runner that reports its tensors (an OpenCL engine: --ocl, --ocl-fp16, "
                       "--plan; an --exec-runner; saved results: --load-outputs) with the reference or the --compare-to runner");
    if (c->per_layer == XC_PER_LAYER_ISOLATED && !fed)
        return xc_fail(XC_ERR_USAGE,
                       "--per-layer=isolated feeds each layer the golden's inputs: it needs a runner whose layers can be "
                       "fed (an OpenCL engine); others compare with --per-layer");
    return XC_OK;
}

/* ---- options that name tensors ---- */

/* Whether tensor `name` is a graph output, or, when per_layer, any tensor a node computes. */
static int names_compared_tensor(const xc_graph *g, const char *name, int per_layer)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (!strcmp(g->outputs[i].name, name)) return 1;
    for (int i = 0; per_layer && i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_outputs; k++)
            if (!strcmp(g->nodes[i].outputs[k], name)) return 1;
    return 0;
}

/* Per-tensor tolerances and per-input ranges naming nothing would be ignored: say so. */
static void warn_unused_names(const xc_run_config *c, const xc_graph *g)
{
    static const char *const options[] = {"--atol", "--rtol", "--check-error-stat", "--error-quantile"};
    const xc_tol_entry *lists[] = {c->tol.atol, c->tol.rtol, c->tol.stat, c->tol.quantile};
    const int counts[] = {c->tol.n_atol, c->tol.n_rtol, c->tol.n_stat, c->tol.n_quantile};
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < counts[k]; i++)
            if (lists[k][i].name && !names_compared_tensor(g, lists[k][i].name, c->per_layer != XC_PER_LAYER_OFF))
                xc_warn("%s names '%s', which is not an output of the model%s (ignored)", options[k], lists[k][i].name,
                        c->per_layer != XC_PER_LAYER_OFF ? " nor a tensor it computes" : "");
    if (!c->n_load_inputs) xc_input_spec_warn_unused(g, &c->inputs);
}

/* ---- inputs ---- */

/* Matches the inputs to the graph, naming unnamed loaded tensors after the input they feed. */
static xc_status order_inputs(const xc_graph *g, xc_tensor_list *inputs, const xc_tensor **fed)
{
    XC_TRY(xc_match_inputs(g, inputs, fed));
    for (int i = 0, k = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        xc_tensor *t = (xc_tensor *)fed[k++];
        if (!t->name || !t->name[0]) XC_TRY(xc_tensor_set_name(t, g->inputs[i].name));
    }
    return XC_OK;
}

/* Generated inputs take the shapes --input-shapes gives, else those an engine was built for
 * (a plan's, made with its own --input-shapes), else 1 for symbolic dims. *shapes is malloc'd
 * (names borrowed from c and the engines). */
static xc_status input_shapes(const xc_run_config *c, const xc_run_report *r, xc_input_spec *spec, xc_input_shape **shapes)
{
    const xc_graph *g = r->model->graph;
    *spec = c->inputs;
    *shapes = malloc(sizeof **shapes * ((size_t)c->inputs.n_shapes + (size_t)g->n_inputs + 1));
    if (!*shapes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    if (c->inputs.n_shapes) memcpy(*shapes, c->inputs.shapes, sizeof **shapes * (size_t)c->inputs.n_shapes);
    int n = c->inputs.n_shapes;
    for (int i = 0; i < g->n_inputs; i++) {
        int given = 0;
        for (int k = 0; k < n && !given; k++) given = !strcmp((*shapes)[k].name, g->inputs[i].name);
        for (int k = 0; k < r->n_runners && !given; k++)
            given = r->runners[k].engine && xc_engine_input_shape(r->runners[k].engine, g->inputs[i].name, &(*shapes)[n]) && ++n;
    }
    spec->shapes = *shapes;
    spec->n_shapes = n;
    return XC_OK;
}

static xc_status make_inputs(const xc_input_spec *base, xc_run_report *r, xc_results *loaded, int it)
{
    if (loaded) return xc_results_select(loaded, NULL, it, XC_ROLE_INPUT, &r->inputs[it]);
    xc_input_spec spec = *base;
    spec.seed += (uint64_t)it;
    return xc_generate_inputs(r->model->graph, &spec, &r->inputs[it]);
}

/* ---- one runner, one iteration ---- */

static size_t count_nonfinite(const xc_tensor *t)
{
    size_t n = 0, count = xc_tensor_numel(t);
    if (!xc_dtype_is_float(t->dtype)) return 0;
    for (size_t i = 0; i < count; i++) n += !isfinite(xc_load_f64(t->dtype, t->data, i));
    return n;
}

/* The tensors of the per-layer golden runner at one iteration (clones), looked up by name. */
typedef struct golden_store {
    xc_tensor_list kept;
    const xc_observer *next;
} golden_store;

static xc_status store_tensor(void *user, const char *name, const xc_tensor *t, const char *layer)
{
    golden_store *g = user;
    xc_tensor *c = NULL;
    XC_TRY(xc_tensor_clone(t, &c));
    xc_status s = xc_tensor_set_name(c, name);
    if (s == XC_OK)
        s = xc_tensor_list_push(&g->kept, c);
    else
        xc_tensor_free(c);
    XC_TRY(s);
    return g->next ? g->next->on_tensor(g->next->user, name, t, layer) : XC_OK;
}

static xc_status store_value(void *user, const char *name, const xc_tensor **out)
{
    golden_store *g = user;
    *out = NULL;
    for (int i = 0; i < g->kept.n && !*out; i++)
        if (!strcmp(g->kept.t[i]->name, name)) *out = g->kept.t[i];
    return XC_OK;
}

static void store_done(void *user, const char *name) { (void)user, (void)name; }

/* Runs runner k at iteration it; gold (when not NULL) is filled with the tensors it observes. */
static xc_status run_one(const xc_run_config *c, xc_run_report *r, xc_runner *run, int k, int it, const xc_tensor **fed,
                         golden_store *gold)
{
    xc_runner_result *x = &r->runners[k];
    xc_tensor **out = &x->outputs[(size_t)it * r->n_outputs];
    /* Isolated per-layer runs feed layers the golden's values, so their outputs are not the
     * runner's: they get a run of their own after the ordinary one. */
    int isolated = x->per_layer && c->per_layer == XC_PER_LAYER_ISOLATED && run->type->run_fed;
    xc_ref_session *session = NULL;
    xc_feeder stored = {store_value, store_done, gold}, golden = stored;
    xc_layer_watch w = {.engine = x->engine,
                        .golden_engine = r->layers_against >= 0 ? r->runners[r->layers_against].engine : NULL,
                        .graph = r->model->graph,
                        .tactic = run->row_tactic ? run->row_tactic : x->kind,
                        .golden = &golden,
                        .tol = &c->tol,
                        .per_layer = isolated       ? NULL
                                     : x->per_layer ? &x->per_layer[it]
                                                    : NULL,
                        .first_nan = x->first_nan ? &x->first_nan[it] : NULL};
    xc_status s = XC_OK;
    if (w.per_layer) w.per_layer->mode = XC_PER_LAYER_ACCUMULATED;
    if (w.per_layer && r->layers_against < 0 && (s = xc_ref_session_create(r->model, fed, &session)) == XC_OK)
        golden = xc_ref_session_feeder(session);
    xc_observer obs = xc_layer_watch_observer(&w);
    xc_mark_watch mw = {r->marks, x->marked ? &x->marked[it] : NULL, w.per_layer || w.first_nan ? &obs : NULL};
    xc_observer mobs = xc_mark_watch_observer(&mw);
    const xc_observer *watch = mw.kept ? &mobs : mw.next;
    golden_store *keep = gold && k == r->layers_against ? gold : NULL;
    if (keep) keep->next = watch;
    xc_observer kobs = {store_tensor, keep};
    double t0 = now();
    if (s == XC_OK) s = xc_runner_run(run, it, fed, out, keep ? &kobs : watch);
    x->seconds[it] = now() - t0;
    if (s == XC_OK && mw.kept && it == 0) xc_marks_report_missing(r->marks, mw.kept, x->engine, r->model->graph, x->name);
    if (s == XC_OK && isolated) {
        xc_layer_watch iw = w;
        iw.per_layer = &x->per_layer[it];
        iw.per_layer->mode = XC_PER_LAYER_ISOLATED; /* each layer judged by its own math alone */
        iw.first_nan = NULL;
        xc_ref_session *is = NULL;
        xc_feeder feed = stored;
        xc_tensor **scratch = calloc((size_t)r->n_outputs + 1, sizeof *scratch);
        s = scratch ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
        if (s == XC_OK && r->layers_against < 0 && (s = xc_ref_session_create(r->model, fed, &is)) == XC_OK)
            feed = xc_ref_session_feeder(is);
        iw.golden = &feed;
        xc_observer iobs = xc_layer_watch_observer(&iw);
        if (s == XC_OK) s = run->type->run_fed(run, fed, scratch, &iobs, &feed);
        for (int o = 0; scratch && o < r->n_outputs; o++) xc_tensor_free(scratch[o]);
        free(scratch);
        xc_ref_session_free(is);
    }
    xc_ref_session_free(session);
    if (s != XC_OK) return run->live ? xc_error_prefix(s, "runner %s: ", x->name) : s;
    for (int o = 0; x->live && o < r->n_outputs; o++)
        if (out[o]) x->nonfinite[(size_t)it * r->n_outputs + o] = count_nonfinite(out[o]);
    return XC_OK;
}

/* ---- comparisons ---- */

static xc_status compare(const xc_run_config *c, xc_run_report *r, int runner, int against, int it)
{
    if (r->n_comparisons == r->cap_comparisons) {
        int cap = r->cap_comparisons ? 2 * r->cap_comparisons : 8;
        xc_comparison *p = realloc(r->comparisons, (size_t)cap * sizeof *p);
        if (!p) return xc_fail(XC_ERR_NOMEM, "out of memory");
        r->comparisons = p;
        r->cap_comparisons = cap;
    }
    xc_comparison *cmp = &r->comparisons[r->n_comparisons];
    memset(cmp, 0, sizeof *cmp);
    cmp->outputs = calloc((size_t)r->n_outputs + 1, sizeof *cmp->outputs);
    if (!cmp->outputs) return xc_fail(XC_ERR_NOMEM, "out of memory");
    r->n_comparisons++;
    cmp->runner = runner;
    cmp->against = against;
    cmp->iteration = it;
    cmp->passed = 1;
    int fp16 = r->runners[runner].fp16 ? r->runners[runner].fp16 : r->runners[against].fp16; /* an xc_math */
    for (int o = 0; o < r->n_outputs; o++) {
        const xc_tensor *out = xc_run_output(r, runner, it, o), *ref = xc_run_output(r, against, it, o);
        xc_output_comparison *oc = &cmp->outputs[o];
        if (!out || !ref) continue;
        oc->present = 1;
        const char *name = r->model->graph->outputs[o].name;
        int depth = 0, against_depth = 0; /* the rounding layers whose errors meet here */
        XC_TRY(xc_engine_rounding_depth(r->runners[runner].engine, name, &depth));
        XC_TRY(xc_engine_rounding_depth(r->runners[against].engine, name, &against_depth));
        /* TF32's tolerance for fp32 values after a rounding layer (TF32 or 16-bit), in either engine */
        int math = fp16 ? fp16 : depth + against_depth ? XC_MATH_TF32 : XC_MATH_FP32;
        XC_TRY(xc_check_output(&c->checks, &c->tol, name, out, ref, math, depth + against_depth, &oc->tol, &oc->r, &oc->checks));
        r->compared++;
        if (oc->r.shape_mismatch || !oc->r.passed) cmp->passed = 0;
    }
    if (!cmp->passed && !c->checks.check_average) r->passed = 0; /* else the averages decide */
    return XC_OK;
}

/* Whether --compare-to `want` names runner `name`: the whole name, or an engine on a device of
 * its own by the name before its device's ("ocl@1" for "ocl@1 (pthread-...)"). */
static int names_runner(const char *name, const char *want)
{
    size_t n = strlen(want);
    return !strcmp(name, want) || (!strncmp(name, want, n) && strchr(want, '@') && !strncmp(name + n, " (", 2));
}

static xc_status find_against(const xc_run_config *c, xc_run_report *r)
{
    r->against = 0;
    if (!c->compare_to) return XC_OK;
    for (int k = 0; k < r->n_runners; k++)
        if (names_runner(r->runners[k].name, c->compare_to)) {
            r->against = k;
            return XC_OK;
        }
    size_t len = 1;
    for (int k = 0; k < r->n_runners; k++) len += strlen(r->runners[k].name) + 2;
    char *names = calloc(len, 1);
    if (!names) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < r->n_runners; k++) {
        if (k) strcat(names, ", ");
        strcat(names, r->runners[k].name);
    }
    xc_status s = xc_fail(XC_ERR_USAGE, "--compare-to %s: no such runner (runners: %s)", c->compare_to, names);
    free(names);
    return s;
}

/* The comparison of runner k at iteration it, output o, if one was made. */
static const xc_compare_result *comparison_of(const xc_run_report *r, int k, int it, int o)
{
    for (int i = 0; i < r->n_comparisons; i++) {
        const xc_comparison *cmp = &r->comparisons[i];
        if (cmp->runner == k && cmp->iteration == it && cmp->outputs[o].present) return &cmp->outputs[o].r;
    }
    return NULL;
}

/* A results folder: every iteration's inputs (under the first runner's name, so the folder
 * reads back as inputs and as a test_data_set), and, with outputs, every runner's outputs with
 * their comparison statistics. */
static xc_status save_results(const char *dir, const xc_run_report *r, int outputs)
{
    xc_results_writer *w;
    XC_TRY(xc_results_open(dir, &w));
    xc_status s = XC_OK;
    for (int it = 0; it < r->iterations && s == XC_OK; it++) {
        for (int i = 0; i < r->inputs[it].n && s == XC_OK; i++)
            s = xc_results_add(w, r->runners[0].name, it, "input", r->inputs[it].t[i], NULL);
        for (int k = 0; outputs && k < r->n_runners; k++)
            for (int o = 0; o < r->n_outputs && s == XC_OK; o++) {
                const xc_tensor *t = xc_run_output(r, k, it, o);
                if (t) s = xc_results_add(w, r->runners[k].name, it, "output", t, comparison_of(r, k, it, o));
            }
        for (int k = 0; outputs && k < r->n_runners; k++) /* --outputs: the marked intermediate tensors */
            for (int i = 0; r->runners[k].marked && i < r->runners[k].marked[it].n && s == XC_OK; i++)
                s = xc_results_add(w, r->runners[k].name, it, "layer", r->runners[k].marked[it].t[i], NULL);
    }
    xc_status closed = xc_results_close(w);
    return s != XC_OK ? s : closed;
}

/* An external data file that shrank or was rewritten while mapped voids every result computed
 * from it (C6): checked once the model is loaded and the runners set up, and after each
 * iteration's runs, so the run stops before a verdict is computed from changed weights. The
 * CLI's check when the command ends stays for what no run looks at (inspect, surgeon). */
static xc_status inputs_unchanged(void)
{
    const char *changed = xc_changed_input();
    return changed ? xc_fail(XC_ERR_IO, "%s", changed) : XC_OK;
}

static xc_status run_all(const xc_run_config *c, xc_run_report *r, xc_runner *const *runners, xc_results *loaded_inputs,
                         int iterations)
{
    const xc_graph *g = r->model->graph;
    xc_input_spec spec;
    xc_input_shape *shapes = NULL;
    XC_TRY(input_shapes(c, r, &spec, &shapes));
    const xc_tensor **fed = calloc((size_t)xc_graph_runtime_input_count(g) + 1, sizeof *fed);
    xc_status s = fed ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    int n = r->n_runners;
    for (int it = 0; it < iterations && s == XC_OK; it++) {
        r->iterations = it + 1;
        s = make_inputs(&spec, r, loaded_inputs, it);
        if (s == XC_OK) s = order_inputs(g, &r->inputs[it], fed);
        /* the per-layer golden runs first, its tensors kept for the others to be compared with */
        golden_store gold = {{0, NULL}, NULL};
        if (s == XC_OK && r->layers_against >= 0)
            s = run_one(c, r, runners[r->layers_against], r->layers_against, it, fed, &gold);
        for (int k = 0; k < n && s == XC_OK; k++)
            if (k != r->layers_against) s = run_one(c, r, runners[k], k, it, fed, r->layers_against >= 0 ? &gold : NULL);
        xc_tensor_list_free(&gold.kept);
        if (s == XC_OK) s = inputs_unchanged();
        for (int k = 0; k < n && s == XC_OK; k++)
            if (k != r->against) s = compare(c, r, k, r->against, it);
        for (int k = 0; k < n && s == XC_OK && c->validate; k++)
            for (int o = 0; o < r->n_outputs; o++)
                if (r->runners[k].nonfinite[(size_t)it * r->n_outputs + o]) r->invalid++, r->passed = 0;
        for (int k = 0; k < n && s == XC_OK; k++) /* per-layer rows are compared tensors too (Polygraphy's mark all) */
            if (r->runners[k].per_layer && r->runners[k].per_layer[it].n_failed)
                r->failed_layers += r->runners[k].per_layer[it].n_failed, r->passed &= c->per_layer_outputs_only;
        if (c->fail_fast && !r->passed) break;
    }
    free(fed);
    free(shapes);
    return s;
}

/* How many iterations: --iterations, else as many as the loaded inputs hold, else (without a
 * model) as many as the first saved set holds, else 1. */
static xc_status count_iterations(const xc_run_config *c, xc_results *loaded, int saved, int *out)
{
    int have = loaded ? 0 : saved;
    if (loaded) {
        const char **names = NULL;
        int n = 0;
        XC_TRY(xc_results_runners(loaded, &names, &n));
        have = n ? xc_results_iterations(loaded, names[0]) : 0;
        free(names);
        if (!have) have = 1; /* a test_data_set of a model without inputs */
    }
    *out = c->iterations ? c->iterations : have ? have : 1;
    if (*out < 1) return xc_fail(XC_ERR_USAGE, "--iterations must be at least 1");
    if (loaded && *out > have)
        return xc_fail(XC_ERR_USAGE, "--iterations %d, but %s holds inputs for %d iteration%s", *out, c->load_inputs[0], have,
                       have == 1 ? "" : "s");
    return XC_OK;
}

static xc_status run_loaded_model(const xc_run_config *c, xc_run_report *r, xc_results *loaded_inputs, int saved)
{
    int iterations;
    XC_TRY(count_iterations(c, loaded_inputs, saved, &iterations));
    r->inputs = calloc((size_t)iterations + 1, sizeof *r->inputs);
    if (!r->inputs) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_runner *runners[XC_MAX_RUNNERS] = {0};
    xc_runner_spec specs[XC_MAX_RUNNERS];
    int n = runner_specs(c, specs), live = 0;
    xc_status s = XC_OK;
    warn_unused_names(c, r->model->graph);
    xc_run_config built = *c; /* engines build for the loaded inputs' shapes (read only while building) */
    xc_input_shape *loaded_shapes = NULL;
    int builds = 0;
    for (int k = 0; k < n; k++) {
        const xc_runner_type *t = xc_runner_type_find(specs[k].kind);
        builds |= t && t->builds_engine;
    }
    if (loaded_inputs && c->model_path && builds && !c->ocl.profiles) /* a profiled engine takes any shape in its ranges */
        s = xc_loaded_input_shapes(r->model->graph, loaded_inputs, iterations, c->ocl.shapes, c->ocl.n_shapes, &loaded_shapes,
                                   &built.ocl.n_shapes);
    if (loaded_shapes) built.ocl.shapes = loaded_shapes;
    for (int k = 0; k < n && s == XC_OK; k++) s = setup_runner(&built, r, runners, &specs[k], iterations);
    free(loaded_shapes);
    for (int k = 0; k < r->n_runners; k++) live |= r->runners[k].live;
    if (s == XC_OK && !live && c->model_path)
        s = xc_fail(XC_ERR_USAGE, "saved results alone: add a runner (--ref, --ocl, ...) to compare with");
    if (s == XC_OK && !c->model_path && r->n_runners < 2)
        s = xc_fail(XC_ERR_USAGE, "without a model, give two saved result sets (--load-outputs A --load-outputs B) to compare");
    if (s == XC_OK) s = find_against(c, r);
    if (s == XC_OK) s = setup_observing(c, r, runners, iterations);
    if (s == XC_OK) s = inputs_unchanged();
    if (s == XC_OK) s = run_all(c, r, runners, loaded_inputs, iterations);
    if (s == XC_OK && c->checks.check_average) s = xc_run_average(c, r);
    if (s == XC_OK && c->save_inputs) s = save_results(c->save_inputs, r, 0);
    if (s == XC_OK && c->save_outputs) s = save_results(c->save_outputs, r, 1);
    for (int k = 0; k < XC_MAX_RUNNERS; k++) xc_runner_free(runners[k]);
    return s;
}

/* Without a model, saved results are compared with each other: a graph with no nodes or inputs
 * whose outputs are the tensors of the first set's first runner at iteration 0 (named
 * output_K where unnamed), so outputs match by name as they would against a model. */
static xc_status outputs_only_model(const xc_run_config *c, xc_model **out, int *iterations)
{
    *out = NULL;
    const xc_runner_spec *first = NULL;
    for (int k = 0; k < c->n_runners && !first; k++) {
        const xc_runner_type *t = xc_runner_type_find(c->runners[k].kind);
        if (!t) return xc_fail(XC_ERR_USAGE, "no runner of kind '%s'", c->runners[k].kind ? c->runners[k].kind : "(none)");
        if (!t->without_model) return xc_fail(XC_ERR_USAGE, "runner %s needs a model", t->kind);
        first = &c->runners[k];
    }
    if (!first) return xc_fail(XC_ERR_USAGE, "no MODEL given");
    xc_results *res;
    XC_TRY(xc_results_load_paths(first->paths, first->n_paths, XC_ROLE_OUTPUT, &res));
    xc_tensor_list got = {0, NULL};
    xc_status s = xc_results_select(res, NULL, 0, XC_ROLE_OUTPUT, &got);
    for (int i = 0; i < res->n && s == XC_OK; i++) /* the runner select picked: the first with outputs at iteration 0 */
        if (res->e[i].role == XC_ROLE_OUTPUT && res->e[i].iteration == 0) {
            *iterations = xc_results_iterations(res, res->e[i].runner);
            break;
        }
    xc_model *m = calloc(1, sizeof *m);
    if (s == XC_OK
        && (!m || !(m->graph = calloc(1, sizeof *m->graph))
            || !(m->graph->outputs = calloc((size_t)got.n + 1, sizeof *m->graph->outputs))))
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int o = 0; o < got.n && s == XC_OK; o++) {
        xc_value_info *v = &m->graph->outputs[o];
        const xc_tensor *t = got.t[o];
        v->name = t->name && *t->name ? strdup(t->name) : xc_strprintf("output_%d", o);
        v->dtype = t->dtype;
        v->rank = t->rank;
        memcpy(v->dims, t->dims, sizeof(int64_t) * (size_t)t->rank);
        m->graph->n_outputs++;
        if (!v->name) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    xc_tensor_list_free(&got);
    xc_results_free(res);
    if (s != XC_OK) {
        xc_model_free(m);
        return s;
    }
    *out = m;
    return XC_OK;
}

xc_status xc_run(const xc_run_config *c, xc_run_report *r)
{
    memset(r, 0, sizeof *r);
    r->passed = 1;
    if (c->iterations < 0) return xc_fail(XC_ERR_USAGE, "--iterations must be at least 1");
    XC_TRY(xc_check_spec_validate(&c->checks, &c->tol, c->fail_fast));
    size_t old_limit = xc_memory_limit();
    if (c->memory_limit) xc_set_memory_limit(c->memory_limit);
    xc_tensor_reset_peak();
    xc_results *loaded_inputs = NULL;
    int saved = 0, paths = 0;
    for (int k = 0; !c->model_path && k < c->n_runners; k++) paths += c->runners[k].n_paths;
    if (paths > XC_MAX_RUNNERS) return xc_fail(XC_ERR_USAGE, "without a model, at most %d saved result sets", XC_MAX_RUNNERS);
    xc_status s = c->model_path ? xc_model_load(c->model_path, &r->model) : outputs_only_model(c, &r->model, &saved);
    if (s == XC_OK && c->n_load_inputs)
        s = xc_results_load_paths(c->load_inputs, c->n_load_inputs, XC_ROLE_INPUT, &loaded_inputs);
    if (s == XC_OK && c->n_mark)
        s = (r->marks = calloc(1, sizeof *r->marks)) ? xc_marks_resolve(r->model->graph, c->mark, c->n_mark, r->marks)
                                                     : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) {
        r->n_outputs = r->model->graph->n_outputs;
        s = run_loaded_model(c, r, loaded_inputs, saved);
    }
    xc_results_free(loaded_inputs);
    r->peak_bytes = xc_tensor_peak_bytes();
    xc_set_memory_limit(old_limit);
    return s;
}

/* triage.c — `crosscheck triage`: build, compare per layer, run the debug tools the evidence
 * points to, reduce, and write the report (see triage.h for the rules; triage_html.c draws
 * the page, triage_json.c the JSON). The steps call the library's entry points (xc_run,
 * debug.h), never the CLI. */
#include "triage.h"
#include "graph_draw.h"
#include "ocl/fault.h"
#include "onnx_io.h"
#include "run_json.h"
#include "runner.h"
#include "surgeon.h"
#include "crosscheck/model.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static xc_status nomem(void) { return xc_fail(XC_ERR_NOMEM, "out of memory"); }

static void say(const xc_triage_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const xc_triage_config *c, const char *fmt, ...)
{
    if (!c->base.progress) return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->base.progress(c->base.user, line);
}

/* The tools' per-check lines, indented under the step that runs them. */
typedef struct tool_progress {
    const xc_triage_config *c;
    const char *tool;
} tool_progress;

static void tool_line(void *user, const char *line)
{
    const tool_progress *p = user;
    say(p->c, "  %s: %s", p->tool, line);
}

static char *path_in(const xc_triage_config *c, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", c->out_dir, name);
    return buf;
}

static xc_triage_step *step_begin(xc_triage_report *r, const char *name, const char *why)
{
    xc_triage_step *s = &r->steps[r->n_steps < XC_TRIAGE_MAX_STEPS ? r->n_steps++ : XC_TRIAGE_MAX_STEPS - 1];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->why, sizeof s->why, "%s", why);
    s->seconds = now();
    return s;
}

static void step_end(const xc_triage_config *c, xc_triage_step *s)
{
    s->seconds = now() - s->seconds;
    say(c, "%s: %s (%.1f s)", s->name, s->result, s->seconds);
}

/* "crosscheck run MODEL --ref --ocl ARGS... EXTRA" (EXTRA already quoted), whole; NULL when out
 * of memory. */
static char *run_command(const xc_triage_config *c, const char *pinned, const char *extra)
{
    xc_text t = {0};
    static const char *const head[] = {"crosscheck", "run"};
    for (int k = 0; k < 2; k++) xc_debug_shell_arg(&t, head[k]);
    xc_debug_shell_arg(&t, c->base.model_path);
    xc_debug_golden_args(&c->base, &t);
    xc_debug_shell_arg(&t, "--ocl");
    for (int k = 0; k < c->n_build_args; k++) xc_debug_shell_arg(&t, c->build_args[k]);
    if (pinned) {
        xc_debug_shell_arg(&t, "--load-tactics");
        xc_debug_shell_arg(&t, pinned);
    }
    if (extra) xc_text_printf(&t, "%s", extra);
    char *s = t.failed ? NULL : strdup(xc_text_str(&t) + (t.len > 0)); /* the first argument's leading space dropped */
    xc_text_free(&t);
    return s;
}

static char *node_list(const xc_model *m, const xc_engine_layer_info *L)
{
    size_t len = 1;
    for (int k = 0; k < L->n_nodes; k++) {
        const xc_node *n = &m->graph->nodes[L->nodes[k]];
        len += strlen(n->name[0] ? n->name : n->outputs[0]) + 2;
    }
    char *s = malloc(len);
    if (!s) return NULL;
    s[0] = 0;
    for (int k = 0; k < L->n_nodes; k++) {
        const xc_node *n = &m->graph->nodes[L->nodes[k]];
        if (k) strcat(s, ", ");
        strcat(s, n->name[0] ? n->name : n->outputs[0]);
    }
    return s;
}

/* A per-layer table into r->layers. */
static xc_status take_rows(const xc_run_report *rep, const xc_per_layer *p, const xc_engine *e, xc_triage_report *r)
{
    r->layers = calloc((size_t)p->n_rows + 1, sizeof *r->layers);
    if (!r->layers) return nomem();
    for (int i = 0; i < p->n_rows; i++) {
        const xc_layer_row *row = &p->rows[i];
        xc_triage_layer *t = &r->layers[r->n_layers++];
        t->name = strdup(row->info.name ? row->info.name : "?");
        t->nodes = node_list(rep->model, &row->info);
        t->kind = strdup(row->info.kind ? row->info.kind : "");
        t->tactic = strdup(row->info.tactic ? row->info.tactic : "");
        t->fusion = row->info.fusion ? strdup(row->info.fusion) : NULL;
        if (!t->name || !t->nodes || !t->kind || !t->tactic || (row->info.fusion && !t->fusion)) return nomem();
        t->precision = xc_layer_info_precision(&row->info);
        t->baseline =
            e && row->layer >= 0 && row->layer < xc_engine_layer_count(e) ? xc_engine_layer_runs_baseline(e, row->layer) : 1;
        t->score = row->score;
        t->max_abs = row->max_abs;
        t->max_rel = row->max_rel;
        t->verdict = row->verdict;
    }
    r->first = p->first_divergence;
    if (r->first < 0) return XC_OK;
    const xc_layer_row *row = &p->rows[r->first];
    if (!(r->watch = calloc((size_t)row->n_tensors + 1, sizeof *r->watch))) return nomem();
    for (int k = 0; k < row->n_tensors; k++)
        if (row->tensors[k].r.shape_mismatch || !row->tensors[k].r.passed)
            if (!(r->watch[r->n_watch++] = strdup(row->tensors[k].name))) return nomem();
    return XC_OK;
}

/* Draws the engine with the per-layer overlay (read back from the file just written, so the
 * picture shows exactly what `crosscheck graph --results` would). */
static void draw_graph(const xc_triage_config *c, const xc_run_report *rep, int k, xc_triage_report *r)
{
    xc_overlay *ov = NULL;
    xc_draw_options o = xc_draw_defaults();
    xc_draw_summary summary = {0};
    o.engine = rep->runners[k].engine;
    o.summary = &summary;
    path_in(c, "graph.svg", r->graph_svg, sizeof r->graph_svg);
    xc_status s = xc_overlay_load(r->per_layer_json, &ov);
    o.overlay = ov;
    if (s == XC_OK) s = xc_graph_draw(rep->model, &o, r->graph_svg);
    xc_overlay_free(ov);
    if (s != XC_OK) {
        snprintf(r->graph_note, sizeof r->graph_note, "no graph: %s", xc_error_message());
        xc_one_line(r->graph_note);
        r->graph_svg[0] = 0;
    } else if (summary.blocks) {
        snprintf(r->graph_note, sizeof r->graph_note,
                 "%d nodes drawn as %d blocks; for detail: crosscheck graph MODEL --engine --results %s --around NODE",
                 summary.nodes, summary.blocks, r->per_layer_json);
    }
}

/* Step 1: build the engine (its tactics saved) and compare every layer with the reference. */
static xc_status build_and_compare(const xc_triage_config *c, xc_triage_report *r, const char *tactics)
{
    xc_triage_step *st = step_begin(r, "build+compare", "always: the engine as built, compared layer by layer (accumulated)");
    xc_run_config rc = xc_run_config_default();
    rc.model_path = c->base.model_path;
    rc.ocl = c->base.ocl;
    if (!rc.ocl.load_tactics && !rc.ocl.save_tactics) rc.ocl.save_tactics = tactics;
    rc.inputs = c->base.inputs;
    rc.iterations = c->base.iterations;
    rc.load_inputs = c->base.load_inputs;
    rc.n_load_inputs = c->base.n_load_inputs;
    rc.tol = c->base.tol;
    rc.exec_timeout = c->base.exec_timeout;
    rc.per_layer = XC_PER_LAYER_ACCUMULATED;
    rc.runners[rc.n_runners++] = c->base.n_against ? c->base.against[0] : (xc_runner_spec){.kind = "ref"};
    rc.runners[rc.n_runners++] = (xc_runner_spec){.kind = "ocl"};
    xc_run_report rep;
    memset(&rep, 0, sizeof rep);
    xc_status s = xc_run(&rc, &rep);
    int k = -1;
    for (int i = 0; s == XC_OK && i < rep.n_runners; i++)
        if (rep.runners[i].per_layer && rep.runners[i].engine) k = i;
    if (s == XC_OK && k < 0) s = xc_fail(XC_ERR_MODEL, "%s: the OpenCL runner reported no per-layer table", c->base.model_path);
    if (s == XC_OK) {
        int it = 0; /* the table shown: the first iteration with a divergent layer */
        while (it + 1 < rep.iterations && rep.runners[k].per_layer[it].first_divergence < 0) it++;
        if (rep.runners[k].per_layer[it].first_divergence < 0) it = 0;
        const xc_per_layer *p = &rep.runners[k].per_layer[it];
        r->iteration = it;
        xc_engine *e = rep.runners[k].engine;
        r->fp16 = c->base.ocl.fp16;
        r->diverged = !rep.passed;
        r->n_failed = p->n_failed;
        r->outputs_passed = 1;
        for (int i = 0; i < rep.n_comparisons; i++)
            for (int o = 0; o < rep.n_outputs; o++)
                if (rep.comparisons[i].outputs[o].present && !rep.comparisons[i].outputs[o].r.passed) r->outputs_passed = 0;
        r->nodes_before = rep.model->graph->n_nodes;
        s = take_rows(&rep, p, e, r);
        cJSON *j = s == XC_OK ? xc_per_layer_json(&rep, k, it, XC_PER_LAYER_ACCUMULATED) : NULL;
        char *text = j ? cJSON_Print(j) : NULL;
        path_in(c, "per_layer.json", r->per_layer_json, sizeof r->per_layer_json);
        if (s == XC_OK) s = text ? xc_write_file(r->per_layer_json, text, strlen(text)) : nomem();
        cJSON_free(text);
        cJSON_Delete(j);
        if (s == XC_OK && !c->no_graph) draw_graph(c, &rep, k, r);
        const xc_triage_layer *f = r->first >= 0 ? &r->layers[r->first] : NULL;
        if (f)
            snprintf(st->result, sizeof st->result,
                     "%d of %d layers fail; first divergent layer '%s' (%s, tactic %s%s, %s, %.3g x tolerance)", r->n_failed,
                     r->n_layers, f->name, f->fusion ? "fused group" : f->kind, f->tactic, f->baseline ? " = baseline" : "",
                     f->precision, f->score);
        else if (r->diverged)
            snprintf(st->result, sizeof st->result, "outputs fail but no layer row does (%d layers compared)", r->n_layers);
        else
            snprintf(st->result, sizeof st->result, "no divergence: all %d layers and every output within tolerance",
                     r->n_layers);
    }
    xc_run_report_free(&rep);
    if (s != XC_OK) snprintf(st->result, sizeof st->result, "error: %s", xc_error_message());
    step_end(c, st);
    return s;
}

/* Joins the culprits' fields (layer or nodes) with "; ". */
static char *join_culprits(const xc_debug_report *d, int nodes)
{
    size_t len = 1;
    for (int k = 0; k < d->n_culprits; k++) len += strlen(nodes ? d->culprits[k].nodes : d->culprits[k].layer) + 2;
    char *s = malloc(len);
    if (!s) return NULL;
    s[0] = 0;
    for (int k = 0; k < d->n_culprits; k++) {
        if (k) strcat(s, "; ");
        strcat(s, nodes ? d->culprits[k].nodes : d->culprits[k].layer);
    }
    return s;
}

typedef struct tool {
    const char *name; /* "debug fusions" */
    const char *file; /* what it writes in the folder, or NULL */
    xc_status (*fn)(const xc_debug_config *, xc_debug_report *);
} tool;

static const tool tools[] = {
    {"debug precision", "debug_precision.json", xc_debug_precision},
    {"debug fusions", NULL, xc_debug_fusions},
    {"debug tactics", "debug_tactics.json", xc_debug_tactics},
};
enum { T_PRECISION, T_FUSIONS, T_TACTICS, N_TOOLS };

/* Runs one tool; on FOUND fills the culprit and the fix. Returns 1 when it explained the failure. */
static int run_tool(const xc_triage_config *c, const xc_debug_config *base, int t, const char *why, xc_triage_report *r,
                    xc_status *err)
{
    xc_triage_step *st = step_begin(r, tools[t].name, why);
    say(c, "%s: %s", tools[t].name, why);
    tool_progress tp = {c, tools[t].name + 6};
    xc_debug_config dc = *base;
    char out[4096];
    dc.output = tools[t].file ? path_in(c, tools[t].file, out, sizeof out) : NULL;
    dc.progress = tool_line;
    dc.user = &tp;
    static xc_debug_report d; /* large: fix_args and culprits */
    memset(&d, 0, sizeof d);
    xc_status s = tools[t].fn(&dc, &d);
    int found = 0;
    if (s != XC_OK) {
        snprintf(st->result, sizeof st->result, "error: %s", xc_error_message());
        *err = s;
    } else {
        st->n_checks = d.n_checks;
        if (d.outcome == XC_DEBUG_PASSES)
            snprintf(st->result, sizeof st->result, "the build passes under the tool's pinned tactics (%d check)", d.n_checks);
        else if (d.outcome == XC_DEBUG_UNEXPLAINED)
            snprintf(st->result, sizeof st->result, "not explained: with all %d candidates switched it still fails (%d checks)",
                     d.n_candidates, d.n_checks);
        else {
            found = 1;
            const xc_debug_culprit *k0 = &d.culprits[0];
            snprintf(st->result, sizeof st->result, "%d culprit%s in %d checks over %d candidates: '%s'%s", d.n_culprits,
                     d.n_culprits == 1 ? "" : "s", d.n_checks, d.n_candidates, k0->layer, d.n_culprits > 1 ? ", ..." : "");
            snprintf(r->culprit_by, sizeof r->culprit_by, "%s", tools[t].name);
            r->culprit_known = 1;
            r->culprit_layer = join_culprits(&d, 0);
            r->culprit_nodes = join_culprits(&d, 1);
            r->culprit_what =
                t == T_TACTICS ? xc_strprintf("tactic %s is wrong; tactic %s (the baseline) is right", k0->bad, k0->good)
                : t == T_FUSIONS
                    ? xc_strprintf("the fused group (pass %s) is wrong; unfused it is right%s%s%s", k0->bad,
                                   d.pass_fix[0] ? "; --disable-fusion " : "", d.pass_fix, d.pass_fix[0] ? " alone fixes it" : "")
                    : xc_strprintf("%s is wrong here; the layer must stay in fp32",
                                   xc_half_format_get(c->base.ocl.half_format)->name);
            r->fix = run_command(c, NULL, xc_text_str(&d.fix_args));
            r->fix_note = xc_strprintf("the build options %s found make every output pass (%d check%s)%s%s", tools[t].name,
                                       d.n_checks, d.n_checks == 1 ? "" : "s", d.written[0] ? "; it wrote " : "", d.written);
            if (!r->culprit_layer || !r->culprit_nodes || !r->culprit_what || !r->fix || !r->fix_note) *err = nomem();
        }
    }
    xc_debug_report_free(&d);
    step_end(c, st);
    return found;
}

static void run_reduce(const xc_triage_config *c, const xc_debug_config *base, const char *why, xc_triage_report *r,
                       xc_status *err)
{
    xc_triage_step *st = step_begin(r, "debug reduce", why);
    say(c, "debug reduce: %s", why);
    tool_progress tp = {c, "reduce"};
    xc_reduce_config rc = xc_reduce_config_default();
    rc.base = *base;
    rc.base.output = path_in(c, "minimal.onnx", r->minimal_model, sizeof r->minimal_model);
    rc.base.progress = tool_line;
    rc.base.user = &tp;
    static xc_reduce_report d;
    memset(&d, 0, sizeof d);
    xc_status s = xc_debug_reduce(&rc, &d);
    if (s != XC_OK) {
        snprintf(st->result, sizeof st->result, "error: %s", xc_error_message());
        r->minimal_model[0] = 0;
        *err = s;
    } else if (d.outcome == XC_DEBUG_PASSES) {
        snprintf(st->result, sizeof st->result, "the model passes reduce's check (%d check): nothing to reduce", d.n_checks);
        r->minimal_model[0] = 0;
    } else {
        st->n_checks = d.n_checks;
        snprintf(st->result, sizeof st->result, "reduced from %d nodes to %d in %d checks: %s", d.nodes_before, d.nodes_after,
                 d.n_checks, d.nodes);
        snprintf(r->minimal_model, sizeof r->minimal_model, "%s", d.written);
        snprintf(r->minimal_data, sizeof r->minimal_data, "%s", d.data_dir);
        r->nodes_after = d.nodes_after;
        if (!r->nodes_before) r->nodes_before = d.nodes_before; /* the first build crashed before counting them */
        r->minimal_nodes = strdup(d.nodes);
        r->reduce_command = strdup(d.command ? d.command + strspn(d.command, " ") : "");
        if (!r->minimal_nodes || !r->reduce_command) *err = nomem();
    }
    xc_reduce_report_free(&d);
    step_end(c, st);
}

/* Which tools the first divergent layer points to, in the order they run. */
static int plan_tools(const xc_triage_config *c, const xc_triage_report *r, int order[N_TOOLS], char why[N_TOOLS][512])
{
    const xc_triage_layer *f = &r->layers[r->first];
    int n = 0;
    if (c->base.ocl.fp16) {
        order[n] = T_PRECISION;
        snprintf(why[n++], 512, "the engine stores %s and layers fail (first: '%s', %s)",
                 xc_half_format_get(c->base.ocl.half_format)->name, f->name, f->precision);
    }
    /* tactics before fusions: switching a tactic keeps the group, while unfusing also puts its
     * nodes on baseline tactics, so a fusion verdict could not tell the two apart */
    if (!f->baseline) {
        order[n] = T_TACTICS;
        snprintf(why[n++], 512, "the first divergent layer '%s' runs tactic %s, not its kind's baseline", f->name, f->tactic);
    }
    if (f->fusion || strchr(f->name, '+')) {
        order[n] = T_FUSIONS;
        snprintf(why[n++], 512, "the first divergent layer '%s' is a fused group (pass %s)", f->name,
                 f->fusion ? f->fusion : "?");
    }
    return n;
}

/* The model cut after the first divergent layer, its failing tensors the only outputs: where
 * the full model's outputs pass (the error fades on the way), the tools search this smaller
 * model (fewer layers to build per check; its outputs fail, whatever --per-layer-verdict says).
 * Returns the path written. */
static xc_status cut_model(const xc_triage_config *c, xc_triage_report *r)
{
    xc_model *m = NULL, *cut = NULL;
    XC_TRY(xc_model_load(c->base.model_path, &m));
    const xc_graph *g = m->graph;
    xc_io_spec *in = calloc((size_t)g->n_inputs + 1, sizeof *in), *out = calloc((size_t)r->n_watch + 1, sizeof *out);
    int n_in = 0;
    xc_status s = in && out ? XC_OK : nomem();
    for (int i = 0; s == XC_OK && i < g->n_inputs; i++)
        if (xc_graph_is_runtime_input(g, i)) in[n_in++] = (xc_io_spec){.name = g->inputs[i].name, .rank = -1};
    for (int o = 0; o < r->n_watch; o++) out[o] = (xc_io_spec){.name = r->watch[o], .rank = -1};
    if (s == XC_OK) s = xc_surgeon_extract(m, in, n_in, out, r->n_watch, &cut);
    path_in(c, "model_cut.onnx", r->cut_model, sizeof r->cut_model);
    if (s == XC_OK) s = xc_model_save(cut, r->cut_model);
    if (s != XC_OK) r->cut_model[0] = 0;
    free(in);
    free(out);
    xc_model_free(cut);
    xc_model_free(m);
    return s;
}

static xc_status make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return XC_OK;
        return xc_fail(XC_ERR_IO, "%s: exists and is not a folder", path);
    }
    return xc_fail(XC_ERR_IO, "%s: cannot create the folder: %s", path, strerror(errno));
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *s = malloc(cap + 1);
    while (s && (got = fread(s + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *t = realloc(s, (cap *= 2) + 1);
            if (!t) free(s);
            s = t;
        }
    }
    fclose(f);
    if (s) s[n] = 0;
    return s;
}

static xc_status write_reports(const xc_triage_config *c, xc_triage_report *r)
{
    path_in(c, "report.json", r->json, sizeof r->json);
    path_in(c, "report.html", r->html, sizeof r->html);
    cJSON *j = xc_triage_json(c, r);
    char *text = j ? cJSON_Print(j) : NULL;
    xc_status s = text ? xc_write_file(r->json, text, strlen(text)) : nomem();
    cJSON_free(text);
    cJSON_Delete(j);
    char *svg = r->graph_svg[0] ? read_text(r->graph_svg) : NULL;
    if (s == XC_OK) s = xc_triage_write_html(c, r, svg, r->html);
    free(svg);
    return s;
}

/* What a step run in a child needs (triage_child.c forks it with this process's memory). */
typedef struct step_args {
    const xc_triage_config *c;
    const xc_debug_config *base;
    const char *tactics; /* build+compare: where the tactics go */
    int tool;            /* a debug tool: its index in tools[] */
    const char *why;
} step_args;

static int build_step(void *arg, xc_triage_report *r, xc_status *err)
{
    const step_args *a = arg;
    *err = build_and_compare(a->c, r, a->tactics);
    return 0;
}

static int tool_step(void *arg, xc_triage_report *r, xc_status *err)
{
    const step_args *a = arg;
    return run_tool(a->c, a->base, a->tool, a->why, r, err);
}

static int reduce_step(void *arg, xc_triage_report *r, xc_status *err)
{
    const step_args *a = arg;
    run_reduce(a->c, a->base, a->why, r, err);
    return 0;
}

/* Runs a step in a child process, so a driver crash or hang ends the step, not the triage; a
 * step that did not finish is recorded under its name with how it ended (crashed: "" if it
 * finished). Returns the step's answer in *result and its error. */
static xc_status isolated(const xc_triage_config *c, xc_triage_report *r, const char *name, double timeout, xc_triage_step_fn fn,
                          const step_args *a, int *result, char crashed[128])
{
    double t0 = now();
    xc_status s = xc_triage_isolated(c, r, timeout, fn, (void *)a, result, crashed, 128);
    if (s != XC_OK || !crashed[0]) return s;
    xc_triage_step *st = step_begin(r, name, a->why);
    st->seconds = t0;
    snprintf(st->result, sizeof st->result, "%s (a failing check: triage goes on)", crashed);
    step_end(c, st);
    return XC_OK;
}

/* The first build crashed: no per-layer table points anywhere, so both switching tools run
 * (a crashing tactic, a crashing fused group), then reduce cuts down to what crashes. */
static int plan_crash(const xc_triage_report *r, int order[N_TOOLS], char why[N_TOOLS][512])
{
    order[0] = T_TACTICS;
    snprintf(why[0], 512, "the first build or run %s: a tactic that crashes is switched to its baseline", r->crashed);
    order[1] = T_FUSIONS;
    snprintf(why[1], 512, "the first build or run %s: a fused group that crashes is unfused", r->crashed);
    return 2;
}

/* After a crash, reduce's minimal model is the culprit (the tools found no switch that avoids it). */
static xc_status crash_culprit(xc_triage_report *r)
{
    r->culprit_known = 1;
    snprintf(r->culprit_by, sizeof r->culprit_by, "debug reduce");
    r->culprit_layer = strdup(r->minimal_nodes);
    r->culprit_nodes = strdup(r->minimal_nodes);
    r->culprit_what = xc_strprintf("the engine %s on this subgraph", r->crashed);
    free(r->fix_note);
    r->fix_note =
        strdup("no tactic or fusion switch the tools tried avoids the crash; the minimal model reproduces it for a bug report");
    return r->culprit_layer && r->culprit_nodes && r->culprit_what && r->fix_note ? XC_OK : nomem();
}

xc_status xc_triage(const xc_triage_config *c, xc_triage_report *r)
{
    memset(r, 0, sizeof *r);
    r->first = -1;
    double t0 = now();
    if (!c->out_dir || !c->out_dir[0]) return xc_fail(XC_ERR_USAGE, "triage: no output folder given");
    XC_TRY(make_dir(c->out_dir));
    char tactics[4096];
    path_in(c, "tactics.json", tactics, sizeof tactics);
    /* every step that builds an engine runs in a child: this process never uses OpenCL, so a
     * crash in the first build is a failing check, and the tools' sessions isolate each check */
    step_args ba = {.c = c, .tactics = tactics, .why = "always: the engine as built, compared layer by layer (accumulated)"};
    int res = 0;
    char crashed[128];
    XC_TRY(isolated(c, r, "build+compare", c->base.check_timeout, build_step, &ba, &res, crashed));
    if (crashed[0]) {
        snprintf(r->crashed, sizeof r->crashed, "%s", crashed);
        r->diverged = 1;
    }
    /* every later step pins the tactics just compared (unless the user pinned their own; none
     * when the first build crashed before its tactics were saved) */
    const char *pinned = c->base.ocl.load_tactics     ? c->base.ocl.load_tactics
                         : c->base.ocl.save_tactics   ? c->base.ocl.save_tactics
                         : access(tactics, R_OK) == 0 ? tactics
                                                      : NULL;
    xc_debug_config base = c->base;
    base.ocl.load_tactics = pinned;
    base.ocl.save_tactics = NULL;
    base.ocl.timing_cache = NULL;
    base.ocl.quiet_faults = 1; /* announced by the first build */
    base.artifacts_dir = NULL;
    xc_status err = XC_OK;
    if (r->diverged) {
        r->reproduce = run_command(c, c->base.ocl.load_tactics ? NULL : pinned, " --per-layer");
        if (!r->reproduce) return nomem();
    }
    if (r->diverged && r->first >= 0 && r->outputs_passed && r->n_watch) {
        xc_triage_step *st = step_begin(r, "cut", "the outputs pass (the error fades on the way): the tools search up to it");
        err = cut_model(c, r);
        if (err == XC_OK) {
            snprintf(st->result, sizeof st->result,
                     "the tools search %s: the model up to the first divergent layer, its failing tensors as outputs",
                     r->cut_model);
            base.model_path = r->cut_model;
            base.ocl.replay_lenient = 1; /* the pinned tactics name layers the cut model lacks */
        } else {
            snprintf(st->result, sizeof st->result, "error: %s", xc_error_message());
        }
        step_end(c, st);
    }
    if (r->diverged && (r->first >= 0 || r->crashed[0]) && err == XC_OK) {
        int order[N_TOOLS];
        char why[N_TOOLS][512];
        int n = r->crashed[0] ? plan_crash(r, order, why) : plan_tools(c, r, order, why), found = 0;
        if (!n)
            say(c,
                "the first divergent layer is a single node at its baseline tactic in fp32: no tactic, fusion or precision to "
                "switch");
        for (int i = 0; i < n && !found && err == XC_OK; i++) {
            step_args ta = {.c = c, .base = &base, .tool = order[i], .why = why[i]};
            err = isolated(c, r, tools[order[i]].name, 1e9, tool_step, &ta, &found, crashed); /* each check has its timeout */
        }
        if (!found && err == XC_OK && !r->crashed[0]) { /* the first divergent layer is the best lead */
            const xc_triage_layer *f = &r->layers[r->first];
            r->culprit_known = 1;
            snprintf(r->culprit_by, sizeof r->culprit_by, "per-layer");
            r->culprit_layer = strdup(f->name);
            r->culprit_nodes = strdup(f->nodes);
            r->culprit_what = xc_strprintf("the first divergent layer (%.3g x its tolerance); %s", f->score,
                                           n ? "no tactic, fusion or precision switch the tools tried fixes it"
                                             : "it has no tactic, fusion or precision to switch");
            r->fix_note = strdup(
                "no build option found fixes it: the layer's kernel is wrong on its own; the minimal model "
                "reproduces it for a bug report");
            if (!r->culprit_layer || !r->culprit_nodes || !r->culprit_what || !r->fix_note) err = nomem();
        }
        if (err == XC_OK && !c->no_reduce) {
            char why_reduce[1024];
            if (r->culprit_known)
                snprintf(why_reduce, sizeof why_reduce, "culprit known (%s: %s): the smallest failing subgraph", r->culprit_by,
                         r->culprit_nodes);
            else
                snprintf(why_reduce, sizeof why_reduce, "the first build or run %s: the smallest subgraph that still does",
                         r->crashed);
            step_args ra = {.c = c, .base = &base, .why = why_reduce};
            err = isolated(c, r, "debug reduce", 1e9, reduce_step, &ra, &res, crashed);
            if (err == XC_OK && !r->culprit_known && r->minimal_nodes) err = crash_culprit(r);
            if (err == XC_OK && r->minimal_nodes && r->nodes_after == 1 && !strcmp(r->culprit_by, "per-layer")) {
                snprintf(r->culprit_by, sizeof r->culprit_by, "debug reduce"); /* narrowed from the layer to its node */
                free(r->culprit_nodes);
                if (!(r->culprit_nodes = strdup(r->minimal_nodes))) err = nomem();
            }
        }
    } else if (r->diverged) {
        say(c, "outputs fail but no engine layer does: the tools need a divergent layer to start from");
        r->fix_note =
            strdup("no layer row fails: compare with a looser per-layer view (run --per-layer=isolated) or check the tolerance");
        if (!r->fix_note) err = nomem();
    }
    xc_triage_step *st = step_begin(r, "report", "always");
    r->seconds = now() - t0;
    xc_status s = write_reports(c, r);
    snprintf(st->result, sizeof st->result, s == XC_OK ? "wrote %s and report.json" : "error: %s",
             s == XC_OK ? r->html : xc_error_message());
    step_end(c, st);
    r->seconds = now() - t0;
    if (s == XC_OK) s = write_reports(c, r); /* again, with the report step's own time */
    return err != XC_OK ? err : s;
}

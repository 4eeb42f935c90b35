/* reduce.c — `debug reduce`: shrinks a failing model to a small subgraph that still fails.
 *
 * Nodes are in topological order (validation sorts them), numbered 0..N-1. Two searches, as in
 * Polygraphy, but defined so that models with branches are handled correctly:
 *
 * Outputs phase. prefix(k) is the subgraph of nodes [0, k) whose outputs are every tensor that
 * crosses the cut: made before k and read at or after k (or a graph output). Every path from a
 * node before the cut to the model's outputs passes through a crossing tensor, whatever the
 * branch, so a wrong value made before the cut shows in prefix(k): failing is monotone in k.
 * prefix(0) is empty (passes), prefix(N) is the model (fails: check 1). Bisection finds the
 * smallest failing k; prefix(k-1) passes, so the tensor that fails is an output of node
 * t = k-1 — the earliest place the failure is visible. G1 = the nodes t depends on, with t's
 * crossing outputs as the only outputs.
 *
 * Inputs phase. Over G1's M nodes in order, suffix(j) keeps nodes [j, M) and feeds every tensor
 * crossing that cut (any branch) with the reference's values. suffix(0) = G1 fails, suffix(M) is
 * empty; the fault's node f is the last j for which suffix(j) still fails (after it, everything
 * computed is fed the right values). Bisection finds it.
 *
 * Branch pruning. suffix(j) still holds nodes after f in other branches (they precede t in
 * topological order but do not depend on f); feeding their outputs from the reference too
 * leaves only the nodes on paths from f to t. One check confirms it still fails.
 *
 * The reduced model is always one whose failure was seen by a check (if the last candidate was
 * never checked it is checked; if it passes, the search was not monotone — flaky or
 * context-dependent engine behaviour — and the smallest failing prefix is returned instead,
 * with a warning). Checks: 1 + ceil(log2 N) + ceil(log2 M) + at most 2, within the issue's
 * 2*ceil(log2 N)+4 since M <= N. Linear mode goes one node at a time (outputs: from the end;
 * inputs: from the front) for failures that are not monotone. */
#include "debug/reduce.h"
#include "ocl/tactics_file.h"
#include "onnx_io.h"
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

xc_reduce_config xc_reduce_config_default(void)
{
    xc_reduce_config c;
    memset(&c, 0, sizeof c);
    c.base = xc_debug_config_default();
    return c;
}

#define PLURAL(n) ((n) == 1 ? "" : "s")

static xc_status nomem(void) { return xc_fail(XC_ERR_NOMEM, "out of memory"); }

static const char *node_label(const rd_state *st, int k)
{
    const xc_node *n = &st->g->nodes[k];
    return n->name[0] ? n->name : n->outputs[0];
}

static uint64_t hash_str(uint64_t h, const char *s) { return rd_hash(h, s ? s : "", s ? strlen(s) + 1 : 1); }

/* What judges a candidate: a replay file recorded under other options must not be reused. */
static uint64_t check_identity(const xc_reduce_config *c)
{
    uint64_t h = 14695981039346656037ull;
    const xc_debug_config *b = &c->base;
    const xc_ocl_build_options *o = &b->ocl;
    h = rd_hash(h, &c->freeze_inputs, sizeof c->freeze_inputs);
    const xc_check_command *cmd = &c->base.command;
    if (xc_check_external(cmd)) {
        /* what feeds cut tensors the reference cannot compute (a runner, or generated data) */
        h = rd_hash(h, &b->inputs.seed, sizeof b->inputs.seed);
        for (int i = 0; i < b->n_against; i++) h = hash_str(hash_str(h, b->against[i].name), b->against[i].command);
        h = hash_str(h, cmd->interactive ? "--interactive" : "--check");
        for (int i = 0; i < cmd->argc; i++) h = hash_str(h, cmd->argv[i]);
        for (int i = 0; i < cmd->n_fail_regex; i++) h = hash_str(h, cmd->fail_regex[i]);
        h = rd_hash(h, cmd->fail_codes, sizeof(int) * (size_t)cmd->n_fail_codes);
        return rd_hash(h, cmd->ignore_codes, sizeof(int) * (size_t)cmd->n_ignore_codes);
    }
    const char *opt;
    xc_text val = {0};
    for (int i = 0; xc_tolerance_spec_arg(&b->tol, i, &opt, &val); i++) h = hash_str(hash_str(h, opt), xc_text_str(&val));
    xc_text_free(&val);
    int flags[8] = {b->iterations, o->fp16, o->fp16_math, o->fp16_acc, o->no_fusion, o->fallback_cpu, b->n_load_inputs, o->int8};
    h = rd_hash(h, flags, sizeof flags);
    if (xc_debug_judges_layers(b)) h = hash_str(h, "--per-layer-verdict layers"); /* outputs-only keys stay as they were */
    h = rd_hash(h, &b->inputs.seed, sizeof b->inputs.seed);
    for (int i = 0; i < b->n_load_inputs; i++) h = hash_str(h, b->load_inputs[i]);
    for (int i = 0; i < o->faults.n; i++) h = hash_str(h, o->faults.v[i]);
    for (int i = 0; i < o->disabled.n; i++) h = hash_str(h, o->disabled.v[i]);
    for (int i = 0; i < o->no_fuse_nodes.n; i++) h = hash_str(h, o->no_fuse_nodes.v[i]);
    for (int i = 0; i < o->fp32_layers.n; i++) h = hash_str(h, o->fp32_layers.v[i]);
    for (int i = 0; i < o->fp16_layers.n; i++) h = hash_str(hash_str(h, ":fp16"), o->fp16_layers.v[i]);
    for (int i = 0; i < o->int8_layers.n; i++) h = hash_str(hash_str(h, ":int8"), o->int8_layers.v[i]);
    for (int i = 0; i < o->bf16_layers.n; i++) h = hash_str(hash_str(h, ":bf16"), o->bf16_layers.v[i]);
    h = hash_str(h, xc_ocl_precision_option(o)); /* --bf16 and --fp16 differ */
    h = hash_str(h, o->load_tactics);
    for (int i = 0; i < b->n_against; i++) /* what the engine is compared with */
        h = hash_str(hash_str(hash_str(hash_str(h, b->against[i].kind), b->against[i].name), b->against[i].command),
                     b->against[i].path);
    return hash_str(h, o->device);
}

/* Tensors crossing the cut before node k: made by nodes [0, k), read at or after k. */
static int crossing(const rd_state *st, int k, int *outs)
{
    int n = 0;
    for (int v = 0; v < st->n_values; v++)
        if (st->producer[v] >= 0 && st->producer[v] < k && st->read_after[v] >= k) outs[n++] = v;
    return n;
}

typedef struct search {
    rd_state *st;
    int N;
    unsigned char *allowed;
    int *outs;
    rd_cand best_fail; /* the smallest candidate seen failing */
    int best_fail_iter;
    rd_cand good; /* the passing neighbour (for --min-good) */
} search;

static xc_status prefix(search *q, int k, int lo, int hi, rd_cand *c)
{
    for (int i = 0; i < q->N; i++) q->allowed[i] = (unsigned char)(i < k);
    int n = crossing(q->st, k, q->outs);
    XC_TRY(rd_cand_make(q->st, q->allowed, q->outs, n, c));
    snprintf(c->what, sizeof c->what,
             "outputs phase: nodes 1-%d of %d (up to '%s'; %d node%s, %d output%s), failure first seen in %d-%d", k, q->N,
             node_label(q->st, k - 1), c->n_nodes, PLURAL(c->n_nodes), c->n_out, PLURAL(c->n_out), lo + 1, hi);
    snprintf(c->tag, sizeof c->tag, "outputs");
    return XC_OK;
}

/* suffix(j) of the ordered node list L (m nodes), outputs outs. */
static xc_status suffix(search *q, const int *L, int m, int j, const int *outs, int n_out, int lo, int hi, rd_cand *c)
{
    memset(q->allowed, 0, q->N);
    for (int i = j; i < m; i++) q->allowed[L[i]] = 1;
    XC_TRY(rd_cand_make(q->st, q->allowed, outs, n_out, c));
    snprintf(c->what, sizeof c->what,
             "inputs phase: from node %d of %d ('%s'; %d node%s, %d input%s), failing subgraph starts in %d-%d", j + 1, m,
             node_label(q->st, L[j]), c->n_nodes, PLURAL(c->n_nodes), c->n_in, PLURAL(c->n_in), lo + 1, hi + 1 > m ? m : hi + 1);
    snprintf(c->tag, sizeof c->tag, "inputs");
    return XC_OK;
}

/* Checks c; when it fails it becomes the best failing candidate (callers go from large to
 * small), when it passes it may become the passing neighbour. Takes c. */
static xc_status judge(search *q, rd_cand *c, int *passed, int neighbour)
{
    xc_status s = XC_OK;
    if (!c->n_out)
        *passed = 1; /* nothing to compare cannot fail */
    else
        s = rd_check(q->st, c, passed);
    if (s == XC_OK && !*passed) {
        rd_cand_free(&q->best_fail);
        q->best_fail = *c;
        q->best_fail_iter = q->st->last_iteration;
    } else if (s == XC_OK && neighbour && c->n_out) {
        rd_cand_free(&q->good);
        q->good = *c;
    } else {
        rd_cand_free(c);
    }
    memset(c, 0, sizeof *c);
    return s;
}

/* Outputs phase: *t = the node whose outputs fail first. */
static xc_status outputs_phase(search *q, int *t)
{
    int lo = 0, hi = q->N, passed;
    rd_cand c;
    if (q->st->cfg->base.mode == XC_DEBUG_LINEAR) {
        for (int k = q->N - 1; k >= 1; k--) {
            XC_TRY(prefix(q, k, 0, hi, &c));
            XC_TRY(judge(q, &c, &passed, 1));
            if (passed) break;
            hi = k;
        }
    } else {
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            XC_TRY(prefix(q, mid, lo, hi, &c));
            XC_TRY(judge(q, &c, &passed, 1));
            if (passed)
                lo = mid;
            else
                hi = mid;
        }
    }
    *t = hi - 1;
    return XC_OK;
}

/* Inputs phase over the nodes t depends on; *final_c = the smallest failing suffix (unchecked
 * when it is the whole of G1). *checked tells which. */
static xc_status inputs_phase(search *q, int t, rd_cand *final_c, int *checked)
{
    rd_state *st = q->st;
    int *outs = malloc(sizeof(int) * ((size_t)st->n_values + 1)), n_out = 0;
    if (!outs) return nomem();
    if (t < 0) n_out = crossing(st, q->N, outs); /* --no-reduce-outputs: the graph's outputs */
    for (int o = 0; t >= 0 && o < st->g->nodes[t].n_outputs; o++) {
        int v = st->node_out[t][o];
        if (v >= 0 && st->read_after[v] > t) outs[n_out++] = v;
    }
    rd_cand g1;
    memset(q->allowed, 1, q->N);
    xc_status made = rd_cand_make(st, q->allowed, outs, n_out, &g1);
    if (made != XC_OK) return free(outs), made;
    int *L = malloc(sizeof(int) * (q->N + 1)), m = 0;
    if (!L) return free(outs), rd_cand_free(&g1), nomem();
    for (int k = 0; k < q->N; k++)
        if (g1.keep[k]) L[m++] = k;
    int lo = 0, hi = m, passed;
    xc_status s = XC_OK;
    rd_cand c;
    if (st->cfg->no_reduce_inputs) {
        /* the inputs stay the model's: only the outputs phase cut */
    } else if (st->cfg->base.mode == XC_DEBUG_LINEAR) {
        for (int j = 1; j < m && s == XC_OK; j++) {
            if ((s = suffix(q, L, m, j, outs, n_out, lo, hi, &c)) == XC_OK) s = judge(q, &c, &passed, 1);
            if (s != XC_OK || passed) break;
            lo = j;
        }
    } else {
        while (hi - lo > 1 && s == XC_OK) {
            int mid = lo + (hi - lo) / 2;
            if ((s = suffix(q, L, m, mid, outs, n_out, lo, hi, &c)) == XC_OK) s = judge(q, &c, &passed, 1);
            if (s != XC_OK) break;
            if (passed)
                hi = mid;
            else
                lo = mid;
        }
    }
    *checked = lo > 0;
    if (s == XC_OK) s = suffix(q, L, m, lo, outs, n_out, lo, lo, final_c);
    snprintf(final_c->tag, sizeof final_c->tag, "final");
    free(L);
    free(outs);
    rd_cand_free(&g1);
    return s;
}

/* Branch pruning: only the nodes of c that depend on its first node f. */
static xc_status prune_branches(search *q, const rd_cand *c, rd_cand *out)
{
    rd_state *st = q->st;
    int f = 0;
    while (f < q->N && !c->keep[f]) f++;
    memset(q->allowed, 0, q->N);
    q->allowed[f] = 1;
    for (int k = f + 1; k < q->N; k++)
        for (int i = 0; c->keep[k] && i < st->g->nodes[k].n_inputs; i++) {
            int v = st->node_in[k][i];
            if (v >= 0 && st->producer[v] >= 0 && q->allowed[st->producer[v]]) q->allowed[k] = 1;
        }
    XC_TRY(rd_cand_make(st, q->allowed, c->outs, c->n_out, out));
    snprintf(out->what, sizeof out->what, "branches: only the %d node%s fed by '%s' (of %d), %d input%s", out->n_nodes,
             PLURAL(out->n_nodes), node_label(st, f), c->n_nodes, out->n_in, PLURAL(out->n_in));
    snprintf(out->tag, sizeof out->tag, "branch");
    return XC_OK;
}

/* Path with its extension replaced: base.onnx (or .json) -> base<suffix>. */
static void sibling(const char *path, const char *suffix, char *buf, size_t len)
{
    size_t n = strlen(path);
    if (n > 5 && (!strcmp(path + n - 5, ".onnx") || !strcmp(path + n - 5, ".json"))) n -= 5;
    snprintf(buf, len, "%.*s%s", (int)n, path, suffix);
}

static void arg2(xc_text *t, const char *a, const char *b)
{
    xc_debug_shell_arg(t, a);
    if (b) xc_debug_shell_arg(t, b);
}

/* --layer-precision NAME:PREC for each name of list. */
static void layer_precision_args(xc_text *t, const xc_name_list *list, const char *prec)
{
    xc_text v = {0};
    for (int i = 0; i < list->n; i++) {
        xc_text_clear(&v);
        xc_text_printf(&v, "%s:%s", list->v[i], prec);
        arg2(t, "--layer-precision", xc_text_str(&v));
        t->failed |= v.failed;
    }
    xc_text_free(&v);
}

/* `crosscheck run MIN --ref (or the golden runner) --ocl <the build options that apply to it> --load-inputs ...` */
static xc_status builtin_command(const rd_state *st, const xc_model *m, const char *tactics, const char *inputs, xc_text *t)
{
    xc_ocl_build_options o;
    XC_TRY(rd_build_options(st, m, &o));
    arg2(t, "crosscheck", "run");
    xc_debug_shell_arg(t, st->cfg->base.output);
    xc_debug_golden_args(&st->cfg->base, t); /* --ref, or the runner given */
    xc_text_printf(t, " --ocl");
    if (o.device) arg2(t, "--ocl-device", o.device);
    if (xc_ocl_precision_option(&o)) arg2(t, xc_ocl_precision_option(&o), NULL); /* --fp16, --bf16, ... */
    if (o.int8) xc_text_printf(t, " --int8");
    if (o.int8 && o.calibration_data) arg2(t, "--calibration-data", o.calibration_data);
    if (o.int8 && o.calibration_cache) arg2(t, "--calibration-cache", o.calibration_cache);
    if (o.int8 && o.calibrator_entropy) arg2(t, "--calibrator", "entropy");
    if (o.no_fusion) xc_text_printf(t, " --no-fusion");
    if (o.fallback_cpu) xc_text_printf(t, " --fallback-cpu");
    for (int i = 0; i < o.disabled.n; i++) arg2(t, "--disable-fusion", o.disabled.v[i]);
    for (int i = 0; i < o.no_fuse_nodes.n; i++) arg2(t, "--no-fuse-node", o.no_fuse_nodes.v[i]);
    layer_precision_args(t, &o.fp32_layers, "fp32");
    layer_precision_args(t, &o.fp16_layers, "fp16");
    layer_precision_args(t, &o.int8_layers, "int8");
    layer_precision_args(t, &o.bf16_layers, "bf16");
    for (int i = 0; i < o.faults.n; i++) arg2(t, "--inject-fault", o.faults.v[i]);
    if (tactics) arg2(t, "--load-tactics", tactics);
    const char *opt;
    xc_text val = {0};
    for (int i = 0; xc_tolerance_spec_arg(&st->cfg->base.tol, i, &opt, &val); i++) {
        arg2(t, opt, val.len ? xc_text_str(&val) : NULL);
        t->failed |= val.failed;
    }
    xc_text_free(&val);
    if (inputs) arg2(t, "--load-inputs", inputs);
    if (st->dr.judged_layers) xc_text_printf(t, " --per-layer"); /* the checks judged every tensor */
    xc_ocl_options_free(&o);
    return XC_OK;
}

static xc_status external_command(const rd_state *st, const char *inputs, xc_text *t)
{
    char **argv = NULL;
    XC_TRY(rd_check_argv(st, st->cfg->base.output, inputs, &argv));
    for (int i = 0; argv[i]; i++) xc_debug_shell_arg(t, argv[i]);
    xc_check_argv_free(argv);
    return XC_OK;
}

static int runtime_inputs(const xc_graph *g)
{
    int n = 0;
    for (int i = 0; i < g->n_inputs; i++) n += xc_graph_is_runtime_input(g, i);
    return n;
}

/* Saves a candidate's model to path and its data to <path without .onnx>_data. */
static xc_status save_candidate(rd_state *st, const rd_cand *c, const char *path, rd_data *d, char *data_dir, size_t len)
{
    XC_TRY(rd_data_make(st, c, d));
    sibling(path, "_data", data_dir, len);
    xc_status s = xc_model_save(d->model, path);
    if (s == XC_OK) s = rd_data_save(d, data_dir);
    return s;
}

static xc_status write_result(search *q, const rd_cand *fin, int iteration)
{
    rd_state *st = q->st;
    xc_reduce_report *r = st->rep;
    const char *out = st->cfg->base.output;
    rd_data d;
    XC_TRY(save_candidate(st, fin, out, &d, r->data_dir, sizeof r->data_dir));
    snprintf(r->written, sizeof r->written, "%s", out);
    r->nodes_after = d.model->graph->n_nodes;
    r->outputs_saved = d.n_iter && d.ref[0] && d.model->graph->n_outputs && d.ref[0][0];
    size_t p = 0;
    for (int k = 0; k < d.model->graph->n_nodes; k++) {
        const xc_node *n = &d.model->graph->nodes[k];
        p += (size_t)snprintf(p < sizeof r->nodes ? r->nodes + p : NULL, p < sizeof r->nodes ? sizeof r->nodes - p : 0,
                              "%s%s (%s)", k ? ", " : "", n->name[0] ? n->name : n->outputs[0], n->op_type);
    }
    char set[4200], tactics[4200];
    snprintf(set, sizeof set, "%s/test_data_set_%d", r->data_dir, iteration);
    const char *inputs = runtime_inputs(d.model->graph) ? set : NULL;
    xc_status s = XC_OK;
    xc_text cmd = {0};
    if (st->cfg->base.command.interactive) {
        xc_text_printf(&cmd, "judged bad interactively: %s with its inputs in %s", out, r->data_dir);
    } else if (st->cfg->base.command.argv) {
        snprintf(set, sizeof set, "%s/test_data_set_0", r->data_dir);
        s = external_command(st, set, &cmd);
    } else {
        /* the tactics every check pinned, written for the reduced model's own layer names */
        xc_ocl_build_options o;
        xc_engine *e = NULL;
        s = rd_build_options(st, d.model, &o);
        o.quiet_faults = 1;
        o.progress = 0;
        sibling(out, ".tactics.json", tactics, sizeof tactics);
        if (s == XC_OK) s = xc_ocl_build(d.model, &o, &e);
        if (s == XC_OK) s = xc_tactics_save_engine(e, tactics);
        xc_engine_free(e);
        xc_ocl_options_free(&o);
        if (s == XC_OK) s = builtin_command(st, d.model, tactics, inputs, &cmd);
    }
    rd_data_free(&d);
    if (s == XC_OK && cmd.failed) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK)
        r->command = cmd.s; /* the whole command, however long */
    else
        xc_text_free(&cmd);
    return s;
}

static xc_status write_min_good(search *q)
{
    rd_state *st = q->st;
    xc_reduce_report *r = st->rep;
    if (!st->cfg->min_good) return XC_OK;
    if (!q->good.keep) {
        snprintf(r->min_good_why, sizeof r->min_good_why, "no passing candidate was checked next to the reduced model");
        return XC_OK;
    }
    rd_data d;
    char dir[4200];
    xc_status s = save_candidate(st, &q->good, st->cfg->min_good, &d, dir, sizeof dir);
    rd_data_free(&d);
    if (s == XC_OK) snprintf(r->min_good, sizeof r->min_good, "%s", st->cfg->min_good);
    return s;
}

/* Check 1: the model as given. The built-in check makes the failing build, whose tactics every
 * later check pins; with --replay they are kept beside the replay file, so a resumed run pins
 * the same ones. */
static xc_status first_check(search *q, rd_cand *full, int *passed)
{
    rd_state *st = q->st;
    snprintf(full->what, sizeof full->what, "the model as given (%d nodes)", full->n_nodes);
    snprintf(full->tag, sizeof full->tag, "original");
    if (xc_check_external(&st->cfg->base.command)) return rd_check(st, full, passed);
    uint64_t key = rd_cand_key(st, full);
    if (st->cfg->replay)
        sibling(st->cfg->replay, ".tactics.json", st->tactics, sizeof st->tactics);
    else
        snprintf(st->tactics, sizeof st->tactics, "%s/check_failing_tactics.json", st->s.dir);
    if (st->cfg->replay && access(st->tactics, R_OK) == 0 && rd_replayed(st, key, full->what, passed)) return XC_OK;
    char path[sizeof st->tactics];
    memcpy(path, st->tactics, sizeof path);
    st->tactics[0] = 0; /* the failing build is built as given */
    xc_engine *e = NULL;
    xc_debug_verdict v;
    xc_status s = !xc_debug_isolating(&st->s)
                      ? xc_debug_failing_build(&st->s, &e, passed) /* --isolate: in a child, */
                      : xc_debug_check_saving(&st->s, &st->s.cfg->ocl, "the build as given", path, passed, &v);
    if (s == XC_OK && !e) xc_debug_say_faults(&st->s, v.faults); /* so this process stays free of OpenCL (isolate.c) */
    st->last_iteration = st->s.failed_iteration < 0 ? 0 : st->s.failed_iteration;
    if (s == XC_OK && e) s = xc_tactics_save_engine(e, path);
    xc_engine_free(e);
    memcpy(st->tactics, path, sizeof path);
    return s == XC_OK ? rd_record_verdict(st, key, *passed) : s;
}

static xc_status reduce(rd_state *st)
{
    search q = {.st = st, .N = st->g->n_nodes};
    q.allowed = calloc(q.N + 1, 1);
    q.outs = malloc(sizeof(int) * (st->n_values + 1));
    if (!q.allowed || !q.outs) return free(q.allowed), free(q.outs), nomem();
    rd_cand full, fin = {0}, pruned = {0};
    int passed = 0, t = 0, checked = 0, n = crossing(st, q.N, q.outs);
    memset(q.allowed, 1, q.N);
    xc_status s =
        n ? rd_cand_make(st, q.allowed, q.outs, n, &full)
          : xc_fail(XC_ERR_USAGE, "%s: no graph output is computed by a node: nothing to reduce", st->cfg->base.model_path);
    if (s != XC_OK) return free(q.allowed), free(q.outs), s;
    st->rep->nodes_before = q.N;
    s = first_check(&q, &full, &passed);
    st->rep->outcome = passed ? XC_DEBUG_PASSES : XC_DEBUG_FOUND;
    if (s == XC_OK && !passed) {
        q.best_fail = full;
        q.best_fail_iter = st->last_iteration;
        memset(&full, 0, sizeof full);
        t = -1; /* --no-reduce-outputs: the graph's outputs stay */
        if (!st->cfg->no_reduce_outputs) s = outputs_phase(&q, &t);
    }
    if (s == XC_OK && !passed) s = inputs_phase(&q, t, &fin, &checked);
    if (s == XC_OK && !passed && !st->cfg->no_reduce_inputs) s = prune_branches(&q, &fin, &pruned);
    int done = 0;
    if (s == XC_OK && !passed && !st->cfg->no_reduce_inputs && pruned.n_nodes < fin.n_nodes) {
        s = judge(&q, &pruned, &done, 0);
        done = s == XC_OK && !done; /* failing: the pruned candidate is the best failing one */
    }
    if (s == XC_OK && !passed && !done && !checked) {
        snprintf(fin.what, sizeof fin.what, "the reduced model (%d nodes), confirmed", fin.n_nodes);
        s = judge(&q, &fin, &done, 0);
        st->rep->monotone = s != XC_OK || !done; /* passing: the phases contradict each other */
    }
    if (s == XC_OK && st->rep->outcome == XC_DEBUG_FOUND) {
        s = write_result(&q, &q.best_fail, q.best_fail_iter);
    }
    if (s == XC_OK && st->rep->outcome == XC_DEBUG_FOUND) s = write_min_good(&q);
    rd_cand_free(&full);
    rd_cand_free(&fin);
    rd_cand_free(&pruned);
    rd_cand_free(&q.best_fail);
    rd_cand_free(&q.good);
    free(q.allowed);
    free(q.outs);
    return s;
}

xc_status xc_debug_reduce(const xc_reduce_config *c, xc_reduce_report *r)
{
    memset(r, 0, sizeof *r);
    r->monotone = 1;
    if (!c->base.output) return xc_fail(XC_ERR_USAGE, "debug reduce: give the reduced model's path with -o");
    xc_status v = xc_check_command_validate(&c->base.command);
    if (v != XC_OK) return xc_error_prefix(v, "debug reduce: ");
    if (c->freeze_inputs && !xc_check_external(&c->base.command))
        return xc_fail(XC_ERR_USAGE,
                       "debug reduce: --inputs-as constants needs --check: the OpenCL engine folds every node whose "
                       "inputs are all constant on the reference, so frozen candidates would never run on it");
    XC_TRY(xc_debug_check_outputs(&c->base, NULL));
    XC_TRY(xc_debug_check_file_writable(c->min_good, "--min-good"));
    XC_TRY(xc_debug_check_file_writable(c->replay, "--replay"));
    rd_state st;
    memset(&st, 0, sizeof st);
    st.cfg = c;
    st.rep = r;
    xc_status s = xc_debug_open(&c->base, &st.dr, &st.s);
    if (s == XC_OK) {
        st.g = st.s.model->graph;
        st.check_id = check_identity(c);
        s = rd_index(&st);
    }
    if (s == XC_OK) s = rd_replay_load(&st);
    if (s == XC_OK) s = reduce(&st);
    r->n_checks = st.dr.n_checks;
    if (st.g) rd_index_free(&st);
    free(st.records);
    xc_debug_close(&st.s);
    return s;
}

void xc_reduce_report_free(xc_reduce_report *r)
{
    free(r->command);
    r->command = NULL;
}

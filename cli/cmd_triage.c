/* cmd_triage.c — `crosscheck triage MODEL [build options]`: parses the options into an
 * xc_triage_config, prints one progress line per step on stderr and the verdict on stdout
 * (the work is in src/triage.c). Exit 0 no divergence, 1 divergence, 2 errors. */
#include "cli.h"
#include "options.h"
#include "ocl_group.h"
#include "triage.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *description =
    "The first command to run on a model whose OpenCL engine disagrees with the reference. It\n"
    "builds the engine, compares it layer by layer with the reference, then runs the debug tools\n"
    "the evidence points to: 'debug precision' for an fp16 engine, 'debug tactics' when the first\n"
    "divergent layer runs a non-baseline tactic, 'debug fusions' when it is a fused group (the\n"
    "first that explains the failure ends this); then 'debug reduce' cuts the model down to the\n"
    "culprit's minimal failing model. When the outputs pass but layers fail, the tools search the\n"
    "model cut at the first divergent layer (DIR/model_cut.onnx). It writes\n"
    "DIR/report.html (self-contained: per-layer error chart, graph with the overlay, culprit,\n"
    "minimal model, reproduce and fix commands, timings) and the same as DIR/report.json.\n"
    "Progress: one line per step (and per check of the tools) on stderr.";

typedef struct triage_args {
    xc_triage_config c;
    cli_strings kept; /* the options `run` understands, as typed: for the printed commands */
    cli_strings load;
    cli_ocl_group ocl; /* the OpenCL build options (shared with run, build, debug), kept as typed */
    int no_isolate;
} triage_args;

static int keep2(triage_args *t, const char *opt, const char *v)
{
    return (cli_strings_push(&t->kept, opt) && cli_strings_push(&t->kept, v)) || (cli_out_of_memory("triage"), 0);
}

static int seed_option(void *user, const char *v)
{
    triage_args *t = user;
    long n;
    if (!cli_long("triage", "--seed", v, &n)) return 0;
    t->c.base.inputs.seed = (uint64_t)n;
    return keep2(t, "--seed", v);
}

static int iterations_option(void *user, const char *v)
{
    triage_args *t = user;
    long n;
    if (!cli_long_in("triage", "--iterations", v, 1, 1000, &n)) return 0;
    t->c.base.iterations = (int)n;
    return keep2(t, "--iterations", v);
}

static int tolerance(triage_args *t, const char *opt, const char *v)
{
    char *copy = cli_keep(strdup(v)); /* names live as long as the run */
    if (!copy) return cli_out_of_memory("triage"), 0;
    if (xc_tolerance_spec_add(&t->c.base.tol, opt + 2, copy) != XC_OK) return cli_error(), 0;
    return keep2(t, opt, v);
}
static int atol_option(void *user, const char *v) { return tolerance(user, "--atol", v); }
static int rtol_option(void *user, const char *v) { return tolerance(user, "--rtol", v); }

static void progress(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "[triage] %s\n", line);
}

static void print_verdict(const xc_triage_report *r)
{
    const xc_triage_layer *f = r->first >= 0 ? &r->layers[r->first] : NULL;
    if (!r->diverged) {
        printf("verdict: no divergence: all %d engine layers and every output within tolerance\n", r->n_layers);
    } else {
        if (r->crashed[0])
            printf("verdict: diverged: the first build or run %s (no per-layer table)\n", r->crashed);
        else
            printf("verdict: diverged: %d of %d layers fail%s\n", r->n_failed, r->n_layers,
                   r->outputs_passed ? " (outputs pass)" : "");
        if (f)
            printf("  first divergent layer: '%s' (%s, tactic %s, %s)\n", f->name, f->fusion ? "fused group" : f->kind, f->tactic,
                   f->precision);
        if (r->culprit_known) {
            printf("  culprit (%s): layer '%s', nodes %s\n", r->culprit_by, r->culprit_layer, r->culprit_nodes);
            printf("    %s\n", r->culprit_what);
        } else {
            printf("  culprit: not found\n");
        }
        if (r->minimal_model[0])
            printf("  minimal model: %s (%d of %d nodes: %s)\n", r->minimal_model, r->nodes_after, r->nodes_before,
                   r->minimal_nodes);
        if (r->fix_note) printf("  %s\n", r->fix_note);
        if (r->reproduce) printf("reproduce:\n  %s\n", r->reproduce);
        if (r->fix) printf("fix:\n  %s\n", r->fix);
        if (r->reduce_command) printf("reproduce on the minimal model:\n  %s\n", r->reduce_command);
    }
    printf("steps:");
    for (int i = 0; i < r->n_steps; i++)
        printf(" %s %.1f s%s", r->steps[i].name, r->steps[i].seconds, i + 1 < r->n_steps ? "," : "");
    printf("; total %.1f s\n", r->seconds);
    if (r->graph_note[0]) printf("graph: %s\n", r->graph_note);
    printf("wrote %s and %s\n", r->html, r->json);
}

int cmd_triage(int argc, char **argv)
{
    static triage_args t; /* large: the build options */
    memset(&t, 0, sizeof t);
    t.c.base = xc_debug_config_default();
    t.c.out_dir = "triage";
    t.ocl = (cli_ocl_group){.o = &t.c.base.ocl, .kept = &t.kept};
    const cli_option opts[] = {
        {"-o", "DIR",
         "the folder written: report.html, report.json, per_layer.json,\n"
         "graph.svg, tactics.json, minimal.onnx, ... (default triage)",
         CLI_STRING, .str = &t.c.out_dir},
        {"--seed", "N", "seed of the generated inputs (default 1); iteration i uses seed+i", CLI_CUSTOM, .parse = seed_option,
         .user = &t},
        {"--iterations", "N", "compare N input sets (default 1)", CLI_CUSTOM, .parse = iterations_option, .user = &t},
        {"--load-inputs", "PATH", "inputs from .pb files or test_data_set folders instead", CLI_LIST, .list = &t.load},
        {"--atol", "[NAME:]X", "absolute tolerance (default: run's dtype-aware one)", CLI_CUSTOM, .parse = atol_option,
         .user = &t},
        {"--rtol", "[NAME:]X", "relative tolerance", CLI_CUSTOM, .parse = rtol_option, .user = &t},
        {"--no-reduce", NULL, "do not cut the model down to the culprit (debug reduce)", CLI_FLAG, .flag = &t.c.no_reduce},
        {"--no-graph", NULL, "do not draw the graph (large models: Graphviz time)", CLI_FLAG, .flag = &t.c.no_graph},
        {"--no-isolate", NULL,
         "run every step in this process (default: each step that builds an\n"
         "engine in a child, so a driver crash or hang is a failing step)",
         CLI_FLAG, .flag = &t.no_isolate},
        {0}};
    const cli_command c = {.name = "triage",
                           .positional = "MODEL",
                           .description = description,
                           .options = opts,
                           .epilogue =
                               "Exit status: 0 no divergence, 1 divergence (culprit in the report), 2 usage, model or\n"
                               "device error."};
    int rc = cli_parse_ocl(c, &t.ocl, "OpenCL build options (the build to triage)", argc, argv, &t.c.base.model_path);
    if (rc >= 0) return rc;
    for (int k = 0; k < t.load.n; k++) {
        if (!cli_strings_push(&t.kept, k ? t.load.v[k] : "--load-inputs") || (!k && !cli_strings_push(&t.kept, t.load.v[k])))
            return cli_out_of_memory("triage");
    }
    t.c.base.load_inputs = t.load.v;
    t.c.base.n_load_inputs = t.load.n;
    if (t.ocl.used) { /* the same shapes feed both the generated inputs and the engine */
        t.c.base.inputs.shapes = t.ocl.shapes;
        t.c.base.inputs.n_shapes = t.c.base.ocl.n_shapes;
    }
    t.c.base.isolate = !t.no_isolate;
    t.c.base.ocl.progress = cli_ocl_progress();
    t.c.base.progress = progress;
    t.c.build_args = t.kept.v;
    t.c.n_build_args = t.kept.n;
    static xc_triage_report r;
    xc_status s = xc_triage(&t.c, &r);
    if (s != XC_OK) {
        rc = cli_error();
        if (r.html[0]) fprintf(stderr, "crosscheck triage: the report so far: %s\n", r.html);
    } else {
        print_verdict(&r);
        rc = r.diverged ? 1 : 0;
    }
    xc_triage_report_free(&r);
    return rc;
}

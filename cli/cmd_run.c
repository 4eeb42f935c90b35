/* cmd_run.c — `crosscheck run MODEL --ref --ocl ...`: parses options into an xc_run_config,
 * runs, prints the report (run_print.c) and optionally writes it as JSON. Exit 0 when every
 * comparison passes, 1 on mismatch, 2 on usage, model or runtime errors. */
#include "cli.h"
#include "compare_options.h"
#include "ocl_group.h"
#include "runner_options.h"
#include "run_json.h"
#include "run_pictures.h"
#include "run_print.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *description =
    "Runs MODEL on the runners given, in order (default: the reference alone), and compares every\n"
    "runner against the first (or --compare-to) on every iteration. Without MODEL, saved result\n"
    "sets are compared with each other, by output name:\n"
    "  crosscheck run --load-outputs SET SET... [options]";

static const char *epilogue =
    "Colour on a terminal unless NO_COLOR is set.\n"
    "Exit status: 0 all comparisons passed, 1 mismatch, 2 usage, model or runtime error.";

/* A whole number of bytes with an optional K, M or G: nan, inf and 3.5 are refused. */
static int parse_bytes(const char *cmd, const char *v, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = v[0] >= '0' && v[0] <= '9' ? strtoull(v, &end, 10) : 0;
    int shift = 0;
    if (n) shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : 0;
    if (shift) end++;
    if (!n || errno || *end || n > (SIZE_MAX >> shift))
        return cli_usage_error(cmd, "--memory-limit expects a whole number of bytes like 64M (suffix K, M or G), got '%s'", v), 0;
    *out = (size_t)n << shift;
    return 1;
}

typedef struct run_args {
    xc_run_config c;
    const char *json, *heatmaps, *error_plot;
    const char **load_in; /* argc slots: no list can hold more arguments than that */
    int argc;
    cli_runners runners;
    cli_ocl_group ocl;
    xc_val_range *ranges; /* --val-range (cli_compare) */
    int cap_ranges;
} run_args;

/* The option groups run shares with other commands (cli_group.parse). */
static int runner_group(void *user, int argc, char **argv, int *i)
{
    return cli_runner_option(argc, argv, i, "run", &((run_args *)user)->runners);
}

static int compare_group(void *user, int argc, char **argv, int *i)
{
    run_args *ra = user;
    xc_run_config *c = &ra->c;
    cli_compare cc = {&c->tol,        &c->checks,  &c->inputs, &ra->ranges,      &ra->cap_ranges,
                      &c->iterations, ra->load_in, ra->argc,   &c->n_load_inputs};
    return cli_compare_option(argc, argv, i, "run", &cc);
}

static int memory_limit(void *user, const char *v) { return parse_bytes("run", v, user); }

/* Parses argv into ra: -1 to go on, else the exit status (--help: 0, a usage error: 2). */
static int parse_run(run_args *ra, int argc, char **argv)
{
    xc_run_config *c = &ra->c;
    int accumulated = 0, isolated = 0;
    long verdict = -1;
    cli_strings mark = {0}, args = {0};
    const cli_option opts[] = {
        {"--compare-to", "NAME",
         "compare against this runner (its kind: ref, ocl, ...; or the NAME\n"
         "an --exec-runner was given; ocl@1 for --ocl@1)",
         CLI_STRING, .str = &c->compare_to},
        {"--save-inputs", "DIR", "write the inputs", CLI_STRING, .str = &c->save_inputs},
        {"--save-outputs", "DIR", "write inputs and outputs (input_K.pb, output_K.pb, index.json)", CLI_STRING,
         .str = &c->save_outputs},
        {"--outputs", "NAME|mark all",
         "also keep these intermediate tensors (names or globs such as\n"
         "'conv*'; 'mark all': every node output); --save-outputs writes\n"
         "them (role layer). The OpenCL engine keeps only what it\n"
         "materializes: a tensor inside a fused layer is reported with the\n"
         "--no-fuse-node that keeps it",
         CLI_LIST, .list = &mark},
        {"--validate", NULL, "fail outputs holding NaN or Inf", CLI_FLAG, .flag = &c->validate},
        {"--fail-fast", NULL, "stop at the first failing comparison", CLI_FLAG, .flag = &c->fail_fast},
        {"--json", "FILE", "write the whole report as JSON", CLI_STRING, .str = &ra->json},
        {"--save-heatmaps", "DIR", "write a heat map of |out - ref| per comparison (PNG, one a file)", CLI_STRING,
         .str = &ra->heatmaps},
        {"--save-error-plot", "FILE", "write |out - ref| against |ref| per comparison (SVG, log-log)", CLI_STRING,
         .str = &ra->error_plot},
        {"--per-layer|--per-layer=accumulated", NULL,
         "compare every tensor the OpenCL engine materializes with the\n"
         "reference (fusions kept) and name the first divergent layer;\n"
         "with --load-outputs GOLDEN instead of an engine: every saved\n"
         "intermediate tensor against the reference, node by node;\n"
         "a failing row fails the run, as a failing output does",
         CLI_FLAG, .flag = &accumulated},
        {"--per-layer=isolated", NULL, "--per-layer feeding each layer the reference's inputs (local error)", CLI_FLAG,
         .flag = &isolated},
        {"--per-layer-verdict", NULL,
         "what decides with --per-layer: every row and output (layers, the\n"
         "default, as Polygraphy's mark all) or the outputs alone",
         CLI_CHOICE, .whole = &verdict, .choices = "layers|outputs"},
        {"--first-nan", NULL, "each runner's first layer producing NaN or Inf", CLI_FLAG, .flag = &c->first_nan},
        {"--memory-limit", "BYTES", "fail rather than hold more host tensor bytes (K, M, G suffixes)", CLI_CUSTOM,
         .parse = memory_limit, .user = &c->memory_limit},
        {0}};
    const cli_group groups[] = {
        {runner_group, ra, "runners", NULL, cli_runner_help},
        {compare_group, ra, "data and verdicts (shared with the debug tools)", cli_compare_help_full, NULL},
        {cli_ocl_group_option, &ra->ocl, "OpenCL build options", NULL, cli_ocl_group_help},
        {0}};
    const cli_command cmd = {.name = "run",
                             .positional = "[MODEL]",
                             .description = description,
                             .options = opts,
                             .args = &args,
                             .max_args = 1,
                             .groups = groups,
                             .epilogue = epilogue};
    ra->ocl = (cli_ocl_group){.cmd = "run", .o = &c->ocl};
    int rc = cli_parse(&cmd, argc, argv);
    if (rc >= 0) return rc;
    if (accumulated && isolated) return cli_usage_error("run", "--per-layer and --per-layer=isolated: give one");
    if (accumulated || isolated) c->per_layer = isolated ? XC_PER_LAYER_ISOLATED : XC_PER_LAYER_ACCUMULATED;
    if (verdict >= 0) c->per_layer_outputs_only = verdict == 1;
    c->mark = mark.v;
    c->n_mark = mark.n;
    c->model_path = args.n ? args.v[0] : NULL;
    c->inputs.shapes = ra->ocl.shapes; /* the same shapes feed both the generated inputs and the engine */
    c->inputs.n_shapes = c->ocl.n_shapes;
    return -1;
}

int cmd_run(int argc, char **argv)
{
    const char *cmd = "run";
    run_args *ra = calloc(1, sizeof *ra);
    if (ra) ra->load_in = cli_keep(calloc((size_t)argc, sizeof *ra->load_in));
    if (!ra || !ra->load_in) return free(ra), cli_out_of_memory(cmd);
    ra->argc = argc;
    ra->c = xc_run_config_default();
    xc_run_config *c = &ra->c;
    ra->runners = (cli_runners){.specs = c->runners, .n = &c->n_runners, .max = XC_MAX_RUNNERS, .timeout = &c->exec_timeout};
    int rc = parse_run(ra, argc, argv);
    if (rc >= 0) {
        free(ra);
        return rc;
    }
    rc = 2;
    c->ocl.progress = cli_ocl_progress();
    if (!c->model_path && !ra->runners.n_paths) { /* without a model: saved results compared with each other */
        cli_usage_error(cmd, "no MODEL given");
        goto out;
    }
    c->load_inputs = ra->load_in;
    int has_live = 0;
    for (int k = 0; k < c->n_runners; k++) has_live |= !xc_runner_type_find(c->runners[k].kind)->without_model;
    if (c->model_path && c->n_runners && !has_live) { /* only saved results: compare them with the reference, run first */
        if (c->n_runners == XC_MAX_RUNNERS) {
            cli_usage_error(cmd, "at most %d runners", XC_MAX_RUNNERS - 1);
            goto out;
        }
        memmove(&c->runners[1], &c->runners[0], sizeof c->runners[0] * (size_t)c->n_runners);
        c->runners[0] = (xc_runner_spec){.kind = "ref"};
        c->n_runners++;
    }
    xc_run_report rep;
    xc_status s = xc_run(c, &rep);
    if (s != XC_OK) {
        rc = cli_error();
        xc_run_report_free(&rep);
        goto out;
    }
    run_print_report(&rep, c);
    rc = rep.passed ? 0 : 1;
    if (ra->json && xc_run_report_save_json(&rep, c, ra->json) != XC_OK) rc = cli_error();
    int n_files;
    if (ra->heatmaps) {
        if (xc_run_save_heatmaps(&rep, ra->heatmaps, &n_files) != XC_OK)
            rc = cli_error();
        else
            printf("saved %d heat map%s to %s\n", n_files, n_files == 1 ? "" : "s", ra->heatmaps);
    }
    if (ra->error_plot) {
        if (xc_run_save_error_plot(&rep, ra->error_plot, &n_files) != XC_OK)
            rc = cli_error();
        else
            printf("saved an error plot of %d comparison%s to %s\n", n_files, n_files == 1 ? "" : "s", ra->error_plot);
    }
    xc_run_report_free(&rep);
out:
    free(ra);
    return rc;
}

/* cmd_run.c — `crosscheck run MODEL --ref --ocl ...`: parses options into an xc_run_config,
 * runs, prints the report (run_print.c) and optionally writes it as JSON. Exit 0 when every
 * comparison passes, 1 on mismatch, 2 on usage, model or runtime errors. */
#include "cli.h"
#include "compare_options.h"
#include "ocl_options.h"
#include "runner_options.h"
#include "run_json.h"
#include "run_pictures.h"
#include "run_print.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: crosscheck run MODEL [runners] [options]\n"
    "       crosscheck run --load-outputs SET SET... [options]\n\n"
    "Runs MODEL on the runners given, in order (default: the reference alone), and compares every\n"
    "runner against the first (or --compare-to) on every iteration. Without MODEL, saved result\n"
    "sets (--load-outputs A B) are compared with each other, by output name.\n\n"
    "Runners:\n";

static const char *help_rest =
    "  --compare-to NAME          compare against this runner (its kind: ref, ocl, ...; or the NAME\n"
    "                             an --exec-runner was given; ocl@1 for --ocl@1)\n\n"
    "Data:\n"
    "  --seed N                   seed for generated inputs (default 1); iteration i uses seed+i\n"
    "  --iterations N             run and compare N input sets (default 1)\n"
    "  --val-range [NAME:][LO,HI] range of generated values (default [0,1]; integers [0,3])\n"
    "  --input-shapes NAME:[D,..] fix an input's shape (symbolic dims default to 1)\n"
    "  --load-inputs PATH...      inputs: .pb files, test_data_set or results folders\n"
    "  --save-inputs DIR          write the inputs\n"
    "  --save-outputs DIR         write inputs and outputs (input_K.pb, output_K.pb, index.json)\n"
    "  --outputs NAME...|mark all also keep these intermediate tensors (names or globs such as\n"
    "                             'conv*'; 'mark all': every node output); --save-outputs writes\n"
    "                             them (role layer). The OpenCL engine keeps only what it\n"
    "                             materializes: a tensor inside a fused layer is reported with the\n"
    "                             --no-fuse-node that keeps it\n\n"
    "Verdicts:\n"
    "  --atol [NAME:]X            absolute tolerance (per output with NAME; repeatable)\n"
    "  --rtol [NAME:]X            relative tolerance\n"
    "  --check-error-stat [NAME:]elemwise|max|mean|median|quantile   (default elemwise)\n"
    "  --error-quantile [NAME:]Q  quantile for --check-error-stat quantile (default 0.99)\n"
    "  --tolerance-preset auto|polygraphy   defaults when no --atol/--rtol: dtype-aware (auto:\n"
    "                             float32 1e-4, fp16 1e-2, atol scaled by the RMS of the\n"
    "                             reference, integers exact; NaN matches NaN, Inf the same Inf)\n"
    "                             or Polygraphy's (1e-5; NaN never matches, Inf only with\n"
    "                             --infinities-compare-equal)\n"
    "  --infinities-compare-equal an infinity matches the same infinity (polygraphy preset)\n"
    "  --allclose                 numpy.allclose's rule instead of Polygraphy's\n"
    "  --validate                 fail outputs holding NaN or Inf\n"
    "  --fail-fast                stop at the first failing comparison\n"
    "  --json FILE                write the whole report as JSON\n\n"
    "Layer by layer:\n"
    "  --per-layer[=isolated]     compare every tensor the OpenCL engine materializes with the\n"
    "                             reference (fusions kept) and name the first divergent layer;\n"
    "                             isolated: feed each layer the reference's inputs (local error);\n"
    "                             with --load-outputs GOLDEN instead of an engine: every saved\n"
    "                             intermediate tensor against the reference, node by node;\n"
    "                             a failing row fails the run, as a failing output does\n"
    "  --per-layer-verdict layers|outputs  what decides with --per-layer: every row and output\n"
    "                             (default, as Polygraphy's mark all) or the outputs alone\n"
    "  --first-nan                each runner's first layer producing NaN or Inf\n"
    "  --memory-limit BYTES       fail rather than hold more host tensor bytes (K, M, G suffixes)\n\n"
    "OpenCL build options:\n%s"
    "Colour on a terminal unless NO_COLOR is set.\n"
    "Exit status: 0 all comparisons passed, 1 mismatch, 2 usage, model or runtime error.\n";

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
    const char **load_in, **mark; /* argc slots each: no list can hold more arguments than that */
    cli_runners runners;
    xc_input_shape shapes[XC_MAX_NAMED];
    xc_val_range ranges[XC_MAX_NAMED];
} run_args;

/* Returns 1 when argv[*i] was a run option (consumed), 0 if not, -1 after an error. */
static int run_option(int argc, char **argv, int *i, run_args *ra)
{
    const char *cmd = "run", *a = argv[*i], *v;
    xc_run_config *c = &ra->c;
    int taken = cli_runner_option(argc, argv, i, cmd, &ra->runners);
    if (taken) return taken;
    if (!strcmp(a, "--outputs"))
        return cli_list(argc, argv, i, ra->mark, argc, &c->n_mark)
                   ? (c->mark = ra->mark, 1)
                   : (cli_usage_error(cmd, "--outputs needs tensor names, globs or 'mark all'"), -1);
    if (!strcmp(a, "--validate")) return c->validate = 1, 1;
    if (!strcmp(a, "--fail-fast")) return c->fail_fast = 1, 1;
    if (!strcmp(a, "--first-nan")) return c->first_nan = 1, 1;
    if (!strcmp(a, "--per-layer") || !strcmp(a, "--per-layer=accumulated")) return c->per_layer = XC_PER_LAYER_ACCUMULATED, 1;
    if (!strcmp(a, "--per-layer=isolated")) return c->per_layer = XC_PER_LAYER_ISOLATED, 1;
    if (!strcmp(a, "--per-layer-verdict")) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (strcmp(v, "layers") && strcmp(v, "outputs"))
            return cli_usage_error(cmd, "--per-layer-verdict is layers or outputs, not '%s'", v), -1;
        return c->per_layer_outputs_only = !strcmp(v, "outputs"), 1;
    }
    if (!strncmp(a, "--per-layer=", 12)) return cli_usage_error(cmd, "--per-layer takes =isolated or =accumulated"), -1;
    cli_compare cc = {&c->tol, &c->checks, &c->inputs, ra->ranges, &c->iterations, ra->load_in, argc, &c->n_load_inputs};
    if ((taken = cli_compare_option(argc, argv, i, cmd, &cc)) != 0) return taken;
    if (!(strcmp(a, "--save-inputs") && strcmp(a, "--save-outputs") && strcmp(a, "--compare-to") && strcmp(a, "--json")
          && strcmp(a, "--memory-limit") && strcmp(a, "--save-heatmaps") && strcmp(a, "--save-error-plot"))) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (!strcmp(a, "--save-inputs")) return c->save_inputs = v, 1;
        if (!strcmp(a, "--save-outputs")) return c->save_outputs = v, 1;
        if (!strcmp(a, "--compare-to")) return c->compare_to = v, 1;
        if (!strcmp(a, "--json")) return ra->json = v, 1;
        if (!strcmp(a, "--save-heatmaps")) return ra->heatmaps = v, 1;
        if (!strcmp(a, "--save-error-plot")) return ra->error_plot = v, 1;
        return parse_bytes(cmd, v, &c->memory_limit) ? 1 : -1; /* --memory-limit */
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    const char *cmd = "run";
    run_args *ra = calloc(1, sizeof *ra);
    if (ra) ra->load_in = cli_keep(calloc((size_t)argc, sizeof *ra->load_in));
    if (ra) ra->mark = cli_keep(calloc((size_t)argc, sizeof *ra->mark));
    if (!ra || !ra->load_in || !ra->mark) return free(ra), cli_out_of_memory(cmd);
    ra->c = xc_run_config_default();
    xc_run_config *c = &ra->c;
    ra->runners = (cli_runners){.specs = c->runners, .n = &c->n_runners, .max = XC_MAX_RUNNERS, .timeout = &c->exec_timeout};
    int r = 0, rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            cli_runner_help();
            printf(help_rest, cli_ocl_help);
            free(ra);
            return 0;
        }
        if ((r = run_option(argc, argv, &i, ra)) != 0 || (r = cli_ocl_option(argc, argv, &i, cmd, &c->ocl, ra->shapes)) != 0) {
            if (r < 0) goto out;
            /* the same shapes feed both the generated inputs and the engine */
            c->inputs.shapes = ra->shapes;
            c->inputs.n_shapes = c->ocl.n_shapes;
        } else if (!cli_positional(cmd, a, &c->model_path)) {
            goto out;
        }
    }
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

/* cmd_run.c — `crosscheck run MODEL --ref ...`: parses options into an xc_run_config and prints
 * the report. Exit 0 when every compared output passes, 1 on mismatch, 2 on errors. */
#include "cli.h"
#include "ocl_options.h"
#include "runner.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: crosscheck run MODEL [--ref] [--ocl | --plan FILE.plan] [options]\n\n"
    "Runs MODEL on the runners given, in order (default: the reference alone), and compares every\n"
    "runner after the first against the first; with --load-outputs, the first against the file.\n\n"
    "  --ref                      the CPU reference interpreter\n"
    "  --ocl                      the OpenCL engine, built now (options below)\n"
    "  --plan FILE.plan           the OpenCL engine of a plan made by 'crosscheck build'\n"
    "  --load-inputs PATH...      inputs: TensorProto .pb files or test_data_set folders\n"
    "                             (matched to graph inputs by name, else by position)\n"
    "  --load-outputs PATH...     expected outputs (.pb files or test_data_set folders)\n"
    "  --save-outputs DIR         write inputs and outputs (input_K.pb, output_K.pb, index.json)\n"
    "  --seed N                   seed for generated inputs (default 1)\n"
    "  --input-shapes NAME:[D,..] fix an input's shape (repeatable; symbolic dims default to 1)\n"
    "  --atol X, --rtol X         tolerances (default 1e-5 each, Polygraphy's rule: an element\n"
    "                             fails if abs error > atol AND rel error > rtol)\n\n"
    "Generated inputs: uniform [0,1) floats, integers in [0,3], random bools.\n"
    "OpenCL build options:\n%s"
    "Exit status: 0 all compared outputs passed, 1 mismatch, 2 usage, model or runtime error.\n";

#define MAX_LIST 256

/* Collects the non-option arguments following option i into list. */
static int take_list(int argc, char **argv, int *i, const char **list, int *n)
{
    int start = *n;
    while (*i + 1 < argc && argv[*i + 1][0] != '-' && *n < MAX_LIST) list[(*n)++] = argv[++*i];
    return *n > start;
}

static void print_values(const char *label, const xc_tensor *t)
{
    size_t n = xc_tensor_numel(t);
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    for (size_t i = 0; i < n; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
    }
    char desc[256];
    printf("  %-10s %s", label, xc_tensor_desc(t, desc, sizeof desc));
    if (n) printf("  mean=%.6g min=%.6g max=%.6g", sum / (double)n, lo, hi);
    printf("\n");
}

static void print_comparison(const xc_compare_result *c, const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol)
{
    char a[256], b[256];
    if (c->shape_mismatch) {
        printf("  FAILED   shape mismatch: got %s, expected %s\n", xc_tensor_desc(out, a, sizeof a), xc_tensor_desc(ref, b, sizeof b));
        return;
    }
    printf("  abs error  max=%.4g mean=%.4g median=%.4g\n", c->max_abs, c->mean_abs, c->median_abs);
    printf("  rel error  max=%.4g mean=%.4g median=%.4g\n", c->max_rel, c->mean_rel, c->median_rel);
    printf("  worst      index %zu: got %.9g, expected %.9g\n", c->worst_index, c->worst_out, c->worst_ref);
    printf("  minimum required tolerance: elemwise [abs=%.4g] OR [rel=%.4g]\n", c->min_atol, c->min_rtol);
    printf("  %s  %zu of %zu elements beyond atol=%g rtol=%g\n", c->passed ? "PASSED" : "FAILED", c->n_failed, c->count,
           tol->atol, tol->rtol);
}

int cmd_run(int argc, char **argv)
{
    const char *cmd = "run", *v;
    xc_run_config c = xc_run_config_default();
    const char *load_in[MAX_LIST], *load_out[MAX_LIST];
    xc_input_shape shapes[XC_MAX_NAMED];
    int r;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            printf(help, cli_ocl_help);
            return 0;
        } else if (!strcmp(a, "--ref")) {
            c.use_ref = 1;
        } else if (!strcmp(a, "--ocl")) {
            c.use_ocl = 1;
        } else if (!strcmp(a, "--plan")) {
            if (!(c.plan = cli_value(argc, argv, &i, cmd))) return 2;
            c.use_ocl = 1;
        } else if (!strcmp(a, "--input-shapes")) {
            int r = cli_ocl_option(argc, argv, &i, cmd, &c.ocl, shapes);
            if (r < 0) return 2;
            c.inputs.shapes = shapes; /* the same shapes feed both the inputs and the engine */
            c.inputs.n_shapes = c.ocl.n_shapes;
        } else if ((r = cli_ocl_option(argc, argv, &i, cmd, &c.ocl, shapes)) != 0) {
            if (r < 0) return 2;
        } else if (!strcmp(a, "--load-inputs")) {
            if (!take_list(argc, argv, &i, load_in, &c.n_load_inputs)) return cli_usage_error(cmd, "--load-inputs needs a path");
        } else if (!strcmp(a, "--load-outputs")) {
            if (!take_list(argc, argv, &i, load_out, &c.n_load_outputs)) return cli_usage_error(cmd, "--load-outputs needs a path");
        } else if (!strcmp(a, "--save-outputs")) {
            if (!(c.save_outputs = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(a, "--seed")) {
            long seed;
            if (!(v = cli_value(argc, argv, &i, cmd)) || !cli_long(cmd, a, v, &seed)) return 2;
            c.inputs.seed = (uint64_t)seed;
        } else if (!strcmp(a, "--atol") || !strcmp(a, "--rtol")) {
            if (!(v = cli_value(argc, argv, &i, cmd)) || !cli_double(cmd, a, v, a[2] == 'a' ? &c.tol.atol : &c.tol.rtol)) return 2;
        } else if (!cli_positional(cmd, a, &c.model_path)) {
            return 2;
        }
    }
    if (!c.model_path) return cli_usage_error(cmd, "no MODEL given");
    c.load_inputs = load_in;
    c.load_outputs = load_out;
    c.inputs.shapes = shapes;
    xc_run_report rep;
    if (xc_run(&c, &rep) != XC_OK) {
        xc_run_report_free(&rep);
        return cli_error();
    }
    for (int k = 0; k < rep.n_runners; k++) printf("[%s] ran %s in %.3f s\n", rep.runners[k].name, c.model_path, rep.runners[k].seconds);
    for (int i = 0; i < rep.inputs.n; i++) print_values(i ? "" : "inputs", rep.inputs.t[i]);
    for (int o = 0; o < rep.n_outputs; o++) {
        printf("output '%s'\n", rep.model->graph->outputs[o].name);
        for (int k = 0; k < rep.n_runners; k++) print_values(rep.runners[k].name, rep.runners[k].outputs[o]);
        for (int k = 0; k < rep.n_comparisons; k++) {
            const xc_comparison *cmp = &rep.comparisons[k];
            if (!cmp->reference[o]) continue;
            if (cmp->against < 0) print_values("expected", cmp->reference[o]);
            printf("  %s vs %s\n", rep.runners[cmp->runner].name, cmp->against < 0 ? "expected" : rep.runners[cmp->against].name);
            print_comparison(&cmp->outputs[o], rep.runners[cmp->runner].outputs[o], cmp->reference[o], &c.tol);
        }
    }
    int rc = 0;
    if (rep.compared) {
        printf("%s: %d output comparison%s\n", rep.passed ? "PASSED" : "FAILED", rep.compared, rep.compared > 1 ? "s" : "");
        rc = rep.passed ? 0 : 1;
    } else if (c.n_load_outputs) {
        fprintf(stderr, "crosscheck run: none of the loaded outputs matches a graph output\n");
        rc = 2;
    }
    if (c.save_outputs) printf("saved inputs and outputs to %s\n", c.save_outputs);
    xc_run_report_free(&rep);
    return rc;
}

/* cmd_debug.c — `crosscheck debug tactics|fusions|precision MODEL ...`: parses the options into
 * an xc_debug_config, prints the library's progress lines and the verdict with the command that
 * reproduces the fix. Exit 0 when a culprit is found (or nothing fails), 1 when the tool cannot
 * explain the failure, 2 on errors. */
#include "cli.h"
#include "debug.h"
#include "debug_reduce.h"
#include "ocl_options.h"
#include "runner_options.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: crosscheck debug tactics|fusions|precision MODEL [options]\n"
    "       crosscheck debug reduce MODEL -o MIN.onnx [options]   (debug reduce --help)\n\n"
    "Finds what makes the OpenCL engine of MODEL disagree with the reference, by rebuilding it with\n"
    "parts switched to a safe alternative and bisecting (one line per check):\n"
    "  tactics    layers whose tactic is not the baseline -> the baseline; writes a replay file\n"
    "             that avoids the culprits (-o, default debug_tactics.json; --load-tactics reads it)\n"
    "  fusions    fused groups -> unfused (--no-fuse-node); names the group, its nodes and passes,\n"
    "             and which single --disable-fusion PASS fixes it\n"
    "  precision  (with --fp16) fp16 layers -> fp32; writes the layers to keep in fp32 (-o, default\n"
    "             debug_precision.json; --layer-precision-file reads it)\n\n"
    "  -o FILE                    the file written\n"
    "  --iterations N             check N input sets (seeds seed..seed+N-1; default 1)\n"
    "  --seed N                   seed of the generated inputs (default 1)\n"
    "  --load-inputs PATH...      inputs from .pb files or a test_data_set folder instead\n"
    "  --atol [NAME:]X, --rtol [NAME:]X  tolerances (Polygraphy's rule; default: run's dtype-aware\n"
    "                             ones, e.g. 1e-4 for float32, 1e-2 under --fp16)\n"
    "  --mode bisect|linear       search by bisection (default) or one candidate at a time\n"
    "  --direction forward|reverse  search from the front (default) or the back\n"
    "  --artifacts-dir DIR        keep every check's files (the tactics each check pinned)\n"
    "  --exec-runner NAME='CMD'   compare the engine with this runner instead of the reference\n"
    "                             (any runner option of 'crosscheck run', e.g. an external command)\n\n"
    "OpenCL build options (the failing build):\n%s"
    "Exit status: 0 culprit found (or nothing fails), 1 failure not explained, 2 errors.\n";

#define MAX_ARGS 512

typedef struct cli_debug {
    const char *tool;
    xc_debug_config c;
    const char *load[MAX_ARGS];
    const char *kept[MAX_ARGS];  /* the arguments `run` understands, for the reproducing command */
    int n_kept;
    xc_input_shape shapes[XC_MAX_NAMED];
    xc_reduce_config reduce;     /* debug reduce's own options */
    cli_runners golden;          /* the runner the engine is compared with (default: the reference) */
} cli_debug;

static void progress(void *user, const char *line) { printf("[debug %s] %s\n", (const char *)user, line); fflush(stdout); }

static void keep(cli_debug *d, int from, int to, char **argv)
{
    for (int k = from; k <= to && d->n_kept < MAX_ARGS; k++) d->kept[d->n_kept++] = argv[k];
}

/* Parses one debug-only option at argv[*i]: 1 taken, 0 not ours, -1 error (printed). */
static int debug_option(cli_debug *d, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *cmd = "debug", *v;
    long n;
    if (!strcmp(a, "-o")) return (d->c.output = cli_value(argc, argv, i, cmd)) ? 1 : -1;
    if (!strcmp(a, "--artifacts-dir")) return (d->c.artifacts_dir = cli_value(argc, argv, i, cmd)) ? 1 : -1;
    if (!strcmp(a, "--iterations")) {
        if (!(v = cli_value(argc, argv, i, cmd)) || !cli_long(cmd, a, v, &n)) return -1;
        if (n < 1 || n > 1000) return cli_usage_error(cmd, "--iterations takes 1..1000"), -1;
        return d->c.iterations = (int)n, 1;
    }
    if (!strcmp(a, "--mode")) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (strcmp(v, "bisect") && strcmp(v, "linear")) return cli_usage_error(cmd, "--mode is bisect or linear, not '%s'", v), -1;
        return d->c.mode = strcmp(v, "bisect") ? XC_DEBUG_LINEAR : XC_DEBUG_BISECT, 1;
    }
    if (!strcmp(a, "--direction")) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (strcmp(v, "forward") && strcmp(v, "reverse")) return cli_usage_error(cmd, "--direction is forward or reverse, not '%s'", v), -1;
        return d->c.reverse = !strcmp(v, "reverse"), 1;
    }
    return 0;
}

/* Options `run` shares: the inputs and the tolerance. */
static int data_option(cli_debug *d, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *cmd = "debug", *v;
    long seed;
    if (!strcmp(a, "--seed")) {
        if (!(v = cli_value(argc, argv, i, cmd)) || !cli_long(cmd, a, v, &seed)) return -1;
        return d->c.inputs.seed = (uint64_t)seed, 1;
    }
    if (!strcmp(a, "--atol") || !strcmp(a, "--rtol")) {
        char *copy;
        if (!(v = cli_value(argc, argv, i, cmd)) || !(copy = cli_keep(strdup(v)))) return -1; /* names live as long as the run */
        return xc_tolerance_spec_add(&d->c.tol, a + 2, copy) == XC_OK ? 1 : (cli_error(), -1);
    }
    if (!strcmp(a, "--load-inputs")) {
        while (*i + 1 < argc && argv[*i + 1][0] != '-' && d->c.n_load_inputs < MAX_ARGS) d->load[d->c.n_load_inputs++] = argv[++*i];
        return d->c.n_load_inputs ? 1 : (cli_usage_error(cmd, "--load-inputs needs a path"), -1);
    }
    return 0;
}

static void print_command(const cli_debug *d, const char *fix)
{
    static char line[65536];
    size_t o = 0;
    xc_debug_shell_arg(line, sizeof line, &o, "crosscheck");
    xc_debug_shell_arg(line, sizeof line, &o, "run");
    xc_debug_shell_arg(line, sizeof line, &o, d->c.model_path);
    xc_debug_golden_args(&d->c, line, sizeof line, &o); /* --ref, or the runner given */
    o += (size_t)snprintf(line + o, o < sizeof line ? sizeof line - o : 0, " --ocl");
    for (int k = 0; k < d->n_kept; k++) xc_debug_shell_arg(line, sizeof line, &o, d->kept[k]);
    printf(" %s%s\n", line, fix ? fix : ""); /* fix: arguments the library quoted */
}

static int verdict(const cli_debug *d, const xc_debug_report *r)
{
    const char *t = d->tool;
    int bound = 2 * (int)ceil(log2(r->n_candidates > 1 ? r->n_candidates : 2)) + 4;
    if (r->outcome == XC_DEBUG_PASSES) {
        printf("verdict: the build passes (%d check): nothing to debug\n", r->n_checks);
        return 0;
    }
    if (r->outcome == XC_DEBUG_UNEXPLAINED) {
        printf("verdict: with all %d candidates switched the build still fails: this is not a %s problem", r->n_candidates,
               !strcmp(t, "tactics") ? "tactic" : !strcmp(t, "fusions") ? "fusion" : "precision");
        printf(" (try %s)\n", !strcmp(t, "tactics") ? "'crosscheck debug fusions' or 'debug precision'"
                              : !strcmp(t, "fusions") ? "'crosscheck debug tactics' or 'debug precision'"
                                                      : "'crosscheck debug tactics' or 'debug fusions'");
        printf("reproduce the failure:\n");
        print_command(d, NULL);
        return 1;
    }
    printf("verdict (%d checks over %d candidates; bound for one culprit 2*ceil(log2 N)+4 = %d):\n", r->n_checks, r->n_candidates, bound);
    for (int k = 0; k < r->n_culprits; k++) {
        const xc_debug_culprit *c = &r->culprits[k];
        if (!strcmp(t, "tactics"))
            printf("  layer '%s' (nodes %s) with tactic %s is wrong; tactic %s (baseline) is right\n", c->layer, c->nodes, c->bad, c->good);
        else if (!strcmp(t, "fusions"))
            printf("  fused group '%s' (nodes %s; pass %s) is wrong; unfused it is right\n", c->layer, c->nodes, c->bad);
        else
            printf("  layer '%s' (nodes %s) must stay in fp32\n", c->layer, c->nodes);
    }
    if (!strcmp(t, "fusions"))
        printf(r->pass_fix[0] ? "  pass level: --disable-fusion %s alone fixes it\n" : "  pass level: no single --disable-fusion of the culprits' passes fixes it\n",
               r->pass_fix);
    if (r->written[0]) printf("wrote %s\n", r->written);
    printf("reproduce the failure:\n");
    print_command(d, NULL);
    printf("and the fix:\n");
    print_command(d, r->fix_args);
    if (r->pass_fix[0]) {
        char alt[128];
        snprintf(alt, sizeof alt, " --disable-fusion %s", r->pass_fix);
        print_command(d, alt);
    }
    return 0;
}

int cmd_debug(int argc, char **argv)
{
    static cli_debug d; /* large: the option lists */
    memset(&d, 0, sizeof d);
    d.c = xc_debug_config_default();
    if (argc < 2 || cli_is_help(argv[1])) {
        printf(help, cli_ocl_help);
        return argc < 2 ? 2 : 0;
    }
    d.tool = argv[1];
    xc_status (*tool)(const xc_debug_config *, xc_debug_report *) = !strcmp(d.tool, "tactics")   ? xc_debug_tactics
                                                                   : !strcmp(d.tool, "fusions")   ? xc_debug_fusions
                                                                   : !strcmp(d.tool, "precision") ? xc_debug_precision
                                                                                                  : NULL;
    int reduce = !strcmp(d.tool, "reduce");
    if (!tool && !reduce) return cli_usage_error("debug", "unknown tool '%s' (tactics, fusions, precision or reduce)", d.tool);
    d.reduce = xc_reduce_config_default();
    d.golden = (cli_runners){.specs = d.c.against, .n = &d.c.n_against, .max = 1, .timeout = &d.c.exec_timeout};
    for (int i = 2; i < argc; i++) {
        int start = i, r;
        if (cli_is_help(argv[i])) {
            printf(reduce ? "%s\nOpenCL build options:\n%s" : help, reduce ? cli_reduce_help : cli_ocl_help, cli_ocl_help);
            return 0;
        }
        if (reduce && (r = cli_reduce_option(&d.reduce, argc, argv, &i)) != 0) {
            if (r < 0) return 2;
        } else if ((r = debug_option(&d, argc, argv, &i)) != 0) {
            if (r < 0) return 2;
        } else if ((r = cli_runner_option(argc, argv, &i, "debug", &d.golden)) != 0) {
            if (r < 0) return 2;
        } else if ((r = data_option(&d, argc, argv, &i)) != 0 || (r = cli_ocl_option(argc, argv, &i, "debug", &d.c.ocl, d.shapes)) != 0) {
            if (r < 0) return 2;
            keep(&d, start, i, argv);
        } else if (!cli_positional("debug", argv[i], &d.c.model_path)) {
            return 2;
        }
    }
    if (!d.c.model_path) return cli_usage_error("debug", "no MODEL given");
    d.c.load_inputs = d.load;
    d.c.ocl.progress = cli_ocl_progress(); /* the failing build's tuning (later checks pin every tactic) */
    d.c.progress = progress;
    d.c.user = (void *)d.tool;
    if (reduce) {
        d.reduce.base = d.c;
        return cli_reduce_run(&d.reduce);
    }
    static xc_debug_report rep;
    int rc = tool(&d.c, &rep) != XC_OK ? cli_error() : verdict(&d, &rep);
    xc_debug_report_free(&rep);
    return rc;
}

/* cmd_debug.c — `crosscheck debug tactics|fusions|precision MODEL ...`: parses the options into
 * an xc_debug_config, prints the library's progress lines and the verdict with the command that
 * reproduces the fix. Exit 0 when a culprit is found (or nothing fails), 1 when the tool cannot
 * explain the failure, 2 on errors. */
#include "cli.h"
#include "compare_options.h"
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
    "       crosscheck debug build|repeat MODEL --until good|bad|N [--max-runs N] [options]\n"
    "       crosscheck debug reduce MODEL -o MIN.onnx [options]   (debug reduce --help)\n\n"
    "Finds what makes the OpenCL engine of MODEL disagree with the reference, by rebuilding it with\n"
    "parts switched to a safe alternative and bisecting (one line per check):\n"
    "  tactics    layers whose tactic is not the baseline -> the baseline; writes a replay file\n"
    "             that avoids the culprits (-o, default debug_tactics.json; --load-tactics reads it)\n"
    "  fusions    fused groups -> unfused (--no-fuse-node); names the group, its nodes and passes,\n"
    "             and which single --disable-fusion PASS fixes it\n"
    "  precision  (with --fp16, --int8 or a Q/DQ model) layers up the ladder int8 -> fp16 (with\n"
    "             --fp16) -> fp32; writes the precision each culprit needs (-o, default\n"
    "             debug_precision.json; --layer-precision-file reads it)\n"
    "  build      rebuilds (tuning anew) and checks each build, until a good one, a bad one or N\n"
    "  repeat     builds once and checks the same engine (or runs --check) again, likewise\n"
    "             (--max-runs N bounds good/bad, default 100; exit 0 when met, for N when all good)\n\n"
    "  -o FILE                    the file written\n"
    "  --iterations N             check N input sets (generated set k from seed + k; default: as\n"
    "                             many as loaded, else 1; more than loaded: the rest generated)\n"
    "  --seed N                   seed of the generated inputs (default 1)\n"
    "  --load-inputs PATH...      input sets: .pb files, test_data_set or results folders, globs\n"
    "                             ('data/test_data_set_*'); each folder one set\n"
    "  --validate-sets N          check a fix found on N fresh generated sets before reporting it\n"
    "                             (default 3; 0: no)\n"
    "  comparison options of run (default tolerances: run's dtype-aware ones, e.g. 1e-4 for\n"
    "  float32, 1e-2 under --fp16):\n%s"
    "  --per-layer-verdict layers|outputs  what fails a built-in check: every tensor the engine\n"
    "                             and the reference both compute, by run --per-layer's rule, so an\n"
    "                             error the outputs mask still fails (layers: the default; precision:\n"
    "                             outputs) or the graph outputs alone (outputs)\n"
    "  --mode bisect|linear       search by bisection (default) or one candidate at a time\n"
    "  --direction forward|reverse  search from the front (default) or the back\n"
    "  --artifacts-dir DIR        keep every check's files (the tactics each check pinned)\n"
    "  --isolate, --no-isolate    run each built-in check in a child process (default: on), so a\n"
    "                             crash or a hang is a failing check and the search goes on\n"
    "  --check-timeout S          seconds an isolated check may take (default 600)\n"
    "  --check CMD...             judge each candidate by this command (every argument after\n"
    "                             --check) instead of comparing with the reference: {plan} is the\n"
    "                             candidate's engine plan (appended without {plan}/{tactics}),\n"
    "                             {tactics} its replay file, {model} the model\n"
    "  --fail-code N              only exit status N fails (repeatable; default: any non-zero)\n"
    "  --ignore-fail-code N       exit status N does not fail (repeatable)\n"
    "  --fail-regex RE            the command fails when its output matches RE (repeatable;\n"
    "                             POSIX extended; with a code option: a failing status and a match)\n"
    "  --show-output              print the command's output under each check\n"
    "  --interactive              judge each candidate yourself: its files are printed, then\n"
    "                             'good or bad? [g/b]' is read from stdin (end of input: error)\n"
    "  --exec-runner NAME='CMD'   compare the engine with this runner instead of the reference\n"
    "                             (any runner option of 'crosscheck run', e.g. an external command)\n\n"
    "OpenCL build options (the failing build):\n%s"
    "Exit status: 0 culprit found (or nothing fails), 1 failure not explained or the fix fails on\n"
    "fresh inputs, 2 errors.\n";

typedef struct cli_debug {
    const char *tool;
    xc_debug_until until; /* debug build|repeat */
    int until_count, max_runs;
    xc_debug_config c;
    const char **load; /* argc slots: no list can hold more arguments than that */
    const char **kept; /* (argc slots) the arguments `run` understands, for the reproducing command */
    int n_kept;
    xc_input_shape shapes[XC_MAX_NAMED];
    xc_val_range ranges[XC_MAX_NAMED];
    xc_reduce_config reduce; /* debug reduce's own options */
    cli_runners golden;      /* the runner the engine is compared with (default: the reference) */
} cli_debug;

static void progress(void *user, const char *line)
{
    printf("[debug %s] %s\n", (const char *)user, line);
    fflush(stdout);
}

static void keep(cli_debug *d, int from, int to, char **argv)
{
    for (int k = from; k <= to; k++) d->kept[d->n_kept++] = argv[k];
}

/* Parses one debug-only option at argv[*i]: 1 taken, 0 not ours, -1 error (printed). */
static int debug_option(cli_debug *d, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *cmd = "debug", *v;
    long n;
    if (!strcmp(a, "-o")) return (d->c.output = cli_value(argc, argv, i, cmd)) ? 1 : -1;
    if (!strcmp(a, "--artifacts-dir")) return (d->c.artifacts_dir = cli_value(argc, argv, i, cmd)) ? 1 : -1;
    if (!strcmp(a, "--until")) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (!strcmp(v, "good") || !strcmp(v, "bad")) return d->until = v[0] == 'g' ? XC_UNTIL_GOOD : XC_UNTIL_BAD, 1;
        if (!cli_long_in(cmd, a, v, 1, 100000, &n)) return -1;
        return d->until = XC_UNTIL_COUNT, d->until_count = (int)n, 1;
    }
    if (!strcmp(a, "--max-runs")) {
        if (!(v = cli_value(argc, argv, i, cmd)) || !cli_long_in(cmd, a, v, 1, 100000, &n)) return -1;
        return d->max_runs = (int)n, 1;
    }
    if (!strcmp(a, "--isolate") || !strcmp(a, "--no-isolate")) return d->c.isolate = a[2] == 'i', 1;
    if (!strcmp(a, "--per-layer-verdict")) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (strcmp(v, "layers") && strcmp(v, "outputs"))
            return cli_usage_error(cmd, "--per-layer-verdict is layers or outputs, not '%s'", v), -1;
        return d->c.judge = strcmp(v, "layers") ? XC_DEBUG_JUDGE_OUTPUTS : XC_DEBUG_JUDGE_LAYERS, 1;
    }
    if (!strcmp(a, "--check-timeout")) {
        double t;
        if (!(v = cli_value(argc, argv, i, cmd)) || !cli_double_in(cmd, a, v, 1e-3, 1e9, &t)) return -1;
        return d->c.check_timeout = t, 1;
    }
    if (!strcmp(a, "--validate-sets")) {
        if (!(v = cli_value(argc, argv, i, cmd)) || !cli_long_in(cmd, a, v, 0, 1000, &n)) return -1;
        return d->c.validate_sets = (int)n, 1;
    }
    if (!strcmp(a, "--mode")) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (strcmp(v, "bisect") && strcmp(v, "linear"))
            return cli_usage_error(cmd, "--mode is bisect or linear, not '%s'", v), -1;
        return d->c.mode = strcmp(v, "bisect") ? XC_DEBUG_LINEAR : XC_DEBUG_BISECT, 1;
    }
    if (!strcmp(a, "--direction")) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (strcmp(v, "forward") && strcmp(v, "reverse"))
            return cli_usage_error(cmd, "--direction is forward or reverse, not '%s'", v), -1;
        return d->c.reverse = !strcmp(v, "reverse"), 1;
    }
    return 0;
}

/* --interactive: the question on stdout, one answer line from stdin (0 at the end of input). */
static int ask_terminal(void *user, const char *question, char *buf, size_t len)
{
    (void)user;
    fputs(question, stdout);
    fflush(stdout);
    if (!fgets(buf, (int)len, stdin)) return putchar('\n'), 0;
    buf[strcspn(buf, "\n")] = 0;
    return 1;
}

/* --check CMD... (the rest of the command line) and how its result is read, for every tool. */
static int check_option(cli_debug *d, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *cmd = "debug", *v;
    xc_check_command *c = &d->c.command;
    long n;
    if (!strcmp(a, "--check")) {
        if (*i + 1 >= argc) return cli_usage_error(cmd, "--check needs a command"), -1;
        c->argv = (const char *const *)argv + *i + 1;
        c->argc = argc - *i - 1;
        *i = argc - 1;
        return 1;
    }
    if (!strcmp(a, "--show-output")) return c->show_output = 1, 1;
    if (!strcmp(a, "--interactive")) return c->interactive = 1, c->ask = ask_terminal, 1;
    if (strcmp(a, "--fail-regex") && strcmp(a, "--fail-code") && strcmp(a, "--ignore-fail-code")) return 0;
    if (!(v = cli_value(argc, argv, i, cmd))) return -1;
    int *count = !strcmp(a, "--fail-regex")  ? &c->n_fail_regex
                 : !strcmp(a, "--fail-code") ? &c->n_fail_codes
                                             : &c->n_ignore_codes;
    if (*count == XC_CHECK_MAX_LIST) return cli_usage_error(cmd, "at most %d %s", XC_CHECK_MAX_LIST, a), -1;
    if (!strcmp(a, "--fail-regex")) return c->fail_regex[c->n_fail_regex++] = v, 1;
    if (!cli_long_in(cmd, a, v, 0, 255, &n)) return -1;
    if (!strcmp(a, "--fail-code")) return c->fail_codes[c->n_fail_codes++] = (int)n, 1;
    return c->ignore_codes[c->n_ignore_codes++] = (int)n, 1;
}

/* Options `run` shares: the inputs and how outputs are judged (run's own parser). */
static int data_option(cli_debug *d, int argc, char **argv, int *i)
{
    cli_compare cc = {&d->c.tol, &d->c.checks, &d->c.inputs, d->ranges, &d->c.iterations, d->load, argc, &d->c.n_load_inputs};
    return cli_compare_option(argc, argv, i, "debug", &cc);
}

static void print_command(const cli_debug *d, const xc_debug_report *r, const char *fix)
{
    static char line[65536];
    size_t o = 0;
    xc_debug_shell_arg(line, sizeof line, &o, "crosscheck");
    xc_debug_shell_arg(line, sizeof line, &o, "run");
    xc_debug_shell_arg(line, sizeof line, &o, d->c.model_path);
    xc_debug_golden_args(&d->c, line, sizeof line, &o); /* --ref, or the runner given */
    o += (size_t)snprintf(line + o, o < sizeof line ? sizeof line - o : 0, " --ocl");
    for (int k = 0; k < d->n_kept; k++) xc_debug_shell_arg(line, sizeof line, &o, d->kept[k]);
    printf(" %s%s%s\n", line, r->judged_layers ? " --per-layer" : "", fix ? fix : ""); /* fix: arguments the library quoted */
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
               !strcmp(t, "tactics")   ? "tactic"
               : !strcmp(t, "fusions") ? "fusion"
                                       : "precision");
        printf(" (try %s)\n", !strcmp(t, "tactics")   ? "'crosscheck debug fusions' or 'debug precision'"
                              : !strcmp(t, "fusions") ? "'crosscheck debug tactics' or 'debug precision'"
                                                      : "'crosscheck debug tactics' or 'debug fusions'");
        printf("reproduce the failure:\n");
        print_command(d, r, NULL);
        return 1;
    }
    printf("verdict (%d checks over %d candidates; bound for one culprit 2*ceil(log2 N)+4 = %d):\n", r->n_checks, r->n_candidates,
           bound);
    for (int k = 0; k < r->n_culprits; k++) {
        const xc_debug_culprit *c = &r->culprits[k];
        if (!strcmp(t, "tactics"))
            printf("  layer '%s' (nodes %s) with tactic %s is wrong; tactic %s (baseline) is right\n", c->layer, c->nodes, c->bad,
                   c->good);
        else if (!strcmp(t, "fusions"))
            printf("  fused group '%s' (nodes %s; pass %s) is wrong; unfused it is right\n", c->layer, c->nodes, c->bad);
        else
            printf("  layer '%s' (nodes %s) must %s in %s (%s fails)\n", c->layer, c->nodes,
                   strcmp(c->bad, "fp16") ? "run" : "stay", c->good, c->bad);
    }
    if (!strcmp(t, "fusions"))
        printf(r->pass_fix[0] ? "  pass level: --disable-fusion %s alone fixes it\n"
                              : "  pass level: no single --disable-fusion of the culprits' passes fixes it\n",
               r->pass_fix);
    if (!xc_check_external(&d->c.command))
        printf("every check ran %d input set%s (%d loaded, %d generated)\n", r->n_sets, r->n_sets == 1 ? "" : "s",
               r->n_loaded_sets, r->n_sets - r->n_loaded_sets);
    if (!r->validated_sets)
        printf("the fix was not validated on fresh inputs (%s)\n", d->c.command.interactive ? "--interactive judges"
                                                                   : d->c.command.argv      ? "--check judges"
                                                                                            : "--validate-sets 0");
    else if (r->validation_passed)
        printf("the fix was validated on %d fresh generated input set%s (seeds %llu-%llu): it passes\n", r->validated_sets,
               r->validated_sets == 1 ? "" : "s", r->validation_seed,
               r->validation_seed + (unsigned long long)r->validated_sets - 1);
    else
        printf(
            "THE FIX FAILS ON FRESH INPUTS: fresh set %d of %d (seed %llu): %s\n"
            "  it holds only for the inputs searched; check more sets (--iterations N, --load-inputs ...)\n",
            r->validation_failed_set + 1, r->validated_sets, r->validation_seed + (unsigned long long)r->validation_failed_set,
            r->validation_why);
    if (r->written[0]) printf("wrote %s\n", r->written);
    printf("reproduce the failure:\n");
    print_command(d, r, NULL);
    printf("and the fix:\n");
    print_command(d, r, r->fix_args);
    if (r->pass_fix[0]) {
        char alt[128];
        snprintf(alt, sizeof alt, " --disable-fusion %s", r->pass_fix);
        print_command(d, r, alt);
    }
    return r->validated_sets && !r->validation_passed ? 1 : 0;
}

/* debug build|repeat: the runs made and whether the condition was met. */
static int repeat_verdict(const cli_debug *d, const xc_debug_repeat_report *r)
{
    const char *run = !strcmp(d->tool, "build") ? "build" : "run";
    printf("verdict: %d %s%s: %d good, %d bad", r->runs, run, r->runs == 1 ? "" : "s", r->good, r->bad);
    if (r->first_good) printf("; first good: %s %d", run, r->first_good);
    if (r->first_bad) printf("; first bad: %s %d", run, r->first_bad);
    printf("\n");
    if (d->until != XC_UNTIL_COUNT && !r->met)
        printf("no %s %s in %d %ss (--max-runs)\n", d->until == XC_UNTIL_GOOD ? "good" : "bad", run, r->runs, run);
    if (d->c.artifacts_dir)
        printf("each %s's tactics kept in %s/good/ and %s/bad/ (check_NN_tactics.json; --load-tactics replays one)\n", run,
               d->c.artifacts_dir, d->c.artifacts_dir);
    if (d->until == XC_UNTIL_COUNT) return r->bad ? 1 : 0;
    return r->met ? 0 : 1;
}

int cmd_debug(int argc, char **argv)
{
    static cli_debug d; /* large: the option lists */
    memset(&d, 0, sizeof d);
    d.c = xc_debug_config_default();
    if (argc < 2 || cli_is_help(argv[1])) {
        printf(help, cli_compare_help, cli_ocl_help);
        return argc < 2 ? 2 : 0;
    }
    d.tool = argv[1];
    xc_status (*tool)(const xc_debug_config *, xc_debug_report *) = !strcmp(d.tool, "tactics")     ? xc_debug_tactics
                                                                    : !strcmp(d.tool, "fusions")   ? xc_debug_fusions
                                                                    : !strcmp(d.tool, "precision") ? xc_debug_precision
                                                                                                   : NULL;
    int reduce = !strcmp(d.tool, "reduce"), repeat = !strcmp(d.tool, "build") || !strcmp(d.tool, "repeat");
    if (!tool && !reduce && !repeat)
        return cli_usage_error("debug", "unknown tool '%s' (tactics, fusions, precision, reduce, build or repeat)", d.tool);
    d.load = cli_keep(calloc((size_t)argc, sizeof *d.load));
    d.kept = cli_keep(calloc((size_t)argc, sizeof *d.kept));
    if (!d.load || !d.kept) return cli_out_of_memory("debug");
    d.until_count = 1;
    d.max_runs = 100;
    d.reduce = xc_reduce_config_default();
    d.golden = (cli_runners){.specs = d.c.against, .n = &d.c.n_against, .max = 1, .timeout = &d.c.exec_timeout};
    for (int i = 2; i < argc; i++) {
        int start = i, r;
        if (cli_is_help(argv[i])) {
            printf(reduce ? "%s\nOpenCL build options:\n%s" : help, reduce ? cli_reduce_help : cli_compare_help, cli_ocl_help);
            return 0;
        }
        if (reduce && (r = cli_reduce_option(&d.reduce, argc, argv, &i)) != 0) {
            if (r < 0) return 2;
        } else if ((r = debug_option(&d, argc, argv, &i)) != 0 || (r = check_option(&d, argc, argv, &i)) != 0) {
            if (r < 0) return 2;
        } else if ((r = cli_runner_option(argc, argv, &i, "debug", &d.golden)) != 0) {
            if (r < 0) return 2;
        } else if ((r = data_option(&d, argc, argv, &i)) != 0
                   || (r = cli_ocl_option(argc, argv, &i, "debug", &d.c.ocl, d.shapes)) != 0) {
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
    if (repeat) {
        xc_debug_repeat_report rr;
        int count = d.until == XC_UNTIL_COUNT ? d.until_count : d.max_runs;
        return xc_debug_repeat(&d.c, !strcmp(d.tool, "build"), d.until, count, &rr) != XC_OK ? cli_error()
                                                                                             : repeat_verdict(&d, &rr);
    }
    static xc_debug_report rep;
    int rc = tool(&d.c, &rep) != XC_OK ? cli_error() : verdict(&d, &rep);
    xc_debug_report_free(&rep);
    return rc;
}

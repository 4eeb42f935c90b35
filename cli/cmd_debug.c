/* cmd_debug.c — `crosscheck debug tactics|fusions|precision MODEL ...`: parses the options into
 * an xc_debug_config, prints the library's progress lines and the verdict with the command that
 * reproduces the fix. Exit 0 when a culprit is found (or nothing fails), 1 when the tool cannot
 * explain the failure, 2 on errors. */
#include "cli.h"
#include "compare_options.h"
#include "debug.h"
#include "debug_reduce.h"
#include "ocl_group.h"
#include "runner_options.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *description =
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
    "             (--max-runs N bounds good/bad, default 100; exit 0 when met, for N when all good)\n"
    "  crosscheck debug build|repeat MODEL --until good|bad|N [--max-runs N] [options]\n"
    "  crosscheck debug reduce MODEL -o MIN.onnx [options]   (debug reduce --help)";

/* The data and comparison options as the debug tools take them (their group's help). */
static const char *data_help =
    "  --iterations N             check N input sets (generated set k from seed + k; default: as\n"
    "                             many as loaded, else 1; more than loaded: the rest generated)\n"
    "  --seed N                   seed of the generated inputs (default 1)\n"
    "  --load-inputs PATH...      input sets: .pb files, test_data_set or results folders, globs\n"
    "                             ('data/test_data_set_*'); each folder one set\n"
    "  comparison options of run (default tolerances: run's dtype-aware ones, e.g. 1e-4 for\n"
    "  float32, 1e-2 under --fp16):\n";

static const char *epilogue =
    "Exit status: 0 culprit found (or nothing fails), 1 failure not explained or the fix fails on\n"
    "fresh inputs, 2 errors.";

typedef struct cli_debug {
    const char *tool;
    xc_debug_until until; /* debug build|repeat */
    int until_count, max_runs;
    xc_debug_config c;
    const char **load; /* argc slots: no list can hold more arguments than that */
    int argc;
    cli_strings kept; /* the arguments `run` understands, for the reproducing command */
    cli_ocl_group ocl;
    xc_val_range *ranges; /* --val-range (cli_compare) */
    int cap_ranges;
    cli_strings fail_regex;         /* --fail-regex (c.command borrows these lists) */
    int *fail_codes, *ignore_codes; /* --fail-code, --ignore-fail-code */
    int cap_fail_codes, cap_ignore_codes;
    xc_reduce_config reduce; /* debug reduce's own options */
    cli_runners golden;      /* the runner the engine is compared with (default: the reference) */
} cli_debug;

static void progress(void *user, const char *line)
{
    printf("[debug %s] %s\n", (const char *)user, line);
    fflush(stdout);
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

/* The custom values of the table: --until, the exit codes and regexes of --check. */
static int until_value(void *user, const char *v)
{
    cli_debug *d = user;
    long n;
    if (!strcmp(v, "good") || !strcmp(v, "bad")) return d->until = v[0] == 'g' ? XC_UNTIL_GOOD : XC_UNTIL_BAD, 1;
    if (!cli_long_in("debug", "--until", v, 1, 100000, &n)) return 0;
    return d->until = XC_UNTIL_COUNT, d->until_count = (int)n, 1;
}

static int fail_regex(void *user, const char *v)
{
    cli_debug *d = user;
    if (!cli_strings_push(&d->fail_regex, v)) return cli_out_of_memory("debug"), 0;
    d->c.command.fail_regex = d->fail_regex.v;
    d->c.command.n_fail_regex = d->fail_regex.n;
    return 1;
}

/* Appends exit status v of option to *list (growing: *cap slots, kept until exit). */
static int exit_code(int **list, int *n, int *cap, const char *option, const char *v)
{
    long code;
    if (!cli_long_in("debug", option, v, 0, 255, &code)) return 0;
    if (!cli_grow(list, *n, cap, sizeof **list)) return cli_out_of_memory("debug"), 0;
    return (*list)[(*n)++] = (int)code, 1;
}

static int fail_code(void *user, const char *v)
{
    cli_debug *d = user;
    int ok = exit_code(&d->fail_codes, &d->c.command.n_fail_codes, &d->cap_fail_codes, "--fail-code", v);
    d->c.command.fail_codes = d->fail_codes;
    return ok;
}

static int ignore_code(void *user, const char *v)
{
    cli_debug *d = user;
    int ok = exit_code(&d->ignore_codes, &d->c.command.n_ignore_codes, &d->cap_ignore_codes, "--ignore-fail-code", v);
    d->c.command.ignore_codes = d->ignore_codes;
    return ok;
}

/* The option groups the debug tools share with run (cli_group.parse). */
static int runner_group(void *user, int argc, char **argv, int *i)
{
    return cli_runner_option(argc, argv, i, "debug", &((cli_debug *)user)->golden);
}

/* The inputs and how outputs are judged (run's own parser), kept for the reproducing command. */
static int data_group(void *user, int argc, char **argv, int *i)
{
    cli_debug *d = user;
    cli_compare cc = {&d->c.tol,        &d->c.checks, &d->c.inputs, &d->ranges,         &d->cap_ranges,
                      &d->c.iterations, d->load,      d->argc,      &d->c.n_load_inputs};
    int start = *i, r = cli_compare_option(argc, argv, i, "debug", &cc);
    for (int k = start; r > 0 && k <= *i; k++)
        if (!cli_strings_push(&d->kept, argv[k])) return cli_out_of_memory("debug"), -1;
    return r;
}

static int no_direction(void *user, int argc, char **argv, int *i)
{
    (void)user, (void)argc;
    if (strcmp(argv[*i], "--direction")) return 0;
    return cli_usage_error("debug reduce", "--direction is not an option of reduce (see --mode)"), -1;
}

static void data_help_print(void) { printf("%s%s", data_help, cli_compare_help); }

/* Appends the entries of table (ended by a NULL name) to opts at *n. */
static void append(cli_option *opts, int *n, const cli_option *table)
{
    while (table->name) opts[(*n)++] = *table++;
    opts[*n] = (cli_option){0};
}

/* Parses argv[1..] (argv[0] is the tool: reduce, build|repeat or another) into d: -1 to go
 * on, else the exit status. */
static int parse_debug(cli_debug *d, int reduce, int repeat, int argc, char **argv)
{
    xc_debug_config *c = &d->c;
    xc_reduce_config *r = &d->reduce;
    int isolate = 0, no_isolate = 0, interactive = 0;
    long judge = -1, mode = -1, direction = -1, max_runs = d->max_runs, validate_sets = c->validate_sets, inputs_as = -1;
    cli_strings check = {0}, args = {0};
    const cli_option common[] = {
        {"-o", "FILE",
         reduce ? "the reduced model (its inputs and reference outputs go to\nFILE_data/test_data_set_K, its tactics to "
                  "FILE.tactics.json)"
                : "the file written",
         CLI_STRING, .str = &c->output},
        {"--validate-sets", "N", "check a fix found on N fresh generated sets before reporting it\n(default 3; 0: no)", CLI_LONG,
         .whole = &validate_sets, .lo = 0, .hi = 1000},
        {"--per-layer-verdict", NULL,
         reduce ? "the built-in check fails a candidate when any tensor the\n"
                  "engine and the reference both compute fails run --per-layer's\n"
                  "rule (layers, the default: an error the outputs mask is found) or\n"
                  "only when a graph output fails (outputs)"
                : "what fails a built-in check: every tensor the engine and the\n"
                  "reference both compute, by run --per-layer's rule, so an error\n"
                  "the outputs mask still fails (layers: the default; precision:\n"
                  "outputs) or the graph outputs alone (outputs)",
         CLI_CHOICE, .whole = &judge, .choices = "layers|outputs"},
        {"--mode", NULL,
         reduce ? "bisection (default) or one node at a time" : "search by bisection (default) or one candidate at a time",
         CLI_CHOICE, .whole = &mode, .choices = "bisect|linear"},
        {"--artifacts-dir", "DIR",
         reduce ? "keep every candidate as good_NN_*.onnx / bad_NN_*.onnx"
                : "keep every check's files (the tactics each check pinned)",
         CLI_STRING, .str = &c->artifacts_dir},
        {"--isolate", NULL,
         reduce ? "run each built-in check in a child process (default: on), so a\n"
                  "crash or a hang is a failing check and the reduction goes on"
                : "run each built-in check in a child process (default: on), so a\n"
                  "crash or a hang is a failing check and the search goes on",
         CLI_FLAG, .flag = &isolate},
        {"--no-isolate", NULL, "run the built-in checks in this process", CLI_FLAG, .flag = &no_isolate},
        {"--check-timeout", "S", "seconds an isolated check may take (default 600)", CLI_DOUBLE, .num = &c->check_timeout,
         .lo = 1e-3, .hi = 1e9},
        {"--check", "CMD",
         reduce ? "judge candidates by this command instead of the built-in check\n"
                  "(every argument after --check; {model} is the candidate, else\n"
                  "appended; {inputs} a test_data_set folder of its inputs)"
                : "judge each candidate by this command (every argument after\n"
                  "--check) instead of comparing with the reference: {plan} is the\n"
                  "candidate's engine plan (appended without {plan}/{tactics}),\n"
                  "{tactics} its replay file, {model} the model",
         CLI_REST, .list = &check},
        {"--fail-code", "N", "only exit status N fails (repeatable; default: any non-zero)", CLI_CUSTOM, .parse = fail_code,
         .user = d},
        {"--ignore-fail-code", "N", "exit status N does not fail (repeatable)", CLI_CUSTOM, .parse = ignore_code, .user = d},
        {"--fail-regex", "RE",
         "the command fails when its output matches RE (repeatable;\n"
         "POSIX extended; with a code option: a failing status and a match)",
         CLI_CUSTOM, .parse = fail_regex, .user = d},
        {"--show-output", NULL, "print the command's output under each check", CLI_FLAG, .flag = &c->command.show_output},
        {"--interactive", NULL,
         reduce ? "judge candidates yourself: the candidate model and a folder of\n"
                  "its inputs are printed, 'good or bad? [g/b]' read from stdin"
                : "judge each candidate yourself: its files are printed, then\n"
                  "'good or bad? [g/b]' is read from stdin (end of input: error)",
         CLI_FLAG, .flag = &interactive},
        {0}};
    const cli_option runs[] = {{"--until", "good|bad|N", "build|repeat: stop at the first good or bad run, or after N runs",
                                CLI_CUSTOM, .parse = until_value, .user = d},
                               {"--max-runs", "N", "build|repeat: at most N runs for --until good|bad (default 100)", CLI_LONG,
                                .whole = &max_runs, .lo = 1, .hi = 100000},
                               {0}};
    const cli_option tools[] = {{"--direction", NULL, "search from the front (default) or the back", CLI_CHOICE,
                                 .whole = &direction, .choices = "forward|reverse"},
                                {0}};
    const cli_option reduce_only[] = {
        {"--inputs-as", NULL,
         "cut tensors become graph inputs (default; integer and\n"
         "constant tensors are always frozen) or initializers",
         CLI_CHOICE, .whole = &inputs_as, .choices = "inputs|constants"},
        {"--no-reduce-outputs", NULL, "keep the graph's outputs (no outputs phase)", CLI_FLAG, .flag = &r->no_reduce_outputs},
        {"--no-reduce-inputs", NULL, "keep the model's inputs (no inputs phase, no branch pruning)", CLI_FLAG,
         .flag = &r->no_reduce_inputs},
        {"--min-good", "FILE", "write the nearest passing candidate", CLI_STRING, .str = &r->min_good},
        {"--replay", "FILE", "record verdicts (JSON); a rerun takes them from it and resumes", CLI_STRING, .str = &r->replay},
        {0}};
    cli_option opts[sizeof common / sizeof *common + sizeof runs / sizeof *runs + sizeof reduce_only / sizeof *reduce_only];
    int n = 0;
    append(opts, &n, common);
    append(opts, &n, reduce ? reduce_only : tools);
    if (repeat) append(opts, &n, runs); /* build and repeat only: the others ignored them */
    const cli_group groups[] = {
        {runner_group, d, "the runner the engine is compared with (default: the reference)",
         reduce ? cli_reduce_runner_help
                : "  --exec-runner NAME='CMD'   compare the engine with this runner instead of the reference\n"
                  "                             (any runner option of 'crosscheck run', e.g. an external command)\n",
         NULL},
        {data_group, d, "data and comparison options", NULL, data_help_print},
        {cli_ocl_group_option, &d->ocl, "OpenCL build options (the failing build)", NULL, cli_ocl_group_help},
        {reduce ? no_direction : NULL, NULL, NULL, NULL, NULL},
        {0}};
    const cli_command cmd = {.name = reduce ? "debug reduce" : "debug",
                             .positional = reduce ? "MODEL" : "tactics|fusions|precision|build|repeat MODEL",
                             .description = reduce ? cli_reduce_description : description,
                             .options = opts,
                             .args = &args,
                             .max_args = 1,
                             .groups = groups,
                             .epilogue = reduce ? NULL : epilogue};
    d->ocl = (cli_ocl_group){.cmd = "debug", .o = &c->ocl, .kept = &d->kept};
    int rc = cli_parse(&cmd, argc, argv);
    if (rc >= 0) return rc;
    if (isolate && no_isolate) return cli_usage_error(cmd.name, "--isolate and --no-isolate: give one");
    if (isolate || no_isolate) c->isolate = isolate;
    if (judge >= 0) c->judge = judge ? XC_DEBUG_JUDGE_OUTPUTS : XC_DEBUG_JUDGE_LAYERS;
    if (mode >= 0) c->mode = mode ? XC_DEBUG_LINEAR : XC_DEBUG_BISECT;
    if (direction >= 0) c->reverse = direction == 1;
    if (inputs_as >= 0) r->freeze_inputs = inputs_as == 1;
    if (interactive) c->command.interactive = 1, c->command.ask = ask_terminal;
    if (check.n) c->command.argv = check.v, c->command.argc = check.n;
    d->max_runs = (int)max_runs;
    c->validate_sets = (int)validate_sets;
    c->model_path = args.n ? args.v[0] : NULL;
    return -1;
}

/* The run command reproducing the failure (with fix: the arguments the library quoted), whole:
 * returns 0 when out of memory (an error printed instead). */
static int print_command(const cli_debug *d, const xc_debug_report *r, const char *fix)
{
    xc_text line = {0};
    xc_debug_shell_arg(&line, "crosscheck");
    xc_debug_shell_arg(&line, "run");
    xc_debug_shell_arg(&line, d->c.model_path);
    xc_debug_golden_args(&d->c, &line); /* --ref, or the runner given */
    xc_text_printf(&line, " --ocl");
    for (int k = 0; k < d->kept.n; k++) xc_debug_shell_arg(&line, d->kept.v[k]);
    int ok = !line.failed;
    if (ok)
        printf(" %s%s%s\n", xc_text_str(&line), r->judged_layers ? " --per-layer" : "", fix ? fix : "");
    else
        cli_out_of_memory("debug");
    xc_text_free(&line);
    return ok;
}

static int verdict(const cli_debug *d, const xc_debug_report *r)
{
    const char *t = d->tool;
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
        return print_command(d, r, NULL) ? 1 : 2;
    }
    if (r->n_pass_checks)
        printf("verdict (%d checks over %d candidates; bound for one culprit 2*ceil(log2 N)+4 plus %d pass-level = %d):\n",
               r->n_checks, r->n_candidates, r->n_pass_checks, r->bound);
    else
        printf("verdict (%d checks over %d candidates; bound for one culprit 2*ceil(log2 N)+4 = %d):\n", r->n_checks,
               r->n_candidates, r->bound);
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
    if (!print_command(d, r, NULL)) return 2;
    printf("and the fix:\n");
    if (!print_command(d, r, xc_text_str(&r->fix_args))) return 2;
    if (r->pass_fix[0]) {
        char alt[128];
        snprintf(alt, sizeof alt, " --disable-fusion %s", r->pass_fix);
        if (!print_command(d, r, alt)) return 2;
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
        parse_debug(&d, 0, 1, 2, (char *[]){"debug", "--help", NULL}); /* the help of the table */
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
    if (!d.load) return cli_out_of_memory("debug");
    d.argc = argc;
    d.until_count = 1;
    d.max_runs = 100;
    d.reduce = xc_reduce_config_default();
    d.golden = (cli_runners){.specs = d.c.against, .n = &d.c.n_against, .max = 1, .timeout = &d.c.exec_timeout};
    int rc = parse_debug(&d, reduce, repeat, argc - 1, argv + 1);
    if (rc >= 0) return rc;
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
    rc = tool(&d.c, &rep) != XC_OK ? cli_error() : verdict(&d, &rep);
    xc_debug_report_free(&rep);
    return rc;
}

/* cmd_debug_reduce.c — `crosscheck debug reduce MODEL -o MIN.onnx ...`: options and verdict
 * (the search is in src/debug/reduce.c). Exit 0 when reduced (or nothing fails), 2 on errors. */
#include "cli.h"
#include "debug_reduce.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const cli_reduce_help =
    "usage: crosscheck debug reduce MODEL -o MIN.onnx [options]\n\n"
    "Shrinks a failing model to a small subgraph that still fails: an outputs phase finds the\n"
    "earliest tensor whose value fails, an inputs phase moves the inputs forward (cut tensors are\n"
    "fed with the reference's values), then side branches are fed too. One line per check.\n\n"
    "  -o FILE                    the reduced model (its inputs and reference outputs go to\n"
    "                             FILE_data/test_data_set_K, its tactics to FILE.tactics.json)\n"
    "  --mode bisect|linear       bisection (default) or one node at a time\n"
    "  --per-layer-verdict layers|outputs  the built-in check fails a candidate when any tensor the\n"
    "                             engine and the reference both compute fails run --per-layer's\n"
    "                             rule (layers, the default: an error the outputs mask is found) or\n"
    "                             only when a graph output fails (outputs)\n"
    "  --check CMD...             judge candidates by this command instead of the built-in check\n"
    "                             (every argument after --check; {model} is the candidate, else\n"
    "                             appended; {inputs} a test_data_set folder of its inputs);\n"
    "                             --fail-code, --ignore-fail-code, --fail-regex, --show-output\n"
    "                             as for the other tools (debug --help)\n"
    "  --interactive              judge candidates yourself: the candidate model and a folder of\n"
    "                             its inputs are printed, 'good or bad? [g/b]' read from stdin\n"
    "  --isolate, --no-isolate    run each built-in check in a child process (default: on), so a\n"
    "                             crash or a hang is a failing check and the reduction goes on\n"
    "  --check-timeout S          seconds an isolated check may take (default 600)\n"
    "  --inputs-as inputs|constants  cut tensors become graph inputs (default; integer and\n"
    "                             constant tensors are always frozen) or initializers\n"
    "  --no-reduce-outputs        keep the graph's outputs (no outputs phase)\n"
    "  --no-reduce-inputs         keep the model's inputs (no inputs phase, no branch pruning)\n"
    "  --artifacts-dir DIR        keep every candidate as good_NN_*.onnx / bad_NN_*.onnx\n"
    "  --min-good FILE            write the nearest passing candidate\n"
    "  --replay FILE              record verdicts (JSON); a rerun takes them from it and resumes\n"
    "  --iterations N, --seed N, --load-inputs PATH..., --atol X, --rtol X, and the OpenCL build\n"
    "  options: the built-in check (reference vs. the OpenCL engine, every iteration).\n"
    "  --exec-runner NAME='CMD'   the built-in check compares the engine with this runner (run on\n"
    "                             each candidate) instead of the reference. With --check: cut\n"
    "                             tensors the reference cannot compute (they depend on a node it\n"
    "                             cannot run) come from this runner (any runner option: --ocl\n"
    "                             too); when none is given or it fails, they get generated data\n"
    "                             (--val-range), as reported once\n";

int cli_reduce_option(xc_reduce_config *r, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *cmd = "debug reduce", *v;
    if (!strcmp(a, "--min-good")) return (r->min_good = cli_value(argc, argv, i, cmd)) ? 1 : -1;
    if (!strcmp(a, "--replay")) return (r->replay = cli_value(argc, argv, i, cmd)) ? 1 : -1;
    if (!strcmp(a, "--no-reduce-outputs")) return r->no_reduce_outputs = 1, 1;
    if (!strcmp(a, "--no-reduce-inputs")) return r->no_reduce_inputs = 1, 1;
    if (!strcmp(a, "--inputs-as")) {
        if (!(v = cli_value(argc, argv, i, cmd))) return -1;
        if (strcmp(v, "inputs") && strcmp(v, "constants"))
            return cli_usage_error(cmd, "--inputs-as is inputs or constants, not '%s'", v), -1;
        return r->freeze_inputs = !strcmp(v, "constants"), 1;
    }
    if (!strcmp(a, "--direction")) return cli_usage_error(cmd, "--direction is not an option of reduce (see --mode)"), -1;
    return 0;
}

int cli_reduce_run(const xc_reduce_config *c)
{
    static xc_reduce_report r;
    const xc_check_command *cmd = &c->base.command;
    if (!c->base.output) return cli_usage_error("debug reduce", "give the reduced model's path with -o");
    if (xc_debug_reduce(c, &r) != XC_OK) return cli_error();
    if (r.outcome == XC_DEBUG_PASSES) {
        printf("verdict: %s passes the check (%d check): nothing to reduce\n", c->base.model_path, r.n_checks);
        return 0;
    }
    int bound = 2 * (int)ceil(log2(r.nodes_before > 1 ? r.nodes_before : 2)) + 4;
    printf("verdict: reduced %s from %d nodes to %d in %d checks (bound for N nodes 2*ceil(log2 N)+4 = %d)", c->base.model_path,
           r.nodes_before, r.nodes_after, r.n_checks, bound);
    if (r.n_replayed) printf(", %d replayed from %s", r.n_replayed, c->replay);
    printf("\n  nodes: %s\n", r.nodes);
    if (!r.monotone)
        printf(
            "  warning: the subgraph the phases pointed at passes on its own (a flaky or context-dependent failure):\n"
            "  kept the smallest candidate seen failing\n");
    printf("wrote %s (inputs%s in %s)\n", r.written, r.outputs_saved ? " and reference outputs" : "", r.data_dir);
    if (r.min_good[0])
        printf("wrote %s (the nearest passing candidate)\n", r.min_good);
    else if (c->min_good)
        printf("--min-good: nothing written: %s\n", r.min_good_why);
    if (cmd->interactive) return printf("%s\n", r.command), 0;
    printf("reproduce the failure%s%s%s:\n %s\n", cmd->n_fail_regex ? " (it fails when the output matches '" : "",
           cmd->n_fail_regex ? cmd->fail_regex[0] : "", cmd->n_fail_regex ? "')" : "", r.command);
    return 0;
}

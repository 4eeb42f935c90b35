/* cmd_debug_reduce.c — `crosscheck debug reduce MODEL -o MIN.onnx ...`: its help and verdict
 * (its options are in cmd_debug.c's table, the search in src/debug/reduce.c). Exit 0 when
 * reduced (or nothing fails), 2 on errors. */
#include "cli.h"
#include "debug_reduce.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const cli_reduce_description =
    "Shrinks a failing model to a small subgraph that still fails: an outputs phase finds the\n"
    "earliest tensor whose value fails, an inputs phase moves the inputs forward (cut tensors are\n"
    "fed with the reference's values), then side branches are fed too. One line per check.\n"
    "  crosscheck debug reduce MODEL -o MIN.onnx [options]\n"
    "The built-in check compares the reference with the OpenCL engine (the OpenCL build options\n"
    "below) on every iteration (the data and comparison options below).";

const char *const cli_reduce_runner_help =
    "  --exec-runner NAME='CMD'   the built-in check compares the engine with this runner (run on\n"
    "                             each candidate) instead of the reference. With --check: cut\n"
    "                             tensors the reference cannot compute (they depend on a node it\n"
    "                             cannot run) come from this runner (any runner option: --ocl\n"
    "                             too); when none is given or it fails, they get generated data\n"
    "                             (--val-range), as reported once\n";

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
    if (cmd->interactive) return printf("%s\n", r.command), xc_reduce_report_free(&r), 0;
    printf("reproduce the failure");
    for (int k = 0; k < cmd->n_fail_regex; k++) /* every --fail-regex: any of them decides */
        printf("%s'%s'", k ? " or " : " (it fails when the output matches ", cmd->fail_regex[k]);
    printf("%s:\n %s\n", cmd->n_fail_regex ? ")" : "", r.command);
    xc_reduce_report_free(&r);
    return 0;
}

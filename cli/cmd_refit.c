/* cmd_refit.c — `crosscheck refit PLAN --weights NEW.onnx -o NEW.plan`: a plan with the weights
 * of a model of the same structure, its tactics kept (src/ocl/refit.c does the work). */
#include "cli.h"
#include "ocl/ocl.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static void usage(void)
{
    printf(
        "usage: crosscheck refit PLAN --weights NEW.onnx -o NEW.plan [--ocl-device N|NAME]\n\n"
        "Replaces the weights of a built engine with those of NEW.onnx, a model of the same structure\n"
        "(nodes, attributes, initializer names, dtypes and shapes): every layer keeps its tactic, none\n"
        "is timed, and what derives from weights (folded BatchNorm, Winograd and packed filters, int8\n"
        "weights and scales, fp16 copies, folded constants) is derived again. A model of another\n"
        "structure is refused naming the first difference. NEW.plan is written whole or not at all;\n"
        "NEW.plan names NEW.onnx (keep both in one folder for 'bench NEW.plan').\n");
}

int cmd_refit(int argc, char **argv)
{
    const char *cmd = "refit", *plan = NULL, *weights = NULL, *out = NULL;
    xc_ocl_build_options o = xc_ocl_build_defaults();
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage();
            return 0;
        } else if (!strcmp(argv[i], "--weights")) {
            if (!(weights = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(argv[i], "-o")) {
            if (!(out = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(argv[i], "--ocl-device")) {
            if (!(o.device = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!cli_positional(cmd, argv[i], &plan)) {
            return 2;
        }
    }
    if (!plan) return cli_usage_error(cmd, "no PLAN given");
    if (!weights) return cli_usage_error(cmd, "no --weights NEW.onnx given");
    if (!out) return cli_usage_error(cmd, "no -o NEW.plan given");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    xc_refit_summary sum;
    if (xc_ocl_plan_refit(plan, weights, &o, out, &sum) != XC_OK) return cli_error();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("refit %s with the weights of %s: %d layers, tactics kept (none timed), %.1f KiB of device weights, %.3f s\n", plan,
           weights, sum.layers, sum.weight_bytes / 1024.0,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    printf("wrote %s\n", out);
    return 0;
}

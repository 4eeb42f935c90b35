/* cmd_refit.c — `crosscheck refit PLAN --weights NEW.onnx -o NEW.plan`: a plan with the weights
 * of a model of the same structure, its tactics kept (src/ocl/refit.c does the work). */
#include "cli.h"
#include "options.h"
#include "ocl/ocl.h"
#include <stdio.h>
#include <time.h>

static const char *description =
    "Replaces the weights of a built engine with those of NEW.onnx, a model of the same structure\n"
    "(nodes, attributes, initializer names, dtypes and shapes): every layer keeps its tactic, none\n"
    "is timed, and what derives from weights (folded BatchNorm, Winograd and packed filters, int8\n"
    "weights and scales, fp16 copies, folded constants) is derived again. A model of another\n"
    "structure is refused naming the first difference. NEW.plan is written whole or not at all and\n"
    "names NEW.onnx (keep both in one folder for 'bench NEW.plan').";

int cmd_refit(int argc, char **argv)
{
    const char *weights = NULL, *out = NULL, *device = NULL, *model = NULL;
    cli_strings plans = {0};
    const cli_option opts[] = {
        {"--weights", "NEW.onnx", "the model whose weights the plan takes (required)", CLI_STRING, .str = &weights},
        {"-o", "NEW.plan", "the plan to write (required; may be PLAN itself)", CLI_STRING, .str = &out},
        {"--model", "OLD.onnx", "the model the plan was built from (default: the one the plan names, in its folder)", CLI_STRING,
         .str = &model},
        {"--ocl-device", "N|NAME", "OpenCL device (default: the first GPU, else the first device)", CLI_STRING, .str = &device},
        {0}};
    const cli_command c = {.name = "refit",
                           .positional = "PLAN",
                           .description = description,
                           .options = opts,
                           .args = &plans,
                           .min_args = 1,
                           .max_args = 1};
    int rc = cli_parse(&c, argc, argv);
    if (rc >= 0) return rc;
    if (!weights) return cli_usage_error("refit", "no --weights NEW.onnx given");
    if (!out) return cli_usage_error("refit", "no -o NEW.plan given");
    xc_ocl_build_options o = xc_ocl_build_defaults();
    o.device = device;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    xc_refit_summary sum;
    if (xc_ocl_plan_refit(plans.v[0], model, weights, &o, out, &sum) != XC_OK) return cli_error();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("refit %s with the weights of %s: %d layers, tactics kept (none timed), %.1f KiB of device weights, %.3f s\n",
           plans.v[0], weights, sum.layers, sum.weight_bytes / 1024.0,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    printf("wrote %s\n", out);
    return 0;
}

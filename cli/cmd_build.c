/* cmd_build.c — `crosscheck build MODEL -o FILE.plan`: builds the OpenCL engine and writes it. */
#include "cli.h"
#include "ocl_options.h"
#include "onnx_io.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
    printf(
        "usage: crosscheck build MODEL -o FILE.plan [options]\n\n"
        "Builds the OpenCL engine: constant folding, fusions, every applicable tactic timed per layer\n"
        "(fastest kept), fp16 storage on request, a memory plan; prints the layers and writes the plan.\n\n%s",
        cli_ocl_help);
    printf("\npasses (for --disable-fusion):");
    for (int p = 0; xc_ocl_pass_name(p); p++) printf(" %s", xc_ocl_pass_name(p));
    printf("\n");
}

int cmd_build(int argc, char **argv)
{
    const char *cmd = "build", *model = NULL, *out = NULL;
    xc_ocl_build_options o = xc_ocl_build_defaults();
    xc_input_shape shapes[XC_MAX_NAMED];
    for (int i = 1; i < argc; i++) {
        int r = cli_ocl_option(argc, argv, &i, cmd, &o, shapes);
        if (r < 0) return 2;
        if (r) continue;
        if (cli_is_help(argv[i])) {
            usage();
            return 0;
        } else if (!strcmp(argv[i], "-o")) {
            if (!(out = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!cli_positional(cmd, argv[i], &model)) {
            return 2;
        }
    }
    if (!model) return cli_usage_error(cmd, "no MODEL given");
    if (!out) return cli_usage_error(cmd, "no -o FILE.plan given");
    o.progress = cli_ocl_progress();
    xc_model *m;
    if (xc_model_load(model, &m) != XC_OK) return cli_error();
    xc_engine *e;
    if (xc_ocl_build(m, &o, &e) != XC_OK) {
        xc_model_free(m);
        return cli_error();
    }
    cli_print_engine(e);
    int rc = 0;
    if (xc_ocl_plan_save(e, out) != XC_OK)
        rc = cli_error();
    else
        printf("wrote %s\n", out);
    xc_engine_free(e);
    xc_model_free(m);
    return rc;
}

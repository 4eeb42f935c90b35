/* cmd_build.c — `crosscheck build MODEL -o FILE.plan`: builds the OpenCL engine and writes it. */
#include "cli.h"
#include "ocl_group.h"
#include "onnx_io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *description =
    "Builds the OpenCL engine: constant folding, fusions, every applicable tactic timed per layer\n"
    "(fastest kept), fp16 storage on request, a memory plan; prints the layers and writes the plan.";

/* "passes (for --disable-fusion): a b c", from the library's list (kept until exit). */
static const char *passes_line(void)
{
    static const char head[] = "passes (for --disable-fusion):";
    size_t len = sizeof head;
    for (int p = 0; xc_ocl_pass_name(p); p++) len += 1 + strlen(xc_ocl_pass_name(p));
    char *s = cli_keep(malloc(len));
    if (!s) return head;
    strcpy(s, head);
    for (int p = 0; xc_ocl_pass_name(p); p++) strcat(strcat(s, " "), xc_ocl_pass_name(p));
    return s;
}

int cmd_build(int argc, char **argv)
{
    const char *cmd = "build", *out = NULL;
    xc_ocl_build_options o = xc_ocl_build_defaults();
    const cli_option opts[] = {{"-o", "FILE.plan", "the plan to write (required)", CLI_STRING, .str = &out}, {0}};
    cli_ocl_group g = {.o = &o};
    const cli_command c = {
        .name = cmd, .positional = "MODEL", .description = description, .options = opts, .epilogue = passes_line()};
    const char *model = NULL;
    int rc = cli_parse_ocl(c, &g, "OpenCL build options", argc, argv, &model);
    if (rc >= 0) return rc;
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
    rc = 0;
    if (xc_ocl_plan_save(e, out) != XC_OK)
        rc = cli_error();
    else
        printf("wrote %s\n", out);
    xc_engine_free(e);
    xc_model_free(m);
    return rc;
}

/* ocl_group.h — the shared OpenCL build options (ocl_options.h) as the group of a command's
 * option table (options.h): the one set-up of every command that builds an engine.
 *
 *     cli_ocl_group g = {.o = &ocl};
 *     const cli_command c = {.name = "build", .positional = "MODEL", .description = d, .options = opts};
 *     int rc = cli_parse_ocl(c, &g, "OpenCL build options", argc, argv, &model);
 */
#ifndef XC_CLI_OCL_GROUP_H
#define XC_CLI_OCL_GROUP_H
#include "ocl_options.h"
#include "options.h"

typedef struct cli_ocl_group {
    const char *cmd;         /* for error messages (set by cli_parse_ocl) */
    xc_ocl_build_options *o; /* filled by the options */
    xc_input_shape *shapes;  /* --input-shapes, cap_shapes slots (o->shapes points here) */
    int cap_shapes;
    cli_strings *kept; /* when set, each option taken is appended as typed */
    int used;          /* any build option given */
} cli_ocl_group;

/* cli_group.parse for a cli_ocl_group (user). */
int cli_ocl_group_option(void *user, int argc, char **argv, int *i);
/* cli_group.print: the build options' help. */
void cli_ocl_group_help(void);
/* cli_parse for a command of one positional argument (*arg) whose options are c's table then
 * the OpenCL build options into g (their help under title): c's args, argument counts and groups
 * are filled here. Returns as cli_parse. */
int cli_parse_ocl(cli_command c, cli_ocl_group *g, const char *title, int argc, char **argv, const char **arg);

#endif

/* ocl_group.c — the OpenCL build options as an option-table group (see ocl_group.h). */
#include "ocl_group.h"
#include "cli.h"
#include <stdio.h>

int cli_ocl_group_option(void *user, int argc, char **argv, int *i)
{
    cli_ocl_group *g = user;
    int start = *i, r = cli_ocl_option(argc, argv, i, g->cmd, g->o, &g->shapes, &g->cap_shapes);
    if (r <= 0) return r;
    g->used = 1;
    for (int k = start; g->kept && k <= *i; k++)
        if (!cli_strings_push(g->kept, argv[k])) return cli_out_of_memory(g->cmd), -1;
    return 1;
}

void cli_ocl_group_help(void) { fputs(cli_ocl_help, stdout); }

int cli_parse_ocl(cli_command c, cli_ocl_group *g, const char *title, int argc, char **argv, const char **arg)
{
    cli_strings args = {0};
    c.args = &args;
    c.min_args = c.max_args = 1;
    const cli_group groups[] = {{cli_ocl_group_option, g, title, NULL, cli_ocl_group_help}, {0}};
    c.groups = groups;
    g->cmd = c.name;
    int rc = cli_parse(&c, argc, argv);
    if (rc < 0) *arg = args.v[0];
    return rc;
}

/* runner_options.c — the runner options, from the runner table (see runner_options.h). */
#include "runner_options.h"
#include "cli.h"
#include <stdio.h>
#include <string.h>

static int add(const char *cmd, cli_runners *r, xc_runner_spec spec)
{
    if (*r->n == r->max) return cli_usage_error(cmd, "at most %d runners", r->max), -1;
    r->specs[(*r->n)++] = spec;
    return 1;
}

int cli_runner_option(int argc, char **argv, int *i, const char *cmd, cli_runners *r)
{
    const char *a = argv[*i], *v;
    if (r->timeout && !strcmp(a, "--exec-timeout"))
        return (v = cli_value(argc, argv, i, cmd)) && cli_double_in(cmd, a, v, 1e-3, 1e7, r->timeout) ? 1 : -1;
    const char *at = strchr(a, '@'); /* --ocl@1, --ocl@NAME: the engine on that device */
    size_t len = at ? (size_t)(at - a) : strlen(a);
    const xc_runner_type *t = NULL;
    for (int k = 0; xc_runner_types[k] && !t; k++) {
        const char *o = xc_runner_types[k]->option;
        if (o && strlen(o) == len && !strncmp(a, o, len)) t = xc_runner_types[k];
    }
    if (!t) return 0;
    if (at && !t->on_device) return cli_usage_error(cmd, "%s runs on no OpenCL device: '%s' takes no @DEVICE", t->option, a), -1;
    if (at && !at[1]) return cli_usage_error(cmd, "%s@ needs an OpenCL device: its number or part of its name", t->option), -1;
    xc_runner_spec spec = {.kind = t->kind, .device = at ? at + 1 : NULL};
    switch (t->arg) {
    case XC_RUNNER_ARG_NONE: break;
    case XC_RUNNER_ARG_VALUE:
        if (!(spec.path = cli_value(argc, argv, i, cmd))) return -1;
        break;
    case XC_RUNNER_ARG_LIST: {
        /* the values are the arguments that follow, so the spec points at them in argv (which
         * outlives every command): no copy, and no limit on their number */
        spec.paths = (const char *const *)&argv[*i + 1];
        while (*i + 1 < argc && argv[*i + 1][0] != '-') spec.n_paths++, ++*i;
        if (!spec.n_paths) return cli_usage_error(cmd, "%s needs a path", a), -1;
        r->n_paths += spec.n_paths;
        break;
    }
    case XC_RUNNER_ARG_NAMED: {
        const char *eq = (v = cli_value(argc, argv, i, cmd)) ? strchr(v, '=') : NULL;
        if (!v) return -1;
        if (!eq) return cli_usage_error(cmd, "%s takes NAME='COMMAND {model} {inputs} {outputs}'", a), -1;
        if (!(spec.name = cli_keep(strndup(v, (size_t)(eq - v))))) return -1;
        spec.command = eq + 1;
        break;
    }
    }
    return add(cmd, r, spec);
}

void cli_runner_help(void)
{
    for (int k = 0; xc_runner_types[k]; k++) {
        const xc_runner_type *t = xc_runner_types[k];
        if (!t->option) continue;
        char head[64];
        snprintf(head, sizeof head, "%s%s%s%s", t->option, t->on_device ? "[@DEV]" : "", t->value_help ? " " : "",
                 t->value_help ? t->value_help : "");
        printf("  %-26s ", head);
        for (const char *p = t->help; *p; p++) { /* continuation lines line up under the first */
            putchar(*p);
            if (*p == '\n') printf("%29s", "");
        }
        putchar('\n');
    }
    printf("  %-26s %s\n", "",
           "[@DEV]: the engine on OpenCL device DEV, its number or part of its name\n"
           "                             (see 'crosscheck inspect devices'); e.g. --ocl@0 --ocl@1");
    printf("  %-26s %s\n", "--exec-timeout S", "seconds each external command may take (default 600)");
}

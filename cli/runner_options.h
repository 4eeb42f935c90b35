/* runner_options.h — the runner options every command that runs a model shares: one option per
 * registered runner (--ref, --ocl, --plan FILE, --load-outputs PATH..., --exec-runner NAME=CMD,
 * ...) and --exec-timeout, parsed and described from the runner table (runners/registry.h).
 * OpenCL engine runners also take a device: --ocl@1, --ocl-fp16@NAME, --plan@0 FILE. */
#ifndef XC_CLI_RUNNER_OPTIONS_H
#define XC_CLI_RUNNER_OPTIONS_H
#include "runners/runner.h"

typedef struct cli_runners {
    xc_runner_spec *specs; /* where runners go (the caller's array of max) */
    int *n, max;
    int n_paths;     /* values given to list options (--load-outputs A B ...) in all */
    double *timeout; /* --exec-timeout goes here (NULL: not an option) */
} cli_runners;

/* Parses argv[*i] if it is a runner option (advancing *i over its values). Returns 1 if taken,
 * 0 if not a runner option, -1 on a usage error (printed). */
int cli_runner_option(int argc, char **argv, int *i, const char *cmd, cli_runners *r);
/* Prints the runner options' help, one entry per registered runner. */
void cli_runner_help(void);
#endif

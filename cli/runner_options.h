/* runner_options.h — the runner options every command that runs a model shares: one option per
 * registered runner (--ref, --ocl, --plan FILE, --load-outputs PATH..., --exec-runner NAME=CMD,
 * ...) and --exec-timeout, parsed and described from the runner table (runners/registry.h).
 * OpenCL engine runners also take a device: --ocl@1, --ocl-fp16@NAME, --plan@0 FILE. */
#ifndef XC_CLI_RUNNER_OPTIONS_H
#define XC_CLI_RUNNER_OPTIONS_H
#include "runners/runner.h"

#define CLI_MAX_RUNNER_PATHS 256

typedef struct cli_runners {
    xc_runner_spec *specs; /* where runners go (the caller's array of max) */
    int *n, max;
    const char *paths[CLI_MAX_RUNNER_PATHS]; /* the values of list options */
    int n_paths;
    double *timeout; /* --exec-timeout goes here (NULL: not an option) */
} cli_runners;

/* Parses argv[*i] if it is a runner option (advancing *i over its values). Returns 1 if taken,
 * 0 if not a runner option, -1 on a usage error (printed). */
int cli_runner_option(int argc, char **argv, int *i, const char *cmd, cli_runners *r);
/* Prints the runner options' help, one entry per registered runner. */
void cli_runner_help(void);
#endif

/* debug_reduce.h — `crosscheck debug reduce`: its own options (the shared ones are parsed by
 * cmd_debug.c) and the verdict. */
#ifndef XC_CLI_DEBUG_REDUCE_H
#define XC_CLI_DEBUG_REDUCE_H
#include "debug.h"

extern const char *const cli_reduce_help;
/* Parses one reduce-only option at argv[*i]: 1 taken, 0 not ours, -1 error (printed). --check
 * takes every argument after it. */
int cli_reduce_option(xc_reduce_config *r, int argc, char **argv, int *i);
/* Runs the reduction and prints the verdict; returns the exit status. */
int cli_reduce_run(const xc_reduce_config *r);
#endif

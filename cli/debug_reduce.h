/* debug_reduce.h — `crosscheck debug reduce`: its help and the verdict (its options are in
 * cmd_debug.c's table, beside the other tools'). */
#ifndef XC_CLI_DEBUG_REDUCE_H
#define XC_CLI_DEBUG_REDUCE_H
#include "debug.h"

/* The paragraph of debug reduce --help, and its --exec-runner's help. */
extern const char *const cli_reduce_description, *const cli_reduce_runner_help;
/* Runs the reduction and prints the verdict; returns the exit status. */
int cli_reduce_run(const xc_reduce_config *r);
#endif

/* cli.h — the subcommands. Each parses its arguments, calls the library, prints, and returns
 * the exit status: 0 success, 1 mismatch/test failure, 2 usage, model or device error. */
#ifndef XC_CLI_H
#define XC_CLI_H
#include "error.h"
#include <stddef.h>

int cmd_run(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_inspect_results(int argc, char **argv); /* argv[0] is "results" */
int cmd_conformance(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_debug(int argc, char **argv);
int cmd_surgeon(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_refit(int argc, char **argv);

/* `inspect engine`, `inspect tactics`, `inspect diff-tactics` (argv[0] is the view's name). */
int cli_inspect_engine(int argc, char **argv);
int cli_inspect_tactics(int argc, char **argv);
int cli_inspect_diff_tactics(int argc, char **argv);

struct cJSON;
/* Prints a JSON document to stdout and frees it; returns 0 (2 if out of memory). */
int cli_print_json(struct cJSON *doc);
/* "[1,3,batch,224]" (or "(unknown rank)") from a JSON shape as inspect makes it, into buf. */
const char *cli_shape_text(const struct cJSON *shape, char *buf, size_t len);

struct xc_engine;
/* Prints an engine's layers (tactic, precision, time) and memory plan. */
void cli_print_engine(const struct xc_engine *e);

/* Prints "crosscheck: <message>" to stderr for the current library error; returns 2. */
int cli_error(void);
/* Prints "crosscheck: error: out of memory starting CMD" without allocating; returns 2. */
int cli_out_of_memory(const char *cmd);
/* Prints a usage error and returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* argv[*i] is option opt: returns its value (argv[++*i]) or NULL after printing an error. */
const char *cli_value(int argc, char **argv, int *i, const char *cmd);
/* Parses a long; prints an error and returns 0 on failure. */
int cli_long(const char *cmd, const char *opt, const char *s, long *out);
/* The same, within [lo, hi] (a finite number for doubles): one line of error either way. */
int cli_long_in(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);
int cli_double_in(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
int cli_is_help(const char *arg);
/* Memory that options point at until the process ends (parsed names, loaded lists): kept
 * reachable here rather than leaked. Returns p. */
void *cli_keep(void *p);
/* A kept block moved by realloc: old (already freed) is replaced by now in the list. */
void cli_keep_replace(void *old, void *now);
/* Room for one more element in a kept, growing array: array is the address of the array's
 * pointer (NULL at first), holding n elements of size bytes in *cap slots; it doubles when full.
 * 0 when out of memory (the array is unchanged). */
int cli_grow(void *array, int n, int *cap, size_t size);
/* Applies and removes the options every command takes (--max-tensor-bytes); 0 after a usage error. */
int cli_global_options(int *argc, char **argv);
/* An argument no option claimed: the first positional one fills *slot; an unknown option or a
 * second positional one is a usage error (printed). Returns 1 if taken, 0 after an error. */
int cli_positional(const char *cmd, const char *arg, const char **slot);
/* Appends the non-option arguments after option argv[*i] to list (at most max in all), advancing
 * *i over them. Returns 1 if it took at least one. */
int cli_list(int argc, char **argv, int *i, const char **list, int max, int *n);
#endif

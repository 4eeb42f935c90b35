/* exec.h — a runner that is an external command (`--exec-runner NAME='CMD ...'`).
 *
 * For each run the inputs are written as an ONNX test_data_set (input_K.pb, in the order of the
 * graph's runtime inputs) into a private temporary folder, the command is run without a shell
 * (its words split by xc_exec_split; {model}, {inputs} and {outputs} replaced inside each word),
 * with no stdin and a time limit, and what it wrote into {outputs} is read back: output .pb
 * files (output_K.pb or NAME.pb), .npy files, a crosscheck results folder or Polygraphy JSON.
 * The tensors are matched to the graph's outputs by name, then by position. Every failure of the
 * command (exit status, signal, time limit, no outputs) is one line naming the command, how it
 * ended and the last line it wrote to stderr. The temporary folders are removed afterwards. */
#ifndef XC_EXEC_RUNNER_H
#define XC_EXEC_RUNNER_H
#include "backend.h"
#include <sys/types.h>

#define XC_EXEC_TIMEOUT_DEFAULT 600.0 /* seconds */
/* Set to 1 in the command's environment when crosscheck observes its tensors (per-layer): the
 * command should then also write every node output it computes (named as in the model). */
#define XC_EXEC_MARK_ALL "CROSSCHECK_MARK_ALL"

/* Opaque. Created by xc_exec_runner_create, freed by xc_exec_runner_free. */
typedef struct xc_exec_runner xc_exec_runner;

/* Splits command into words as a POSIX shell splits a simple command, without running one:
 * blanks separate words; '...' keeps everything literally; "..." keeps everything but \" and
 * \\ (a backslash there escapes only those); elsewhere a backslash makes the next character
 * literal. Nothing is expanded. *argv is NULL-terminated and malloc'd (xc_exec_argv_free).
 * An unterminated quote or an empty command is an XC_ERR_USAGE. */
xc_status xc_exec_split(const char *command, char ***argv, int *argc);
void xc_exec_argv_free(char **argv);

/* name: letters, digits, '_', '-', '.' (it names the runner in reports and files); command must
 * name {outputs}. model_path is what {model} becomes. timeout_s > 0. */
xc_status xc_exec_runner_create(const char *name, const char *command, const char *model_path, double timeout_s,
                                xc_exec_runner **out);
/* Runs the command once on fed (one tensor per runtime input of g, in order) and fills out[o]
 * (owned by the caller) for every output of g; every output must be there. warn: say when a
 * named tensor is matched by position. obs (may be NULL): the command runs with
 * XC_EXEC_MARK_ALL=1 and every node output it wrote is reported, in the model's order. */
xc_status xc_exec_runner_run(xc_exec_runner *e, const xc_graph *g, const xc_tensor *const *fed, xc_tensor **out, int warn,
                             const xc_observer *obs);
void xc_exec_runner_free(xc_exec_runner *e);
/* Waits for child pid (a process group leader) at most timeout seconds; past it kills its whole
 * process group (*timed_out 1). *status: waitpid's. Also the debug tools' isolated checks. */
xc_status xc_exec_wait(pid_t pid, double timeout, int *status, int *timed_out);
#endif

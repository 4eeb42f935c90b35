/* session.h — what the debug tools share (internal): the session (model, every iteration's
 * inputs, the reference's outputs computed once), one check (build, run, compare), and the
 * culprit search over candidates that can each be switched to a safe alternative. */
#ifndef XC_DEBUG_SESSION_H
#define XC_DEBUG_SESSION_H
#include "debug.h"
#include "graph.h"
#include "ocl/ocl.h"

typedef struct xc_debug_session {
    const xc_debug_config *cfg;
    xc_debug_report *report;
    xc_model *model;
    int n_iter;
    xc_tensor_list *inputs;    /* per iteration */
    const xc_tensor ***fed;    /* per iteration: inputs in runtime-input order (borrowed) */
    xc_tensor ***ref;          /* per iteration, per graph output: the reference's output */
    char dir[4096];            /* where per-check files go: artifacts dir or a private temp dir */
    int own_dir;               /* dir is a temp dir to remove at the end */
    int failed_iteration;      /* the last check's first failing iteration (-1: none) */
    int golden_math;           /* xc_math of the golden runner's outputs when 16-bit (fp16/bf16), else 0 */
    int *golden_depth;         /* per graph output: a golden engine's rounding layers on its path (owned; NULL: none) */
    struct xc_results *loaded; /* --load-inputs, every set as an iteration of runner "loaded" (owned) */
    int n_loaded;              /* sets 0..n_loaded-1 are loaded; later ones generated */
    xc_input_shape *shapes;    /* loaded: the shapes every engine is built for (owned) */
    int n_shapes;
    char why[1024]; /* the last check's first mismatch ("" when it passed) */
    int first_set;  /* the slots hold input sets first_set..first_set+n_iter-1 */
    /* --isolate (isolate.c): the fork server, forked before any OpenCL, and the model it holds */
    int server_pid, server_fd;
    const xc_model *server_model;
    int said_in_process; /* the note that checks run in-process was printed */
} xc_debug_session;

/* command_check.c: the external check (debug.h's xc_check_command). A placeholder token in an
 * argument is replaced by its value (values NULL: not offered); when no argument holds one of
 * the first `naming` tokens (those naming the candidate), the first one's value is appended. */
typedef struct xc_check_subst {
    const char *token, *value;
} xc_check_subst;
xc_status xc_check_command_validate(const xc_check_command *c);
int xc_check_command_uses(const xc_check_command *c, const char *token);
xc_status xc_check_command_argv(const xc_check_command *c, const xc_check_subst *subst, int n_subst, int naming, char ***argv);
void xc_check_argv_free(char **argv);
/* Runs the command: *passed, why (exit status, the regex that matched); *output (if not NULL)
 * its stdout and stderr, malloc'd. With --interactive, asks the user instead, showing `what` and
 * every file in subst (*output NULL); the input ending is an error. */
xc_status xc_check_command_run(const xc_check_command *c, const char *what, const xc_check_subst *subst, int n_subst, int naming,
                               int *passed, char *why, size_t len, char **output);

/* --show-output: the command's output, one progress line per line. */
void xc_debug_show_output(const xc_debug_session *s, const char *out);

/* input_sets.c: reads --load-inputs (globs expanded, several sets per path), decides how many
 * sets the session checks (n_iter, n_loaded) and the shapes engines are built for. */
xc_status xc_debug_input_sets(xc_debug_session *s);
/* Input set k: loaded (k < n_loaded) or generated with seed (shapes as built). */
xc_status xc_debug_make_set(const xc_debug_session *s, int k, uint64_t seed, xc_tensor_list *out);

/* Loads the model and inputs, runs the golden (the reference, or cfg->against) once per iteration. */
xc_status xc_debug_open(const xc_debug_config *c, xc_debug_report *r, xc_debug_session *s);
void xc_debug_close(xc_debug_session *s);
/* The runner checks compare with, prepared for model m (its file: path): cfg->against, else the
 * reference. */
xc_status xc_debug_open_golden(const xc_debug_session *s, const xc_model *m, const char *path, xc_runner **out);
/* One check: builds with o, runs every iteration, compares. Prints the progress line
 * "check N: <what>: PASSED|FAILED (...)". *keep (if not NULL) receives the engine. */
xc_status xc_debug_check(xc_debug_session *s, const xc_ocl_build_options *o, const char *what, int *passed, xc_engine **keep);
/* The judging half of a check: engine e (built with fp16 or not) run on every set and compared,
 * or handed to --check; counts the check and prints its line. */
xc_status xc_debug_judge(xc_debug_session *s, xc_engine *e, int fp16, const char *what, int *passed);
/* xc_debug_open, without inputs or golden runs when an external check judges (--check). */
xc_status xc_debug_open_for_check(const xc_debug_config *c, xc_debug_report *r, xc_debug_session *s);
/* A path for this check's file "check_NN_<suffix>" in s->dir (buf). */
const char *xc_debug_check_file(const xc_debug_session *s, const char *suffix, char *buf, size_t len);
/* Fills a culprit's layer name and ONNX node list from layer l. */
void xc_debug_name_culprit(const xc_engine *e, int layer, xc_debug_culprit *c);
/* Records the file a tool wrote and the build option that reads it back ("--load-tactics F"). */
xc_status xc_debug_report_written(xc_debug_report *r, const char *path, const char *option);
/* A whole tool: opens the session, makes the failing build and, when it fails, calls
 * find(session, failing engine) to search; closes the session. */
xc_status xc_debug_run(const xc_debug_config *c, xc_debug_report *r, xc_status (*find)(xc_debug_session *s, const xc_engine *e));
/* Check 1: the build as given (announcing any fault injection). Keeps the engine in *e (under
 * --isolate: the same build rebuilt in this process from the child's tactics, never run; NULL
 * when check 1 passed). */
xc_status xc_debug_failing_build(xc_debug_session *s, xc_engine **e, int *passed);
/* Saves e's tactics as a replay file in the session folder (path in buf): later checks pin them. */
xc_status xc_debug_save_failing_tactics(xc_debug_session *s, const xc_engine *e, char *buf, size_t len);
/* Every file the tool will write (-o, or default_output without it; --artifacts-dir,
 * --save-tactics, --timing-cache) can be written: checked before any work, so a bad path fails
 * at once with one line naming the option and the folder. */
xc_status xc_debug_check_outputs(const xc_debug_config *c, const char *default_output);
/* The same for one more file (reduce's --min-good, --replay); NULL is fine. */
xc_status xc_debug_check_file_writable(const char *path, const char *option);
/* --artifacts-dir (artifacts.c): whether files are kept; file (this check's, named by
 * xc_debug_check_file before it) moved to good/ or bad/ as check_NN_suffix by the verdict of the
 * check just made; or the build options a check added (args) and the replay file it pinned
 * leniently (tactics, may be NULL), written there as check_NN_options.json. Both do nothing without --artifacts-dir. */
int xc_debug_keeps(const xc_debug_session *s);
/* Check 1, the failing build: its tactics as bad/check_01_tactics.json. */
xc_status xc_debug_keep_failing(const xc_debug_session *s, const xc_engine *e);
xc_status xc_debug_keep_file(const xc_debug_session *s, const char *file, const char *suffix, int passed);
xc_status xc_debug_keep_options(const xc_debug_session *s, const char *what, const char *const *args, int n, const char *tactics,
                                int passed);
/* One check's outcome, as the child of an isolated check sends it back. */
typedef struct xc_debug_verdict {
    int passed, failed_iteration;
    char why[1024];    /* the first mismatch, or how the check's process ended ("crashed: SIGSEGV") */
    char faults[2048]; /* the build's fault injection, one announcement line per fault */
} xc_debug_verdict;
/* The work of a built-in check: builds with o, runs every set, compares (in the child when
 * isolated); with save_tactics, the engine's tactics are written there. built (may be NULL) is
 * called once the engine is built, with v's faults filled (a child sends them before it runs). */
xc_status xc_debug_build_and_compare(xc_debug_session *s, const xc_ocl_build_options *o, const char *save_tactics,
                                     xc_debug_verdict *v, void (*built)(const xc_debug_verdict *v, void *user), void *user);
/* A built-in check with o (as xc_debug_check adjusts it), isolated when the session isolates;
 * prints its line. save_tactics as above; v (may be NULL) receives the verdict. */
xc_status xc_debug_check_saving(xc_debug_session *s, const xc_ocl_build_options *o, const char *what, const char *save_tactics,
                                int *passed, xc_debug_verdict *v);
/* Prints the fault announcement lines of a verdict, or of engine e, as progress lines. */
void xc_debug_say_faults(const xc_debug_session *s, const char *lines);
void xc_debug_announce_faults(const xc_debug_session *s, const xc_engine *e);
/* Slots 0..n-1 hold input sets first..first+n-1 and the golden's outputs for them (the
 * session's own are replaced, not freed: a check's child makes validation's fresh sets). */
xc_status xc_debug_make_sets(xc_debug_session *s, int first, int n);
/* isolate.c: whether built-in checks run in a child (--isolate, no --check); the fork server,
 * started when the session opens (while this process has not used OpenCL) and stopped at close;
 * a check run in a child (or in-process when no child can be forked safely). */
int xc_debug_isolating(const xc_debug_session *s);
xc_status xc_debug_server_start(xc_debug_session *s);
void xc_debug_server_stop(xc_debug_session *s);
xc_status xc_debug_isolated(xc_debug_session *s, const xc_ocl_build_options *o, const char *save_tactics, xc_debug_verdict *v);
/* Prints one progress line (printf-style). */
void xc_debug_say(const xc_debug_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The culprit search. probe(user, sw, what, passed) builds and checks with candidate i switched
 * when sw[i]; the failing build (nothing switched) is known to fail. Fills culprits (indices)
 * and *explained (0: everything switched still fails). */
typedef xc_status (*xc_debug_probe)(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed);
xc_status xc_debug_search(xc_debug_session *s, int n, const char *switched_word, xc_debug_probe probe, void *user, int *culprits,
                          int *n_culprits, int *explained);
/* Checks the search takes at most for one culprit among n: 2*ceil(log2 n)+4 (the failing build,
 * all switched, the bisection, the culprit alone, validation). */
int xc_debug_search_bound(int n);
/* The fix found (the n_culprits candidates of n in culprits switched) checked once more on cfg->validate_sets fresh
 * generated input sets (seeds after every set the search used), recorded in the report's
 * validation fields; the search's sets are restored after. Nothing when validate_sets is 0. */
xc_status xc_debug_validate(xc_debug_session *s, xc_debug_probe probe, void *user, int n, const int *culprits, int n_culprits);
#endif

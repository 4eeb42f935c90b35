/* debug.h — the debug tools: given a model whose OpenCL engine disagrees with the reference,
 * find what makes it disagree by rebuilding the engine with parts of it switched to a safe
 * alternative and bisecting:
 *   xc_debug_tactics    layers whose tactic is not the baseline -> switched to the baseline
 *   xc_debug_fusions    fused groups (layers covering several ONNX nodes) -> unfused
 *                       (--no-fuse-node), then which single --disable-fusion PASS fixes it
 *   xc_debug_precision  fp16 layers -> kept in fp32 (--fp16 builds)
 *                       int8 layers -> fp16 (with --fp16) or fp32 (--int8 builds, Q/DQ models)
 *
 * A check builds the engine with the given options, runs it on every iteration's inputs and
 * compares every graph output with the reference's outputs (computed once and cached: the
 * reference never changes during a search) using the tolerance given, and every tensor the
 * engine materializes with the reference's by run --per-layer's rule (judge below), so an error
 * the outputs mask (a scaled MatMul before a LayerNorm) still fails the check. The search is
 * deterministic: every check pins every tactic (the failing build's choices, or baselines),
 * so the same inputs always give the same verdict.
 *
 * The search (bisect mode): with f(k) = "the first k candidates switched", f(0) fails (the
 * failing build) and f(all) must pass (else the tool cannot explain the failure); the smallest
 * k with f(k) passing names candidate k as a culprit. It is kept switched and the search goes on
 * among the earlier candidates until the build passes: one culprit costs
 * 3 + ceil(log2 N) checks (failing build, all switched, the bisection, the final confirmation).
 * Linear mode tries k = 1, 2, ... for the first culprit, then walks down from each culprit found
 * to the next (about N checks for any number of culprits); --direction reverse searches from
 * the back. */
#ifndef XC_DEBUG_H
#define XC_DEBUG_H
#include "compare.h"
#include "output_check.h"
#include "tolerance_spec.h"
#include "inputs.h"
#include "ocl/ocl.h"
#include "runners/runner.h"
#include "text.h"

#define XC_DEBUG_MAX_CULPRITS 64
#define XC_DEBUG_CHECK_TIMEOUT_DEFAULT 600.0 /* seconds an isolated check may take */

typedef enum { XC_DEBUG_BISECT, XC_DEBUG_LINEAR } xc_debug_mode;

/* What fails a built-in check (--per-layer-verdict, as run's): the tool's default (layers;
 * debug precision: outputs, since it asks what precision the outputs need and an fp32 layer fed
 * by fp16 ones carries their error), every tensor the engine and the reference both compute
 * (layers), or the graph outputs alone (outputs). Layers are judged against the reference
 * only: with another golden (--exec-runner) the outputs decide. */
typedef enum { XC_DEBUG_JUDGE_DEFAULT, XC_DEBUG_JUDGE_LAYERS, XC_DEBUG_JUDGE_OUTPUTS } xc_debug_judge_scope;

/* An external check (--check CMD ...), as Polygraphy's debug tools take it: the command fails
 * on a non-zero exit status (only on --fail-code's codes when given; never on
 * --ignore-fail-code's); with --fail-regex (any of them) the output decides: it fails when one
 * matches (with a code option: when the status fails and one matches). */
typedef struct xc_check_command {
    const char *const *argv; /* NULL: the built-in check */
    int argc;
    /* the lists are borrowed, as argv (any length: the CLI grows them) */
    const char *const *fail_regex;
    int n_fail_regex;
    const int *fail_codes, *ignore_codes;
    int n_fail_codes, n_ignore_codes;
    int show_output; /* its output goes to the progress lines */
    /* --interactive: the user judges each candidate instead of a command: ask prints the
     * question and reads one answer line into buf (newline removed); it returns 0 at the end of
     * the input, which ends the tool with an error. */
    int interactive;
    int (*ask)(void *user, const char *question, char *buf, size_t len);
    void *ask_user;
} xc_check_command;

/* Whether candidates are judged by --check or --interactive rather than the built-in check. */
static inline int xc_check_external(const xc_check_command *c) { return c->argv || c->interactive; }

typedef struct xc_debug_config {
    const char *model_path;
    xc_ocl_build_options ocl;       /* the failing build's options */
    xc_input_spec inputs;           /* generated inputs: iteration i uses seed + i */
    int iterations;                 /* input sets checked; 0: as many as loaded, else 1. More than
                                         loaded: the rest generated (set k from seed + k) */
    const char *const *load_inputs; /* .pb files, test_data_set or results folders, globs: each
                                         path one set (a results folder: its iterations) */
    int n_load_inputs;
    xc_check_spec checks;      /* run's comparison options (compare function, metrics, ...) */
    xc_check_command command;  /* --check: judges each candidate instead of the built-in
                                         check; tactics/fusions/precision: {plan} (the candidate's
                                         engine, default), {tactics} (its replay file), {model};
                                         reduce: {model} (default), {inputs} */
    int validate_sets;         /* a fix found is checked on this many fresh generated sets
                                         before it is reported (default 3; 0: not) */
    xc_tolerance_spec tol;     /* as `run`'s: dtype-aware defaults, per-output entries */
    xc_runner_spec against[1]; /* what the engine is compared with (any runner, e.g. an
                                         --exec-runner); none: the reference */
    int n_against;
    double exec_timeout;        /* external commands: seconds per run */
    int isolate;                /* built-in checks run in a child process: a crash or hang is a failing check
                             (default 1; --no-isolate) */
    double check_timeout;       /* --check-timeout: seconds an isolated check may take (default 600) */
    xc_debug_judge_scope judge; /* --per-layer-verdict layers|outputs (default: the tool's) */
    xc_debug_mode mode;
    int reverse;                                    /* search from the back */
    const char *output;                             /* the file written (NULL: the tool's default name) */
    const char *artifacts_dir;                      /* keep every check's tactics / options there (NULL: no) */
    void (*progress)(void *user, const char *line); /* one line per check (may be NULL) */
    void *user;
} xc_debug_config;

typedef enum {
    XC_DEBUG_PASSES,     /* the failing build does not fail: nothing to find */
    XC_DEBUG_FOUND,      /* culprits found: switching them alone makes the build pass */
    XC_DEBUG_UNEXPLAINED /* everything switched still fails: not this kind of problem */
} xc_debug_outcome;

typedef struct xc_debug_culprit {
    char *layer;    /* the engine layer (ONNX node names joined with " + "), owned */
    char *nodes;    /* its ONNX nodes, comma-separated, owned */
    char bad[128];  /* tactic, fusion pass(es), or "fp16" */
    char good[128]; /* baseline tactic, "unfused", or "fp32" */
} xc_debug_culprit;

typedef struct xc_debug_report {
    xc_debug_outcome outcome;
    int n_checks;
    int n_candidates;  /* what was searched: non-baseline layers, groups, fp16 layers */
    int n_pass_checks; /* fusions: checks of one pass disabled alone (before and after the search) */
    int bound;         /* checks a one-culprit answer takes at most: the search's 2*ceil(log2 N)+4
                        * (xc_debug_search_bound) plus the pass-level checks made */
    int n_culprits;
    xc_debug_culprit culprits[XC_DEBUG_MAX_CULPRITS];
    char pass_fix[64];                  /* fusions: a pass whose --disable-fusion alone fixes it, or "" */
    char written[4096];                 /* the file written ("" if none) */
    int n_sets, n_loaded_sets;          /* input sets every check ran (of them loaded) */
    int judged_layers;                  /* built-in checks judged every tensor (reproducing commands add --per-layer) */
    int validated_sets;                 /* fresh sets the fix was checked on (0: not validated) */
    unsigned long long validation_seed; /* their first seed */
    int validation_passed;
    int validation_failed_set; /* the first fresh set failing (0-based), -1 */
    char validation_why[1024]; /* its first mismatch */
    xc_text fix_args;          /* build options that make the model pass, e.g. " --load-tactics F"
                                * (each argument after a space, quoted for the shell; owned) */
} xc_debug_report;

/* debug build --until / debug repeat (repeat.c): for failures that come and go. `build`
 * rebuilds the engine (tuning anew, so tactic choices may differ) and checks each build;
 * `repeat` builds once and checks the same engine again and again (or runs --check again).
 * Either stops at the first good run (XC_UNTIL_GOOD), the first bad one (XC_UNTIL_BAD), or after
 * until_count runs (XC_UNTIL_COUNT; also the limit of the other two). With --artifacts-dir,
 * each build's replay file is kept in good/ or bad/ (check_NN_tactics.json). */
typedef enum { XC_UNTIL_COUNT, XC_UNTIL_GOOD, XC_UNTIL_BAD } xc_debug_until;

typedef struct xc_debug_repeat_report {
    int runs, good, bad;
    int met;                   /* the condition was met (good/bad), or every run made (count) */
    int first_good, first_bad; /* 1-based run numbers, 0: none */
} xc_debug_repeat_report;

xc_status xc_debug_repeat(const xc_debug_config *c, int rebuild, xc_debug_until until, int count, xc_debug_repeat_report *r);

xc_debug_config xc_debug_config_default(void);

/* Crash isolation for any piece of work (debug/isolate.c; the isolated checks and triage's
 * steps): work(user, fd) runs in a child forked now, in its own process group (killed whole
 * past timeout seconds), and what it writes to fd comes back in *data (malloc'd, *len bytes;
 * what was written before a crash too). Safe only while this process has not used OpenCL
 * (the driver does not survive fork). */
typedef struct xc_debug_child_end {
    int ok;        /* it exited with status 0 */
    char why[128]; /* else how it ended: "crashed: SIGSEGV", "timed out after 600 s", "exited with status 3" */
} xc_debug_child_end;
xc_status xc_debug_in_child(double timeout, void (*work)(void *user, int fd), void *user, char **data, size_t *len,
                            xc_debug_child_end *end);
/* Whether built-in checks under c judge every tensor (judge above), not the outputs alone. */
int xc_debug_judges_layers(const xc_debug_config *c);
/* Appends " ARG" to t, single-quoted when the shell would split or expand it: the reproducing
 * commands are meant to be pasted. */
void xc_debug_shell_arg(xc_text *t, const char *arg);
/* Appends the options asking for the golden runner (" --ref" by default) to t, quoted for the
 * shell: reproducing commands compare with what the checks compared with. */
void xc_debug_golden_args(const xc_debug_config *c, xc_text *t);
/* Frees what the report's culprits own (names of any length); the report can be reused. */
void xc_debug_report_free(xc_debug_report *r);
xc_status xc_debug_tactics(const xc_debug_config *c, xc_debug_report *r);
xc_status xc_debug_fusions(const xc_debug_config *c, xc_debug_report *r);
xc_status xc_debug_precision(const xc_debug_config *c, xc_debug_report *r);

/* debug reduce: shrinks a failing model to a small failing subgraph (see debug/reduce.c for the
 * algorithm). base gives the model, the build options and data of the built-in check, the mode,
 * output (the reduced model, required) and artifacts_dir (every candidate kept as
 * good_NN_*.onnx / bad_NN_*.onnx). */
typedef struct xc_reduce_config {
    xc_debug_config base;
    const char *min_good;  /* write the nearest passing candidate there (NULL: no) */
    const char *replay;    /* verdicts read from and appended to this JSON file (NULL: no) */
    int freeze_inputs;     /* --inputs-as constants: every cut tensor becomes an initializer */
    int no_reduce_outputs; /* --no-reduce-outputs: no outputs phase (the graph's outputs stay) */
    int no_reduce_inputs;  /* --no-reduce-inputs: no inputs phase and no branch pruning
                                         (the model's inputs stay; only the outputs are cut) */
} xc_reduce_config;

typedef struct xc_reduce_report {
    xc_debug_outcome outcome; /* PASSES: the model does not fail; FOUND: reduced */
    int n_checks;             /* all checks, replayed ones included */
    int n_replayed;           /* verdicts taken from the replay file */
    int nodes_before, nodes_after;
    int monotone;           /* 0: a later check contradicted an earlier one (warning) */
    char nodes[8192];       /* the reduced model's nodes, comma-separated (truncated) */
    char written[4096];     /* the reduced model */
    char data_dir[4096];    /* its inputs and reference outputs (test_data_set_K folders) */
    int outputs_saved;      /* 0: inputs only (the reference cannot run the reduced model) */
    char min_good[4096];    /* the passing neighbour written ("" if none) */
    char min_good_why[256]; /* why none was written */
    char *command;          /* the command reproducing the failure on the reduced model (owned) */
} xc_reduce_report;

xc_reduce_config xc_reduce_config_default(void);
xc_status xc_debug_reduce(const xc_reduce_config *c, xc_reduce_report *r);
/* Frees what r owns (its command). */
void xc_reduce_report_free(xc_reduce_report *r);
#endif

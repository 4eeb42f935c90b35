/* triage.h — `crosscheck triage MODEL`: the first command a user runs on an engine that
 * disagrees with the reference. It builds the OpenCL engine, compares it layer by layer with
 * the reference (the run pipeline, accumulated mode), then runs the debug tools the evidence
 * points to and writes one self-contained report (HTML and JSON) in a folder:
 *
 *   the engine stores fp16                          -> debug precision (first)
 *   it runs a tactic other than its kind's baseline -> debug tactics (before fusions: unfusing
 *                                                      also resets tactics, a tactic switch does not)
 *   first divergent layer is a fused group         -> debug fusions
 *   a tool that finds culprits ends the tool phase; then, with a culprit node known (from the
 *   tool or the first divergent layer), debug reduce cuts the model down to the smallest
 *   failing subgraph (the minimal model).
 *
 * Every step is timed and announced through base.progress (one line per step, plus the
 * tools' lines per check). The engine is built once; its tactics are saved in the folder and
 * every later step pins them, so every step debugs the engine that was compared. */
#ifndef XC_TRIAGE_H
#define XC_TRIAGE_H
#include "debug.h"
#include "per_layer.h"

typedef struct xc_triage_config {
    xc_debug_config base;          /* model, the build options, inputs, tolerance, progress
                                         (base.output and base.artifacts_dir are not used) */
    const char *out_dir;           /* the folder written (created if missing; required) */
    const char *const *build_args; /* the user's options as typed: repeated in the commands */
    int n_build_args;
    int no_reduce; /* skip debug reduce */
    int no_graph;  /* skip the graph picture (e.g. no room for Graphviz) */
} xc_triage_config;

/* One engine layer's row of the per-layer comparison (strings owned). */
typedef struct xc_triage_layer {
    char *name;                   /* the engine layer ("conv1 + relu1") */
    char *nodes;                  /* its ONNX nodes, comma-separated */
    char *kind, *tactic, *fusion; /* fusion: the pass that formed it, or NULL */
    const char *precision;        /* static: "fp32", "fp16", "tf32", "cpu-fp32" */
    int baseline;                 /* runs its kind's baseline tactic */
    double score;                 /* error relative to tolerance (> 1: fails) */
    double max_abs, max_rel;
    xc_verdict verdict;
} xc_triage_layer;

#define XC_TRIAGE_MAX_STEPS 8

typedef struct xc_triage_step {
    char name[32];     /* "build+compare", "debug fusions", ..., "report" */
    char why[512];     /* what evidence made it run */
    char result[1024]; /* one line: what it found */
    double seconds;
    int n_checks; /* debug tools: engine checks made */
} xc_triage_step;

typedef struct xc_triage_report {
    int diverged; /* an output or a per-layer row failed */
    int outputs_passed;
    int n_layers;
    xc_triage_layer *layers; /* in execution order */
    int iteration;           /* the input set they come from (the first with a divergent layer) */
    int first;               /* first divergent row, -1: none */
    char **watch;            /* its failing tensors (owned) */
    int n_watch;
    char cut_model[4096]; /* outputs pass: the model cut at those tensors, which the
                                         tools search instead (a smaller model whose outputs fail) */
    int n_failed;         /* failing rows of that table */
    char crashed[128];    /* the first build or run crashed or hung ("crashed: SIGSEGV"; "" if not): no
                             per-layer table, the tools and reduce search what crashes */
    int fp16;
    int n_steps;
    xc_triage_step steps[XC_TRIAGE_MAX_STEPS];
    /* the culprit: from the tool that explained the failure, else the first divergent layer
     * (narrowed to reduce's node when it cut the model to one node) */
    int culprit_known;
    char culprit_by[32];                                /* "debug fusions", ..., "per-layer", "debug reduce" */
    char *culprit_layer, *culprit_nodes, *culprit_what; /* owned */
    char minimal_model[4096];                           /* reduce's model ("" if not reduced) */
    char minimal_data[4096];
    char *minimal_nodes; /* owned: its nodes, comma-separated */
    int nodes_before, nodes_after;
    char *reproduce; /* commands, quoted for the shell (owned) */
    char *fix;       /* NULL: no build option fixes it */
    char *reduce_command;
    char *fix_note; /* one line on the fix (or why none) */
    char per_layer_json[4096], graph_svg[4096], html[4096], json[4096];
    char graph_note[512]; /* why the graph is missing or simplified ("" when complete) */
    double seconds;       /* all steps */
} xc_triage_report;

/* Runs the triage and writes OUT/report.html and OUT/report.json (plus per_layer.json,
 * graph.svg, tactics.json and the tools' files). r is filled even when a step fails partway
 * (free it with xc_triage_report_free either way). */
xc_status xc_triage(const xc_triage_config *c, xc_triage_report *r);
void xc_triage_report_free(xc_triage_report *r);

/* triage_child.c: runs step(arg, r, &err) in a child process (crash isolation; in this process
 * under --no-isolate or once it has used OpenCL) on the child's copy of r, which comes back
 * whole; *result is step's answer. A child that crashed, hung past timeout seconds or died
 * without its report leaves r as it was and says how it ended in crashed ("crashed: SIGSEGV";
 * "" when it finished). */
typedef int (*xc_triage_step_fn)(void *arg, xc_triage_report *r, xc_status *err);
xc_status xc_triage_isolated(const xc_triage_config *c, xc_triage_report *r, double timeout, xc_triage_step_fn step, void *arg,
                             int *result, char *crashed, size_t len);

/* The report as JSON (triage_json.c; caller frees with cJSON_Delete) and the HTML page (triage_html.c):
 * graph_svg is the graph picture's text (NULL: none). */
struct cJSON *xc_triage_json(const xc_triage_config *c, const xc_triage_report *r);
xc_status xc_triage_write_html(const xc_triage_config *c, const xc_triage_report *r, const char *graph_svg, const char *path);
#endif

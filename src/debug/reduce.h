/* reduce.h — internals of `debug reduce` shared by its files (not a public API):
 *   reduce.c            the search (outputs phase, inputs phase, branch pruning) and the result
 *   reduce_candidate.c  a candidate subgraph: its nodes, the model made from it, its data
 *   reduce_data.c       where the values of cut tensors come from: the reference, a runner, generated
 *   reduce_check.c      one verdict: built-in or external check, replay file, artifacts
 *
 * Values of the original graph are numbered: runtime graph inputs first, then node outputs in
 * topological order, so sorting by number gives a deterministic order of inputs and outputs. */
#ifndef XC_DEBUG_REDUCE_H
#define XC_DEBUG_REDUCE_H
#include "debug/session.h"
#include "names.h"
#include <stdint.h>

/* A candidate: the nodes it keeps (original indices), the values it outputs, the values it is
 * fed (cut tensors and original inputs). */
typedef struct rd_cand {
    unsigned char *keep; /* per original node */
    int n_nodes;
    int *outs, n_out; /* value numbers, ascending */
    int *ins, n_in;   /* value numbers, ascending */
    char what[512];   /* progress text */
    char tag[32];     /* artifact name part: "outputs", "inputs", "branch", "final" */
} rd_cand;

/* The model made from a candidate and its data, per iteration. */
typedef struct rd_data {
    xc_model *model;
    int n_iter;
    xc_tensor_list *fed_own; /* per iteration: the values fed (owned copies) */
    const xc_tensor ***fed;  /* per iteration: in the model's runtime-input order */
    xc_tensor ***ref;        /* per iteration, per output: the reference on the candidate (NULLs when
                                the reference cannot run it: --check judges, no outputs saved) */
    int *golden_depth;       /* per output: a golden engine's rounding layers on its path (owned; NULL: none) */
} rd_data;

typedef struct rd_record {
    uint64_t key;
    int passed, iteration;
} rd_record;

typedef struct rd_state {
    const xc_reduce_config *cfg;
    xc_reduce_report *rep;
    xc_debug_session s; /* original model, inputs per iteration, check counter */
    xc_debug_report dr;
    const xc_graph *g;
    int n_values;
    const char **value_name;         /* per value, borrowed from g */
    int *producer;                   /* per value: node index, -1 for a graph input */
    unsigned char *dynamic;          /* per value: depends on a runtime input */
    int *read_after;                 /* per value: the last node reading it (-1: none); N for graph outputs */
    unsigned char *node_ok;          /* per node: the reference can run it */
    unsigned char *ref_ok;           /* per value: the reference can compute it (every node it depends on runs) */
    int unsupported;                 /* the first node the reference cannot run (-1: none) */
    int runner_failed;               /* the data runner could not compute cut tensors: not asked again */
    int said_generated, said_runner; /* the notes about generated / runner-computed cut tensors were printed */
    int **node_in, **node_out;       /* per node: value numbers of its inputs / outputs (-1: none or constant) */
    xc_names index;                  /* name -> value number */
    char tactics[4096];              /* the failing build's tactics, pinned (leniently) in every check */
    uint64_t check_id;               /* hash of what judges (built-in options or the command) */
    rd_record *records;              /* the replay file's verdicts, then this run's */
    int n_records, cap_records;
    int last_iteration; /* the last check's failing iteration */
} rd_state;

/* reduce_candidate.c */
xc_status rd_index(rd_state *st);
void rd_index_free(rd_state *st);
/* The candidate computing outs (value numbers) using only nodes with allowed[k] set; values
 * produced outside are fed. */
xc_status rd_cand_make(const rd_state *st, const unsigned char *allowed, const int *outs, int n_out, rd_cand *c);
void rd_cand_free(rd_cand *c);
uint64_t rd_cand_key(const rd_state *st, const rd_cand *c);
/* Builds the candidate's model (cut tensors as inputs or frozen) and its data. */
xc_status rd_data_make(rd_state *st, const rd_cand *c, rd_data *d);
void rd_data_free(rd_data *d);
/* Iteration k's value of cut tensor `name` in d, or NULL. */
const xc_tensor *rd_own_value(const rd_data *d, int k, const char *name);
/* reduce_data.c: iteration k's values of c's cut tensors into d->fed_own[k], for every k: the
 * reference's where it can compute them, else the data runner's (base.against, e.g.
 * --exec-runner, run on the original model cut down to those tensors) when one is given. */
xc_status rd_cut_values(rd_state *st, const rd_cand *c, rd_data *d);
/* The cut tensors still without a value (d->model made): generated like inputs (seed + k,
 * --val-range), said once. */
xc_status rd_generate_missing(rd_state *st, const rd_cand *c, rd_data *d);
/* Writes dir/test_data_set_K/{input,output}_I.pb for every iteration (K from 0). */
xc_status rd_data_save(const rd_data *d, const char *dir);
/* Build options for a candidate model: names of nodes it lacks dropped, tactics pinned. Its
 * lists are its own: the caller frees them with xc_ocl_options_free. */
xc_status rd_build_options(const rd_state *st, const xc_model *m, xc_ocl_build_options *o);

/* reduce_check.c */
xc_status rd_replay_load(rd_state *st);
uint64_t rd_hash(uint64_t h, const void *p, size_t n);
/* Whether the replay file holds key's verdict (then prints the progress line and counts it). */
int rd_replayed(rd_state *st, uint64_t key, const char *what, int *passed);
/* Records a verdict of this run (with st->last_iteration) and rewrites the replay file. */
xc_status rd_record_verdict(rd_state *st, uint64_t key, int passed);
/* One verdict on candidate c (replayed when the replay file has it). */
xc_status rd_check(rd_state *st, const rd_cand *c, int *passed);
/* The external check's argv for a model path (and inputs folder); caller frees the array and
 * its strings with xc_check_argv_free. */
xc_status rd_check_argv(const rd_state *st, const char *model, const char *inputs, char ***argv);
#endif

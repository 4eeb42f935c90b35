/* results.h — saving and loading the tensors of runs.
 *
 * A results folder holds one ONNX TensorProto file per tensor, named
 * `<runner>_it<k>_<role>_<n>.pb` (never after the tensor, whose name may hold '/' or '..'),
 * and index.json ("format": "crosscheck-results-1") listing for each file: runner, iteration,
 * role, tensor name, dtype, shape, file, value statistics ("stats": min, max, mean, std over
 * the finite values, nan and inf counts) and, when the runner compared it, "compare" (max/mean
 * abs and rel error, nmse, cosine, max_ulp, passed). The first runner's iteration-0 inputs and
 * outputs are also linked as input_K.pb / output_K.pb, so the folder still reads as an ONNX
 * test_data_set.
 *
 * Loading accepts such a folder, an ONNX test_data_set folder, .pb and .npy files, and
 * Polygraphy JSON (RunResults from `--save-outputs`, or feed-dict lists from `--save-inputs`). */
#ifndef XC_RESULTS_H
#define XC_RESULTS_H
#include "dataset.h"

struct xc_compare_result;

/* ---- writing ---- */

/* Opaque. Created by xc_results_open, freed by xc_results_close (always). */
typedef struct xc_results_writer xc_results_writer;

/* Creates dir if needed (its parent must exist). */
xc_status xc_results_open(const char *dir, xc_results_writer **out);
/* Writes t as the next tensor of (runner, iteration, role); role is "input", "output" or
 * "layer"; stats (may be NULL) is how t compared against its reference. t is not kept. */
xc_status xc_results_add(xc_results_writer *w, const char *runner, int iteration, const char *role, const xc_tensor *t,
                         const struct xc_compare_result *stats);
/* Writes index.json and frees w, even on error. */
xc_status xc_results_close(xc_results_writer *w);

/* One runner's iteration in one call (the original API): inputs may be NULL. */
xc_status xc_results_save(const char *dir, const char *runner, int iteration, const xc_tensor_list *inputs,
                          xc_tensor *const *outputs, int n_outputs);

/* ---- loading ---- */

typedef enum { XC_ROLE_INPUT, XC_ROLE_OUTPUT, XC_ROLE_LAYER } xc_result_role;
const char *xc_result_role_name(xc_result_role r); /* "input", "output", "layer" */
int xc_result_role_from_name(const char *name);    /* -1 if unknown */

/* One loaded tensor. compare: the index's comparison object (owned cJSON), NULL if none. */
typedef struct xc_result_entry {
    char *runner;
    int iteration;
    xc_result_role role;
    xc_tensor *t; /* owned; named (possibly "") */
    struct cJSON *compare;
} xc_result_entry;

/* A loaded results set, in file order. Owned by the caller: xc_results_free. */
typedef struct xc_results {
    char *source;       /* the path it came from */
    const char *format; /* static: "crosscheck-results-1", "test_data_set", "pb", "npy",
                            * "polygraphy-RunResults", "polygraphy-inputs", "mixed" */
    int n;
    xc_result_entry *e;
} xc_results;

/* Loads a results folder, test_data_set folder, .pb, .npy or Polygraphy JSON file. Every
 * problem fails with one line naming the file (and the tensor when there is one). */
xc_status xc_results_load(const char *path, xc_results **out);
/* Loads several paths into one set (each path's entries in order), keeping only tensors of
 * `role` from results folders (the others' files are not read). Bare .pb / .npy files get
 * role `role` and runner "files". */
xc_status xc_results_load_paths(const char *const *paths, int n, xc_result_role role, xc_results **out);
void xc_results_free(xc_results *r);

/* An empty set (format static), to be filled by xc_results_append (used by the readers). */
xc_status xc_results_new(const char *source, const char *format, xc_results **out);
/* Appends t (ownership taken, even on failure). */
xc_status xc_results_append(xc_results *r, const char *runner, int iteration, xc_result_role role, xc_tensor *t);

/* Distinct runner names in order of first appearance; *names (borrowed strings) is malloc'd,
 * the caller frees the array only. */
xc_status xc_results_runners(const xc_results *r, const char ***names, int *n);
/* Number of iterations of runner (highest iteration + 1), 0 if absent. */
int xc_results_iterations(const xc_results *r, const char *runner);
/* The tensor named `name` of (runner, iteration, role), borrowed; NULL if absent. */
const xc_tensor *xc_results_find(const xc_results *r, const char *runner, int iteration, xc_result_role role, const char *name);
/* Copies (clones) every tensor of (runner, iteration, role) into out, in file order. runner
 * NULL: the first runner that has tensors of that role at that iteration. Fails naming the
 * source when there are none. */
xc_status xc_results_select(const xc_results *r, const char *runner, int iteration, xc_result_role role, xc_tensor_list *out);
/* The same, moving the tensors out instead of copying: their entries leave r. */
xc_status xc_results_take(xc_results *r, const char *runner, int iteration, xc_result_role role, xc_tensor_list *out);
#endif

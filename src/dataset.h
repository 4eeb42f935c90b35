/* dataset.h — sets of named tensors: ONNX test_data_set folders and lists of tensor files, and
 * matching them to a graph's inputs and outputs (by name, else by position). */
#ifndef XC_DATASET_H
#define XC_DATASET_H
#include "crosscheck/dataset.h"
#include "graph.h"
#include "tensor_list.h"

/* Loads the `prefix` ("input" or "output") tensors of each path into one list, in order: .pb
 * and .npy files, test_data_set folders (their prefix_K.pb), crosscheck results folders and
 * Polygraphy JSON files (the first runner holding such tensors, iteration 0). Fails naming
 * the path when one holds none. */
xc_status xc_tensor_files_load(const char *const *paths, int n, const char *prefix, xc_tensor_list *out);

/* Orders `given` to match the graph's runtime inputs: exact name, then position. *ordered has
 * one borrowed pointer per runtime input (caller allocates). Fails naming a missing input. */
xc_status xc_match_inputs(const xc_graph *g, const xc_tensor_list *given, const xc_tensor **ordered);
/* Same for expected outputs against graph outputs; *ordered[i] may be NULL when none given. */
xc_status xc_match_outputs(const xc_graph *g, const xc_tensor_list *given, const xc_tensor **ordered);
int xc_graph_runtime_input_count(const xc_graph *g);
#endif

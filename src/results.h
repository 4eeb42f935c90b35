/* results.h — saving a run's tensors: a folder readable as an ONNX test_data_set
 * (input_K.pb, output_K.pb, each TensorProto named after its tensor) plus index.json
 * describing each file (runner, iteration, tensor, dtype, shape, role). */
#ifndef XC_RESULTS_H
#define XC_RESULTS_H
#include "dataset.h"

xc_status xc_results_save(const char *dir, const char *runner, int iteration, const xc_tensor_list *inputs,
                          xc_tensor *const *outputs, int n_outputs);
#endif

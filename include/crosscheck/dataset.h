/* dataset.h — sets of named tensors (ONNX test_data_set folders, lists of .pb/.npy files,
 * results folders) and matching them to a model's inputs and outputs. */
#ifndef XC_PUBLIC_DATASET_H
#define XC_PUBLIC_DATASET_H
#include "model.h"
#include "tensor.h"

typedef struct xc_tensor_list {
    int n;
    xc_tensor **t;
} xc_tensor_list;

/* Frees every tensor and empties the list. */
XC_API void xc_tensor_list_free(xc_tensor_list *l);
/* Loads input_K.pb and output_K.pb (K = 0, 1, ...) from a test_data_set folder. */
XC_API xc_status xc_dataset_load(const char *dir, xc_tensor_list *inputs, xc_tensor_list *outputs);
/* Orders `given` to match the model's runtime inputs (exact name, then position): ordered
 * (caller-allocated, xc_model_input_count entries) receives borrowed pointers. Fails naming a
 * missing input. */
XC_API xc_status xc_model_match_inputs(const xc_model *m, const xc_tensor_list *given, const xc_tensor **ordered);
/* The same for saved outputs against the model's outputs; an entry is NULL where none is given. */
XC_API xc_status xc_model_match_outputs(const xc_model *m, const xc_tensor_list *given, const xc_tensor **ordered);

#endif

/* tensor_list.h — adding to a list of owned tensors (the list type and freeing it are public:
 * crosscheck/dataset.h). */
#ifndef XC_TENSOR_LIST_H
#define XC_TENSOR_LIST_H
#include "crosscheck/dataset.h"
#include "tensor.h"

/* Appends t; the list takes ownership, even on failure. */
xc_status xc_tensor_list_push(xc_tensor_list *l, xc_tensor *t);
#endif

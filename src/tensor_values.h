/* tensor_values.h — a tensor's values as text (inspect results --show-values): one line per row
 * of the last axis, prefixed with its leading coordinates ("[0,2,:] 0.1 0.2 ..."), numbers in
 * %.6g (integers exact, bool as 0/1), at most max_values values in all (0: every one); what
 * is left out is counted on a last line "... N more values (of TOTAL)". */
#ifndef XC_TENSOR_VALUES_H
#define XC_TENSOR_VALUES_H
#include "tensor.h"

/* A malloc'd string of lines, each starting with indent; NULL when out of memory. */
char *xc_tensor_values_text(const xc_tensor *t, size_t max_values, const char *indent);
#endif

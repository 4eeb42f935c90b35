/* inspect_results.h — the summary `crosscheck inspect results` prints, as JSON. */
#ifndef XC_INSPECT_RESULTS_H
#define XC_INSPECT_RESULTS_H
#include "error.h"
#include <cjson/cJSON.h>

/* Loads path (anything xc_results_load reads) and summarizes it:
 *   {"source", "format", "runners": [{"name", "iterations": [{"iteration", "tensors": [
 *     {"role", "name", "dtype", "shape", "stats": {min, max, mean, std, nan, inf, histogram},
 *      "compare": {...}   (only when the results index recorded a comparison)} ]}]}]}
 * Runners in order of first appearance, iterations ascending, tensors in file order. The
 * histogram has 10 bins of equal width over [min, max] of the finite values. */
xc_status xc_inspect_results(const char *path, cJSON **out);
/* The same, and with show_values each tensor's "values": its values as text (tensor_values.h),
 * at most max_values of them (0: all). */
xc_status xc_inspect_results_values(const char *path, int show_values, size_t max_values, cJSON **out);
#endif

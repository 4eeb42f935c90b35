/* compare_json.h — one comparison's statistics as JSON, the same object wherever a comparison
 * is written (run --json, per-layer tables, results indexes). Non-finite statistics are null. */
#ifndef XC_COMPARE_JSON_H
#define XC_COMPARE_JSON_H
#include "compare.h"
#include <cjson/cJSON.h>

/* tol (may be NULL): the tolerance applied, recorded with the verdict. out (may be NULL): the
 * compared tensor, so the worst element is given as coordinates too. */
cJSON *xc_compare_json(const xc_compare_result *r, const xc_tolerance *tol, const xc_tensor *out);
#endif

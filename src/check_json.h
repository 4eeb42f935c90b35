/* check_json.h — the JSON form of output_check.h's results and of --check-average's verdicts,
 * added to a run's report (run_json.c). */
#ifndef XC_CHECK_JSON_H
#define XC_CHECK_JSON_H
#include "runner.h"
#include <cjson/cJSON.h>

/* Adds "compare_func", "tolerance_passed", "postprocess", "reshaped", "indices", "metrics" to o
 * (one output's comparison object). */
void xc_check_result_json(const xc_check_result *c, cJSON *o);
/* [{"runner", "output", "iterations", "check_error_stat", "check_abs", "check_rel", "atol",
 *   "rtol", "metrics", "passed"}]: the --check-average verdicts. */
cJSON *xc_averages_json(const xc_run_report *r);
#endif

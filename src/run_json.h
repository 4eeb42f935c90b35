/* run_json.h — a run's report as JSON (`crosscheck run --json FILE`): runners, every
 * comparison with its statistics, per-layer tables, first-NaN findings. The per-layer object
 * ("format": "crosscheck-per-layer-1") is what `crosscheck graph --results` overlays. */
#ifndef XC_RUN_JSON_H
#define XC_RUN_JSON_H
#include "runner.h"

struct cJSON *xc_run_report_json(const xc_run_report *r, const xc_run_config *c);
/* The per-layer table of runner k at iteration it as a JSON object. */
struct cJSON *xc_per_layer_json(const xc_run_report *r, int k, int it, xc_per_layer_mode mode);
xc_status xc_run_report_save_json(const xc_run_report *r, const xc_run_config *c, const char *path);
#endif

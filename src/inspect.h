/* inspect.h — a model summary as a JSON document (cJSON), the single source for both
 * `inspect model --json` and its text rendering, plus the optional views `--show` adds
 * (every node with its typed inputs and outputs, attributes, initializer statistics). */
#ifndef XC_INSPECT_H
#define XC_INSPECT_H
#include "graph_json.h"
#include "value_stats.h"
#include <cjson/cJSON.h>

/* {"path","ir_version","producer","opsets":[{domain,version}],"metadata":{..},"doc_string",
 *  "inputs":[{name,dtype,shape:[int|"sym"]}],"outputs":[..],"nodes":N,"ops":{op:count},
 *  "parameters":N,"parameter_bytes":N,"initializers":N,
 *  "unsupported":[{"node","op","reason"}]}  — caller frees with cJSON_Delete. */
cJSON *xc_inspect_model(const xc_model *m);

/* ---- views (`inspect model --show layers,attrs,weights`) ---- */
enum { XC_SHOW_LAYERS = 1, XC_SHOW_ATTRS = 2, XC_SHOW_WEIGHTS = 4 };

/* Parses a comma-separated list of view names into XC_SHOW_* flags (XC_ERR_USAGE naming an
 * unknown word). attrs implies layers: attributes are shown under their node. */
xc_status xc_inspect_parse_show(const char *list, unsigned *flags);

/* Adds to a summary from xc_inspect_model:
 *  layers:  "layers":[{"index","name","op","domain","inputs":[value],"outputs":[value],
 *            "attributes":{name: attr} (with XC_SHOW_ATTRS)}]; a value is
 *            {"name","dtype","shape":[int|"sym"|"?"]|null,"initializer":bool}, typed by the
 *            model's load-time inference (symbolic dims named where the model names them).
 *  weights: "weights":[{"name","dtype","shape",<xc_value_stats fields>}]. */
xc_status xc_inspect_model_show(const xc_model *m, unsigned flags, cJSON *summary);

/* "weights" of the summary: every initializer with its stats. */
cJSON *xc_inspect_weights_json(const xc_graph *g);
#endif

/* inspect.h — a model summary as a JSON document (cJSON), the single source for both
 * `inspect model --json` and its text rendering, plus the optional views `--show` adds
 * (every node with its typed inputs and outputs, attributes, initializer statistics). */
#ifndef XC_INSPECT_H
#define XC_INSPECT_H
#include "graph.h"
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

/* A shape as JSON: dims >= 0 as numbers, unknown ones as their symbolic name (dim_params may
 * be NULL) or "?"; rank < 0 gives null. */
cJSON *xc_inspect_shape_json(int rank, const int64_t *dims, char *const *dim_params);

/* An attribute's value as JSON: numbers, strings and lists as themselves; tensors summarized as
 * "<tensor float32[2,3]>" (values appended when at most 8); graphs as "<subgraph N nodes>". */
cJSON *xc_inspect_attr_json(const xc_attr *a);
/* Every attribute of n as an object {name: value}. */
cJSON *xc_inspect_attrs_json(const xc_node *n);

/* Statistics of a tensor's values, computed in double for every stored dtype. min, max, mean
 * and std (population, as numpy's default) cover the finite values only; NaN and Inf are
 * counted apart, so one Inf does not hide the range of the rest. */
typedef struct xc_value_stats {
    size_t count;              /* elements */
    size_t finite;             /* elements that are neither NaN nor Inf */
    double min, max, mean, std; /* of the finite elements; 0 when there are none */
    double zero_fraction;      /* elements equal to 0, over count (0 for an empty tensor) */
    size_t nan, inf;
} xc_value_stats;

/* "weights" of the summary: every initializer with its stats. */
cJSON *xc_inspect_weights_json(const xc_graph *g);
/* XC_ERR_UNSUPPORTED for a dtype crosscheck cannot hold (strings, complex). */
xc_status xc_tensor_stats(const xc_tensor *t, xc_value_stats *out);
/* The stats as JSON fields added to o (min/max/mean/std null when no value is finite). */
void xc_value_stats_json(const xc_value_stats *s, cJSON *o);
#endif

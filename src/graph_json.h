/* graph_json.h — parts of a graph as JSON: shapes and node attributes. Below the engine and the
 * tools, so `inspect model` and `inspect engine` describe them the same way. */
#ifndef XC_GRAPH_JSON_H
#define XC_GRAPH_JSON_H
#include "graph.h"
#include <cjson/cJSON.h>

/* A shape as JSON: dims >= 0 as numbers, unknown ones as their symbolic name (dim_params may
 * be NULL) or "?"; rank < 0 gives null. */
cJSON *xc_inspect_shape_json(int rank, const int64_t *dims, char *const *dim_params);

/* An attribute's value as JSON: numbers, strings and lists as themselves; tensors summarized as
 * "<tensor float32[2,3]>" (values appended when at most 8); graphs as "<subgraph N nodes>". */
cJSON *xc_inspect_attr_json(const xc_attr *a);
/* Every attribute of n as an object {name: value}. */
cJSON *xc_inspect_attrs_json(const xc_node *n);
#endif

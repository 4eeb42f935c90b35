/* inspect.h — a model summary as a JSON document (cJSON), the single source for both
 * `inspect model --json` and its text rendering. */
#ifndef XC_INSPECT_H
#define XC_INSPECT_H
#include "graph.h"
#include <cjson/cJSON.h>

/* {"path","ir_version","producer","opsets":[{domain,version}],"metadata":{..},"doc_string",
 *  "inputs":[{name,dtype,shape:[int|"sym"]}],"outputs":[..],"nodes":N,"ops":{op:count},
 *  "parameters":N,"parameter_bytes":N,"initializers":N,
 *  "unsupported":[{"node","op","reason"}]}  — caller frees with cJSON_Delete. */
cJSON *xc_inspect_model(const xc_model *m);
#endif

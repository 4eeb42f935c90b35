/* plugins.h — the library's side of custom-op plugins (the API plugins use is public:
 * crosscheck/plugin.h). Loaded plugins' ops become schemas of their custom domain, found by
 * validation like built-in ones; the reference runs them through xc_plugin_compute(). */
#ifndef XC_OPS_PLUGINS_H
#define XC_OPS_PLUGINS_H
#include "crosscheck/plugin.h"
#include "ops/schema.h"

/* The schema a loaded plugin registered for op_type of domain at opset, or NULL. */
const xc_op_schema *xc_plugin_schema_find(const char *domain, const char *op_type, int opset);
/* 1 when schema is a plugin's op. */
int xc_plugin_schema_is(const xc_op_schema *schema);
/* The OpenCL kernel (source and name) a plugin op gave the engine: 1 when it gave one. */
int xc_plugin_opencl(const xc_op_schema *schema, const char **source, const char **kernel);
/* Runs the compute callback of n's plugin op (n->schema must be one); errors name the plugin,
 * the op and the node. */
xc_status xc_plugin_compute(const xc_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out);

#endif

/* lint.h — `crosscheck check lint`: every independent problem of a model in one pass.
 *
 * Errors are what loading would refuse (unknown ops, bad attributes, arity, missing producers,
 * duplicate outputs, cycles, type/shape inference failures), collected past the first one:
 * validation runs with a sink, cycles are broken and broken nodes left untyped so the rest
 * is still checked. Warnings are legal but suspicious: unused graph inputs, dead nodes (no
 * graph output depends on them), unused initializers, shadowed names (an initializer that is
 * also a graph input, a subgraph value that hides an outer one), nodes without a name, and
 * nodes crosscheck cannot run. */
#ifndef XC_LINT_H
#define XC_LINT_H
#include "error.h"

struct cJSON;

typedef enum { XC_LINT_ERROR, XC_LINT_WARNING } xc_lint_severity;

typedef struct xc_lint_finding {
    xc_lint_severity severity;
    char *kind;    /* "arity", "cycle", "dead-node", ... */
    char *node;    /* node name ("" if unnamed), NULL if no node is involved */
    char *op_type; /* with node */
    char *tensor;  /* NULL if no tensor is involved */
    char *message; /* one line naming the node or tensor */
} xc_lint_finding;

/* Owned by the caller: xc_lint_report_free. */
typedef struct xc_lint_report {
    char *model;
    int n, cap;
    xc_lint_finding *f; /* errors in the order found, then warnings */
    int n_errors, n_warnings;
} xc_lint_report;

/* Lints the model at path. Fails (the report empty) only when the file cannot be read or is
 * not ONNX protobuf at all (XC_ERR_IO / XC_ERR_MODEL) or memory runs out. */
xc_status xc_lint(const char *path, xc_lint_report *out);
void xc_lint_report_free(xc_lint_report *r);
const char *xc_lint_severity_name(xc_lint_severity s);
/* {"model", "findings": [{severity, kind, node, op_type, tensor, message}], "summary":
 * {"errors", "warnings", "passed"}}; NULL if out of memory. */
struct cJSON *xc_lint_report_json(const xc_lint_report *r);
/* Writes xc_lint_report_json to path. */
xc_status xc_lint_report_save_json(const xc_lint_report *r, const char *path);
#endif

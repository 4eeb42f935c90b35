/* backend.h — how backends are built inside the library (the interface users call is public:
 * crosscheck/backend.h). A backend is a vtable over its implementation; the reference's own
 * entry points used by other backends (CPU fallback, constant folding, streaming compares) are
 * declared here too. */
#ifndef XC_BACKEND_H
#define XC_BACKEND_H
#include "crosscheck/backend.h"
#include "graph.h"

struct xc_backend {
    const char *name;
    /* inputs: one per runtime graph input (graph inputs that are not initializers), in graph
     * order. outputs: one per graph output, allocated by the backend, owned by the caller. */
    xc_status (*run)(xc_backend *b, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs);
    void (*destroy)(xc_backend *b);
    void *impl;
};

/* Runs one node on the reference: in[i] NULL for omitted inputs; out[o] allocated (NULL for
 * outputs not requested). Other backends use it for CPU fallback and constant folding. */
xc_status xc_ref_eval_node(const xc_node *n, const xc_tensor *const *in, xc_tensor **out);
/* Where a node's subgraphs find the values of the graphs around it (outer-scope captures):
 * find returns the value `name` has in one graph, or NULL; parent is the next graph out. */
typedef struct xc_ref_scope xc_ref_scope;
struct xc_ref_scope {
    const xc_ref_scope *parent;
    const xc_tensor *(*find)(const xc_ref_scope *self, const char *name);
    const void *user;
};
/* The value `name` has in the innermost graph of s that holds it, or NULL. */
const xc_tensor *xc_ref_scope_find(const xc_ref_scope *s, const char *name);
/* xc_ref_eval_node for a node whose subgraphs capture values: scope holds them (NULL: none). */
xc_status xc_ref_eval_node_in(const xc_node *n, const xc_tensor *const *in, xc_tensor **out, const xc_ref_scope *scope);
/* Why the reference cannot run node k of m (buf may hold the message), or NULL if it can. */
const char *xc_ref_node_unsupported(const xc_model *m, int k, char *buf, size_t len);
/* Lists (one per line, "node 'x' (Op): reason") what the reference cannot run; NULL if all can.
 * Caller frees. */
char *xc_ref_unsupported(const xc_model *m);

/* The reference evaluated on demand, for streaming comparisons: xc_ref_session_get(name)
 * evaluates only the nodes `name` depends on that have not run yet, so a caller following
 * another backend's execution order keeps the reference's live set in step with it. Values are
 * freed once every node reading them has run and no caller holds them: a value returned by get
 * is held (borrowed, valid) until xc_ref_session_release(name). inputs: one per runtime graph
 * input, in graph order, borrowed for the session's life. A value freed and asked for again is
 * recomputed. */
typedef struct xc_ref_session xc_ref_session;
xc_status xc_ref_session_create(const xc_model *m, const xc_tensor *const *inputs, xc_ref_session **out);
xc_status xc_ref_session_get(xc_ref_session *s, const char *name, const xc_tensor **out);
void xc_ref_session_release(xc_ref_session *s, const char *name);
void xc_ref_session_free(xc_ref_session *s);

#endif

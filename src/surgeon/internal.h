/* internal.h — helpers shared by the surgeon's operations (not part of the public API).
 *
 * Every operation works the same way: copy the source model (sg_clone: only the nodes and
 * initializers it keeps), edit the copy in place with the helpers below, then sg_finish()
 * validates it as if it had been loaded from a file. */
#ifndef XC_SURGEON_INTERNAL_H
#define XC_SURGEON_INTERNAL_H
#include "names.h"
#include "surgeon.h"

/* A growable list of borrowed names. */
typedef struct sg_list {
    const char **v;
    int n, cap;
} sg_list;
xc_status sg_list_push(sg_list *l, const char *s);
void sg_list_free(sg_list *l);

/* Copies m; keep_nodes / keep_inits (NULL: all) select top-level nodes and initializers.
 * Inputs, outputs, value infos, opsets and metadata are always copied. */
xc_status sg_clone(const xc_model *m, const char *keep_nodes, const char *keep_inits, xc_model **out);

/* Copies a tensor's struct and name; mapped data is shared (reference counted), else copied. */
xc_status sg_share_tensor(const xc_tensor *t, xc_tensor **out);

/* Values node n reads: its present inputs, and the outer-scope names its subgraphs use. */
xc_status sg_node_uses(const xc_node *n, sg_list *out);

/* Who defines each value of g: node index >= 0, SG_INIT, SG_INPUT (a graph input that is not
 * an initializer). Keys are borrowed from g. */
enum { SG_INIT = -2, SG_INPUT = -3 };
xc_status sg_producers(const xc_graph *g, xc_names *out);

/* In-place edits; mask[i] != 0 removes item i (freed). */
void sg_remove_nodes(xc_graph *g, const char *mask);
void sg_remove_initializers(xc_graph *g, const char *mask);
/* Appends, taking ownership of *n (its struct is copied; the caller drops its own copy). */
xc_status sg_append_node(xc_graph *g, const xc_node *n);
xc_status sg_append_initializer(xc_graph *g, xc_tensor *t); /* ownership taken, even on failure */
/* Removes the graph input (if any) named name. */
void sg_remove_input(xc_graph *g, const char *name);

/* Removes nodes that no graph output depends on, initializers nothing reads, value infos of
 * values that no longer exist; merge: also replaces duplicate initializers (same dtype, shape,
 * bytes) by the first. Counts go to rep when not NULL. */
xc_status sg_cleanup(xc_model *m, int merge, xc_sanitize_report *rep);

/* Folds constants of w in place (see fold.c): nodes whose outputs all became constants (and
 * none is larger than threshold bytes; 0: no limit) are replaced by initializers. */
xc_status sg_fold(xc_model *w, size_t threshold, xc_sanitize_report *rep);

/* Copies a value info / attribute. Their proto pointers are kept: only for copies within one
 * model, whose messages outlive both. */
xc_status sg_copy_value(const xc_value_info *a, xc_value_info *b);
xc_status sg_copy_attr(const xc_attr *a, xc_attr *b);

/* A name no value or node of g uses: base, else base_1, base_2... (caller frees). */
char *sg_fresh_name(const xc_graph *g, const xc_names *producers, const char *base);

/* Validates w (sorting its nodes, inferring types) and hands it to *out; on failure frees w and
 * prefixes the message with what ("extract: "). */
xc_status sg_finish(xc_model *w, const char *what, xc_model **out);

/* Checks that name is a value of g (input, initializer or node output), failing with
 * "<what> names tensor 'x', which is not in the model". */
xc_status sg_require_value(const xc_names *producers, const char *name, const char *what);

#endif

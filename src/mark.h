/* mark.h — marked tensors (`run --outputs NAME... | --outputs mark all`): intermediate tensors
 * a run keeps, as Polygraphy's --onnx-outputs does, so --save-outputs can write them (role
 * "layer") beside the graph outputs.
 *
 * Marking does not change the model: each backend already reports every tensor it
 * materializes through its observer (backend.h), and a mark watch keeps copies of the marked
 * ones. The reference materializes every node output; the OpenCL engine only its layers'
 * outputs, so a tensor inside a fused group, or folded away, is not there to keep
 * (xc_marks_report_missing names them and the --no-fuse-node that would keep them). */
#ifndef XC_MARK_H
#define XC_MARK_H
#include "backend.h"
#include "dataset.h"
#include "names.h"

struct xc_engine;

/* Owned: xc_marks_free. names point into the graph the marks were resolved against. */
typedef struct xc_marks {
    xc_names set;
    const char **names; /* in graph (topological) order */
    int n;
} xc_marks;

/* Resolves patterns against g's node outputs: tensor names, fnmatch globs ("conv*"), or the two
 * words "mark" "all" (every node output). Graph outputs are accepted and not marked (they are
 * kept anyway). A name or glob that matches no node output fails (XC_ERR_USAGE) naming every
 * such pattern. */
xc_status xc_marks_resolve(const xc_graph *g, const char *const *patterns, int n, xc_marks *out);
void xc_marks_free(xc_marks *m);
int xc_marks_has(const xc_marks *m, const char *name);

/* Observer: keeps a clone of every marked tensor reported into kept, then forwards the call to
 * next (may be NULL). */
typedef struct xc_mark_watch {
    const xc_marks *marks;
    xc_tensor_list *kept;
    const xc_observer *next;
} xc_mark_watch;
xc_observer xc_mark_watch_observer(xc_mark_watch *w);

/* Warns (log.h) about marked tensors an engine run did not materialize, naming the fused layer
 * holding each and the --no-fuse-node option that keeps it. Returns how many were missing. */
int xc_marks_report_missing(const xc_marks *m, const xc_tensor_list *kept, const struct xc_engine *e, const xc_graph *g,
                            const char *runner);
#endif

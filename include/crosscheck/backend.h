/* backend.h — running a model: the naive CPU reference interpreter (the oracle) and OpenCL
 * engines (engine.h) are backends with one interface.
 *
 * A backend is created for one model and run any number of times. It reports every tensor it
 * materializes to the observer, in execution order, so comparisons can stream: the tensor
 * passed to on_tensor is valid only during the call. */
#ifndef XC_PUBLIC_BACKEND_H
#define XC_PUBLIC_BACKEND_H
#include "model.h"
#include "tensor.h"

typedef struct xc_observer {
    /* name: the ONNX tensor name; layer: what produced it (node name or engine layer name).
     * Returning anything but XC_OK stops the run with that status. */
    xc_status (*on_tensor)(void *user, const char *name, const xc_tensor *t, const char *layer);
    void *user;
} xc_observer;

typedef struct xc_backend xc_backend;

/* The reference interpreter for m (m must outlive it). Fails with XC_ERR_UNSUPPORTED listing
 * every node it cannot run. */
XC_API xc_status xc_ref_backend_create(const xc_model *m, xc_backend **out);
/* inputs: one per runtime input (xc_model_input_count), in order. outputs: one slot per model
 * output, filled with tensors the caller owns. obs may be NULL. */
XC_API xc_status xc_backend_run(xc_backend *b, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs);
XC_API const char *xc_backend_name(const xc_backend *b);
XC_API void xc_backend_destroy(xc_backend *b);

#endif

/* error.h — status codes and the calling thread's last error.
 *
 * Every function that can fail returns an xc_status and leaves one line in the calling thread's
 * error buffer naming the file, node or tensor involved ("model.onnx: node 'conv1' (Conv): ...").
 * The library never prints an error itself and never exits. */
#ifndef XC_PUBLIC_ERROR_H
#define XC_PUBLIC_ERROR_H
#include "api.h"

typedef enum {
    XC_OK = 0,
    XC_ERR_USAGE,       /* bad arguments from the caller */
    XC_ERR_IO,          /* file missing, unreadable, unwritable */
    XC_ERR_MODEL,       /* the model (or a tensor file) is invalid */
    XC_ERR_UNSUPPORTED, /* valid ONNX that crosscheck does not implement */
    XC_ERR_NOMEM,       /* allocation failed or a limit was exceeded */
    XC_ERR_RUNTIME,     /* a backend failed while running */
    XC_ERR_INTERNAL
} xc_status;

/* The calling thread's last error message ("unknown error" when none was set). */
XC_API const char *xc_error_message(void);
XC_API void xc_error_clear(void);
/* "ok", "usage", "io", ... */
XC_API const char *xc_status_name(xc_status s);

#endif

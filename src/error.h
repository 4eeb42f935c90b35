/* error.h — status codes and the per-thread error message.
 *
 * Every library function that can fail returns an xc_status (or NULL) and leaves one line in the
 * calling thread's error buffer naming the file, node or tensor involved. Outer layers add context
 * with xc_error_prefix() so the final message reads "model.onnx: node 'conv1' (Conv): ...". */
#ifndef XC_ERROR_H
#define XC_ERROR_H

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

/* Sets the message (printf-style) and returns code, so callers can `return xc_fail(...)`. */
xc_status xc_fail(xc_status code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepends context to the current message; returns code. */
xc_status xc_error_prefix(xc_status code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *xc_error_message(void);
void xc_error_clear(void);
const char *xc_status_name(xc_status s);

/* Warnings: things accepted but probably not meant (an option naming no tensor). One line,
 * control characters shown as '?', passed to the handler; without one, printed to stderr as
 * "crosscheck: warning: ..." through the log (log.h: -q, -v, --log-file). The handler is process-wide (set it before running). */
typedef void (*xc_warning_handler)(const char *line, void *user);
void xc_set_warning_handler(xc_warning_handler fn, void *user);
void xc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A malloc'd printf result (NULL when out of memory): names of any length, no fixed buffers. */
char *xc_strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define XC_TRY(expr) do { xc_status xc__s = (expr); if (xc__s != XC_OK) return xc__s; } while (0)

#endif

/* error.h — the library's side of errors: setting the calling thread's message (the status
 * codes and reading the message are public: crosscheck/error.h), warnings and small helpers.
 *
 * Every library function that can fail returns an xc_status (or NULL) and leaves one line in the
 * calling thread's error buffer naming the file, node or tensor involved. Outer layers add context
 * with xc_error_prefix() so the final message reads "model.onnx: node 'conv1' (Conv): ...". */
#ifndef XC_ERROR_H
#define XC_ERROR_H
#include "crosscheck/error.h"

/* Sets the message (printf-style) and returns code, so callers can `return xc_fail(...)`. */
xc_status xc_fail(xc_status code, const char *fmt, ...) XC_PRINTF(2, 3);
/* Prepends context to the current message; returns code. */
xc_status xc_error_prefix(xc_status code, const char *fmt, ...) XC_PRINTF(2, 3);

/* Warnings: things accepted but probably not meant (an option naming no tensor). One line,
 * control characters shown as '?', delivered through the log (crosscheck/log.h: level,
 * callback, file) at warning level. */
void xc_warn(const char *fmt, ...) XC_PRINTF(1, 2);

/* A malloc'd printf result (NULL when out of memory): names of any length, no fixed buffers. */
char *xc_strprintf(const char *fmt, ...) XC_PRINTF(1, 2);
/* Replaces control characters by '?' so a message quoting a name stays one line. */
void xc_one_line(char *s);

#define XC_TRY(expr)                                                                                                             \
    do {                                                                                                                         \
        xc_status xc__s = (expr);                                                                                                \
        if (xc__s != XC_OK) return xc__s;                                                                                        \
    } while (0)

/* Invariants of the library's own making (never of its inputs: those get an xc_status). Checked
 * in debug and sanitizer builds (XC_CHECK_INVARIANTS, set by the Makefile unless OPT=-O2
 * without SAN), where a broken one aborts naming the place; compiled out otherwise. */
#ifdef XC_CHECK_INVARIANTS
void xc_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));
#define XC_ASSERT(cond) ((cond) ? (void)0 : xc_assert_fail(#cond, __FILE__, __LINE__))
#else
#define XC_ASSERT(cond) ((void)0)
#endif

#endif

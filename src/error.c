/* error.c — the per-thread error buffer behind xc_fail(). */
#include "error.h"
#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XC_ERRBUF 2048
static _Thread_local char errbuf[XC_ERRBUF];

/* Messages are one line, but they quote names taken from files: a tensor named "a\nb" must not
 * break the line (nor a terminal escape reach the terminal). Control characters become '?'. */
void xc_one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

xc_status xc_fail(xc_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    va_end(ap);
    xc_one_line(errbuf);
    return code;
}

xc_status xc_error_prefix(xc_status code, const char *fmt, ...)
{
    char prefix[XC_ERRBUF], old[XC_ERRBUF];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, errbuf, sizeof old);
    snprintf(errbuf, sizeof errbuf, "%s%s", prefix, old);
    xc_one_line(errbuf);
    return code;
}

void xc_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xc_vlog(XC_LOG_WARNING, fmt, ap); /* level, callback and log file apply */
    va_end(ap);
}

char *xc_strprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

const char *xc_error_message(void) { return errbuf[0] ? errbuf : "unknown error"; }
void xc_error_clear(void) { errbuf[0] = 0; }

const char *xc_status_name(xc_status s)
{
    static const char *names[] = {"ok",          "usage error",   "I/O error",     "invalid model",
                                  "unsupported", "out of memory", "runtime error", "internal error"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

#ifdef XC_CHECK_INVARIANTS
void xc_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "crosscheck: internal error: %s:%d: invariant '%s' broken\n", file, line, expr);
    abort();
}
#endif

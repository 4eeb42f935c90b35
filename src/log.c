/* log.c — the process-wide message sink (see log.h). Kept apart from error.c: an error is a
 * status with one message for the caller, a log line is something a person may want to read. */
#include "log.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static xc_log_level stderr_level = XC_LOG_WARNING;
static FILE *log_file;

void xc_log_set_level(int level)
{
    stderr_level = level < XC_LOG_ERROR ? XC_LOG_ERROR : level > XC_LOG_VERBOSE ? XC_LOG_VERBOSE : (xc_log_level)level;
}

xc_log_level xc_log_get_level(void) { return stderr_level; }

xc_status xc_log_set_file(const char *path)
{
    if (log_file) fclose(log_file);
    log_file = NULL;
    if (!path) return XC_OK;
    if (!(log_file = fopen(path, "a"))) return xc_fail(XC_ERR_IO, "%s: cannot open the log file: %s", path, strerror(errno));
    setvbuf(log_file, NULL, _IOLBF, 0); /* whole lines survive a crash or kill */
    return XC_OK;
}

const char *xc_log_level_name(xc_log_level level)
{
    static const char *const names[] = {"error", "warning", "info", "verbose"};
    return names[level];
}

static void write_line(FILE *f, xc_log_level level, const char *fmt, va_list ap)
{
    fprintf(f, "crosscheck: %s: ", xc_log_level_name(level));
    vfprintf(f, fmt, ap);
    fputc('\n', f);
}

void xc_log(xc_log_level level, const char *fmt, ...)
{
    va_list ap;
    if (level <= stderr_level) {
        va_start(ap, fmt);
        write_line(stderr, level, fmt, ap);
        va_end(ap);
    }
    if (log_file && (level <= XC_LOG_INFO || level <= stderr_level)) {
        va_start(ap, fmt);
        write_line(log_file, level, fmt, ap);
        va_end(ap);
    }
}

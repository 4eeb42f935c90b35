/* log.c — the process-wide message sink (see crosscheck/log.h). Kept apart from error.c: an
 * error is a status with one message for the caller, a log line is something a person may want
 * to read. */
#include "log.h"
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static xc_log_level level_shown = XC_LOG_WARNING;
static xc_log_callback callback;
static void *callback_user;
static FILE *log_file;

void xc_log_set_level(int level)
{
    level_shown = level < XC_LOG_ERROR ? XC_LOG_ERROR : level > XC_LOG_VERBOSE ? XC_LOG_VERBOSE : (xc_log_level)level;
}

xc_log_level xc_log_get_level(void) { return level_shown; }

void xc_log_set_callback(xc_log_callback fn, void *user)
{
    callback = fn;
    callback_user = user;
}

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
    return level >= XC_LOG_ERROR && level <= XC_LOG_VERBOSE ? names[level] : "?";
}

void xc_vlog(xc_log_level level, const char *fmt, va_list ap)
{
    int shown = level <= level_shown, filed = log_file && (level <= XC_LOG_INFO || shown);
    if (!shown && !filed) return;
    char small[512], *line = small;
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= (int)sizeof small && (line = malloc((size_t)n + 1))) vsnprintf(line, (size_t)n + 1, fmt, again);
    va_end(again);
    if (!line) line = small; /* out of memory: the message's first 511 bytes */
    xc_one_line(line);
    if (shown) {
        if (callback)
            callback(level, line, callback_user);
        else
            fprintf(stderr, "crosscheck: %s: %s\n", xc_log_level_name(level), line);
    }
    if (filed) fprintf(log_file, "crosscheck: %s: %s\n", xc_log_level_name(level), line);
    if (line != small) free(line);
}

void xc_log(xc_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xc_vlog(level, fmt, ap);
    va_end(ap);
}

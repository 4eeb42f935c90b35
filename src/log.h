/* log.h — crosscheck's messages that are not results: warnings, progress and details.
 *
 * One process-wide verbosity (the CLI's -v / -q) decides what reaches stderr; a log file
 * (--log-file) receives every message at info level or above whatever the verbosity, plus
 * verbose ones under -v. Messages are one line each, written "crosscheck: <level>: <text>". */
#ifndef XC_LOG_H
#define XC_LOG_H
#include "error.h"

typedef enum { XC_LOG_ERROR, XC_LOG_WARNING, XC_LOG_INFO, XC_LOG_VERBOSE } xc_log_level;

/* Messages at this level or more severe go to stderr (default XC_LOG_WARNING). Levels out of
 * range are clamped. */
void xc_log_set_level(int level);
xc_log_level xc_log_get_level(void);
/* Appends every message from now on to path (created if needed); NULL closes it. */
xc_status xc_log_set_file(const char *path);
void xc_log(xc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *xc_log_level_name(xc_log_level level);
#endif

/* log.h — where the library's messages that are not results go: warnings (something accepted
 * but probably not meant), progress and details, one line each.
 *
 * Without a callback, messages at the chosen level or more severe are written to stderr as
 * "crosscheck: <level>: <text>". With a callback, every message at that level or more severe
 * goes to it instead and nothing is printed. A log file (xc_log_set_file) receives every
 * message at info level or above whatever the callback. These settings are per process: set
 * them before running models. */
#ifndef XC_PUBLIC_LOG_H
#define XC_PUBLIC_LOG_H
#include "error.h"

typedef enum { XC_LOG_ERROR, XC_LOG_WARNING, XC_LOG_INFO, XC_LOG_VERBOSE } xc_log_level;

/* Messages at this level or more severe are delivered (default XC_LOG_WARNING); out-of-range
 * levels are clamped. */
XC_API void xc_log_set_level(int level);
XC_API xc_log_level xc_log_get_level(void);
/* line: the message without prefix or newline, control characters shown as '?'. NULL restores
 * stderr. */
typedef void (*xc_log_callback)(xc_log_level level, const char *line, void *user);
XC_API void xc_log_set_callback(xc_log_callback fn, void *user);
/* Appends every message from now on to path (created if needed); NULL closes it. */
XC_API xc_status xc_log_set_file(const char *path);
XC_API const char *xc_log_level_name(xc_log_level level);

#endif

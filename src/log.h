/* log.h — writing to the log (reading and setting its level, callback and file is public:
 * crosscheck/log.h). Messages are one line each; the CLI's -v / -q set the level and
 * --log-file the file. */
#ifndef XC_LOG_H
#define XC_LOG_H
#include "error.h"
#include "crosscheck/log.h"
#include <stdarg.h>

void xc_log(xc_log_level level, const char *fmt, ...) XC_PRINTF(2, 3);
void xc_vlog(xc_log_level level, const char *fmt, va_list ap);
#endif

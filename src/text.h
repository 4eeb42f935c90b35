/* text.h — a string that grows as it is appended to, for text of any length built piece by
 * piece (graph labels, the debug tools' reproducing commands): appending never cuts. The text
 * owns its buffer; running out of memory is remembered (failed), so the caller checks once at
 * the end. */
#ifndef XC_TEXT_H
#define XC_TEXT_H
#include <stddef.h>

typedef struct xc_text {
    char *s; /* NUL-terminated; NULL while nothing was appended */
    size_t len, cap;
    int failed; /* an allocation failed: s holds what fitted */
} xc_text;

/* Room for extra more characters (and the NUL): 0 when out of memory (failed set). */
int xc_text_reserve(xc_text *t, size_t extra);
void xc_text_printf(xc_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties t, keeping its buffer (and forgetting a failure). */
void xc_text_clear(xc_text *t);
/* The text, "" when empty. */
const char *xc_text_str(const xc_text *t);
/* Frees the buffer; t is empty after. */
void xc_text_free(xc_text *t);
#endif

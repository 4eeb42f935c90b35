/* text.c — a growing string (see text.h). */
#include "text.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xc_text_reserve(xc_text *t, size_t extra)
{
    if (t->failed) return 0;
    if (t->len + extra + 1 <= t->cap) return 1;
    size_t cap = t->cap ? t->cap : 128;
    while (cap < t->len + extra + 1) cap *= 2;
    char *s = realloc(t->s, cap);
    if (!s) {
        t->failed = 1;
        return 0;
    }
    t->s = s;
    t->cap = cap;
    return 1;
}

void xc_text_printf(xc_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) t->failed = 1;
    if (n < 0 || !xc_text_reserve(t, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void xc_text_clear(xc_text *t)
{
    t->len = 0;
    t->failed = 0;
    if (t->s) t->s[0] = 0;
}

const char *xc_text_str(const xc_text *t) { return t->s ? t->s : ""; }

void xc_text_free(xc_text *t)
{
    free(t->s);
    memset(t, 0, sizeof *t);
}

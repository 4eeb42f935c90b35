/* graph_draw_text.c — the growable strings graph labels are built in, and DOT escaping.
 * Labels are DOT escStrings: a backslash starts an escape (\n, \l, \N, ...), so a backslash in
 * a model's names must be doubled to print as itself. Quotes need nothing: cgraph quotes values
 * when it writes them. */
#include "graph_draw_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(xc_text *t, size_t extra)
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
    if (n < 0 || !reserve(t, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void xc_text_literal(xc_text *t, const char *s)
{
    for (; *s; s++) {
        if (!reserve(t, 2)) return;
        if (*s == '\\') t->s[t->len++] = '\\';
        /* a raw newline inside a name would break the label into unescaped lines */
        t->s[t->len++] = (*s == '\n' || *s == '\r') ? ' ' : *s;
        t->s[t->len] = 0;
    }
}

void xc_text_line(xc_text *t)
{
    if (t->len) xc_text_printf(t, "\\n");
}

void xc_text_free(xc_text *t)
{
    free(t->s);
    memset(t, 0, sizeof *t);
}

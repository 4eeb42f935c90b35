/* graph_draw_text.c — DOT escaping of the growable strings (text.h) graph labels are built in.
 * Labels are DOT escStrings: a backslash starts an escape (\n, \l, \N, ...), so a backslash in
 * a model's names must be doubled to print as itself. Quotes need nothing: cgraph quotes values
 * when it writes them. */
#include "graph_draw_internal.h"
#include <stdio.h>
#include <string.h>

void xc_text_literal(xc_text *t, const char *s)
{
    for (; *s; s++) {
        if (!xc_text_reserve(t, 2)) return;
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

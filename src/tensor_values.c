/* tensor_values.c — tensor values as truncated text (see tensor_values.h). */
#include "tensor_values.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    char *s;
    size_t len, cap;
    int failed;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    if (b->failed) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void put_value(buf *b, const xc_tensor *t, size_t i)
{
    double v = xc_load_f64(t->dtype, t->data, i);
    if (!xc_dtype_is_float(t->dtype) && isfinite(v) && fabs(v) < 9007199254740992.0)
        put(b, " %.0f", v);
    else
        put(b, " %.6g", v);
}

char *xc_tensor_values_text(const xc_tensor *t, size_t max_values, const char *indent)
{
    buf b = {NULL, 0, 0, 0};
    size_t n = xc_tensor_numel(t), row = t->rank ? (size_t)t->dims[t->rank - 1] : 1;
    size_t shown = max_values && max_values < n ? max_values : n;
    put(&b, "%s", "");
    for (size_t i = 0; i < shown; i++) {
        if (row && i % row == 0) {
            if (i) put(&b, "\n");
            int64_t c[XC_MAX_RANK];
            xc_index_coords(t->rank, t->dims, i, c);
            put(&b, "%s[", indent);
            for (int d = 0; d + 1 < t->rank; d++) put(&b, "%lld,", (long long)c[d]);
            put(&b, "%s]", t->rank ? ":" : "");
        }
        put_value(&b, t, i);
    }
    if (shown) put(&b, "\n");
    if (shown < n) put(&b, "%s... %zu more value%s (of %zu)\n", indent, n - shown, n - shown == 1 ? "" : "s", n);
    if (!n) put(&b, "%s(no values)\n", indent);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* parse.c — the surgeon's textual arguments: tensor specs ("x:[1,3,?,W]:float32") and node
 * attributes ("axis=1,pads=[0,1,0,1],mode=constant"). They live in the library so any front
 * end parses them the same way. */
#include "internal.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Splits text in place at commas outside [...]; returns the number of items (max at most). */
static int split_top(char *text, char **items, int max, int *overflow)
{
    int n = 0, depth = 0;
    *overflow = 0;
    char *start = text;
    for (char *p = text;; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']' && depth)
            depth--;
        if (*p && (*p != ',' || depth)) continue;
        int end = !*p;
        *p = 0;
        if (n == max) {
            *overflow = 1;
            return n;
        }
        items[n++] = start;
        start = p + 1;
        if (end) return n;
    }
}

static int parse_int(const char *s, long long *out)
{
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return *s && !errno && !*end;
}

static int parse_float(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return *s && !errno && !*end;
}

static int is_identifier(const char *s)
{
    if (!isalpha((unsigned char)s[0]) && s[0] != '_') return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

/* "[1,3,?,W]": static dims, '?' or -1 for unknown, identifiers for symbolic dims. */
static xc_status parse_shape(char *text, const char *name, xc_io_spec *sp)
{
    size_t len = strlen(text);
    if (len < 2 || text[0] != '[' || text[len - 1] != ']')
        return xc_fail(XC_ERR_USAGE, "shape '%s' of '%s' is not of the form [d0,d1,...]", text, name);
    text[len - 1] = 0;
    char *dims[XC_MAX_RANK + 1];
    int overflow;
    int n = text[1] ? split_top(text + 1, dims, XC_MAX_RANK, &overflow) : 0;
    if (n && overflow) return xc_fail(XC_ERR_USAGE, "shape of '%s' has more than %d dims", name, XC_MAX_RANK);
    sp->rank = n;
    for (int k = 0; k < n; k++) {
        char *d = dims[k];
        long long v;
        sp->dims[k] = -1;
        sp->dim_params[k] = NULL;
        if (!strcmp(d, "?") || !strcmp(d, "-1")) continue;
        if (parse_int(d, &v) && v >= 0) {
            sp->dims[k] = v;
        } else if (is_identifier(d)) {
            sp->dim_params[k] = d;
        } else {
            return xc_fail(XC_ERR_USAGE, "shape of '%s': bad dimension '%s'", name, d);
        }
    }
    return XC_OK;
}

/* Splits off a ":suffix" that accept() recognises; returns the suffix or NULL. */
static char *take_suffix(char *entry, int (*accept)(const char *))
{
    char *colon = strrchr(entry, ':');
    if (!colon || colon == entry || !accept(colon + 1)) return NULL;
    *colon = 0;
    return colon + 1;
}

static int is_dtype(const char *s) { return !strcmp(s, "auto") || xc_dtype_from_name(s) > 0; }
static int is_shape(const char *s) { return !strcmp(s, "auto") || s[0] == '['; }

static xc_status parse_entry(char *entry, int with_shape, xc_io_spec *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->rank = -1;
    char *dtype = take_suffix(entry, is_dtype);
    char *shape = with_shape ? take_suffix(entry, is_shape) : NULL;
    if (!entry[0]) return xc_fail(XC_ERR_USAGE, "empty tensor name in '%s'", shape ? shape : dtype ? dtype : "");
    sp->name = entry;
    if (dtype && strcmp(dtype, "auto")) {
        sp->dtype = (xc_dtype)xc_dtype_from_name(dtype);
        if (!xc_dtype_supported(sp->dtype))
            return xc_fail(XC_ERR_USAGE, "dtype %s of '%s' is not supported by crosscheck", dtype, entry);
    }
    if (shape && strcmp(shape, "auto")) XC_TRY(parse_shape(shape, entry, sp));
    return XC_OK;
}

xc_status xc_io_spec_parse_list(char *text, int with_shape, xc_io_spec *specs, int max, int *count)
{
    char **items = calloc((size_t)(max > 0 ? max : 0) + 1, sizeof *items);
    if (!items) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int overflow;
    *count = 0;
    int n = split_top(text, items, max, &overflow);
    xc_status s = overflow ? xc_fail(XC_ERR_USAGE, "more than %d tensors listed", max) : XC_OK;
    for (int i = 0; s == XC_OK && i < n; i++) {
        s = parse_entry(items[i], with_shape, &specs[i]);
        if (s == XC_OK) *count = i + 1;
    }
    free(items);
    return s;
}

/* ---- attributes ---- */

static xc_attr_type guess_scalar(const char *v)
{
    long long i;
    double f;
    return parse_int(v, &i) ? XC_ATTR_INT : parse_float(v, &f) ? XC_ATTR_FLOAT : XC_ATTR_STRING;
}

/* The list type of "[...]" items: ints if all are, floats if all are numbers, else strings. */
static xc_attr_type guess_list(char **items, int n)
{
    xc_attr_type t = XC_ATTR_INTS;
    for (int i = 0; i < n; i++) {
        xc_attr_type s = guess_scalar(items[i]);
        if (s == XC_ATTR_STRING) return XC_ATTR_STRINGS;
        if (s == XC_ATTR_FLOAT) t = XC_ATTR_FLOATS;
    }
    return t;
}

/* Strips one pair of matching quotes, so "mode='constant'" and "mode=constant" agree. */
static const char *unquote(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
        s[n - 1] = 0;
        return s + 1;
    }
    return s;
}

static xc_status set_scalar(xc_attr *a, xc_attr_type type, char *text)
{
    long long i;
    double f;
    const char *s;
    switch (type) {
    case XC_ATTR_INT:
        if (!parse_int(text, &i)) return xc_fail(XC_ERR_USAGE, "attribute '%s' needs an integer, got '%s'", a->name, text);
        a->i = i;
        return XC_OK;
    case XC_ATTR_FLOAT:
        if (!parse_float(text, &f)) return xc_fail(XC_ERR_USAGE, "attribute '%s' needs a number, got '%s'", a->name, text);
        a->f = (float)f;
        return XC_OK;
    case XC_ATTR_STRING:
        s = unquote(text);
        a->s_len = strlen(s);
        if (!(a->s = strdup(s))) return xc_fail(XC_ERR_NOMEM, "out of memory");
        return XC_OK;
    default: return xc_fail(XC_ERR_USAGE, "attribute '%s' has a type that --attrs cannot express", a->name);
    }
}

static xc_status set_list(xc_attr *a, char **items, int n)
{
    a->floats = calloc(n + 1, sizeof *a->floats);
    a->ints = calloc(n + 1, sizeof *a->ints);
    a->strings = calloc(n + 1, sizeof *a->strings);
    a->string_lens = calloc(n + 1, sizeof *a->string_lens);
    if (!a->floats || !a->ints || !a->strings || !a->string_lens) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_attr_type scalar = a->type == XC_ATTR_INTS ? XC_ATTR_INT : a->type == XC_ATTR_FLOATS ? XC_ATTR_FLOAT : XC_ATTR_STRING;
    for (int k = 0; k < n; k++) {
        xc_attr item = {.name = a->name};
        XC_TRY(set_scalar(&item, scalar, items[k]));
        a->n = k + 1;
        a->ints[k] = item.i;
        a->floats[k] = item.f;
        a->strings[k] = item.s;
        a->string_lens[k] = item.s_len;
    }
    /* only the array of the attribute's type stays (xc_attr_clear frees by pointer) */
    if (a->type != XC_ATTR_INTS) free(a->ints), a->ints = NULL;
    if (a->type != XC_ATTR_FLOATS) free(a->floats), a->floats = NULL;
    if (a->type != XC_ATTR_STRINGS) free(a->strings), free(a->string_lens), a->strings = NULL, a->string_lens = NULL;
    return XC_OK;
}

static xc_status parse_attr(const char *name, char *value, xc_attr_type type, xc_attr *a)
{
    if (!(a->name = strdup(name))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    size_t len = strlen(value);
    int list = len >= 2 && value[0] == '[' && value[len - 1] == ']';
    char *items[1024];
    int n = 0, overflow = 0;
    if (list) {
        value[len - 1] = 0;
        n = value[1] ? split_top(value + 1, items, 1024, &overflow) : 0;
        if (overflow) return xc_fail(XC_ERR_USAGE, "attribute '%s' lists more than 1024 values", name);
    }
    if (type == XC_ATTR_UNDEFINED) type = list ? guess_list(items, n) : guess_scalar(value);
    a->type = type;
    int wants_list = type == XC_ATTR_INTS || type == XC_ATTR_FLOATS || type == XC_ATTR_STRINGS;
    if (wants_list && !list) { /* a single value for a list attribute: a one-element list */
        items[0] = value;
        n = 1;
    } else if (list && !wants_list) {
        return xc_fail(XC_ERR_USAGE, "attribute '%s' takes one value, got a list", name);
    }
    return wants_list ? set_list(a, items, n) : set_scalar(a, type, value);
}

xc_status xc_attr_parse(const char *name, const char *value, xc_attr_type type, xc_attr *out)
{
    memset(out, 0, sizeof *out);
    char *copy = strdup(value);
    if (!copy) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = parse_attr(name, copy, type, out);
    free(copy);
    if (s != XC_OK) xc_attr_clear(out);
    return s;
}

xc_status xc_attr_parse_list(const char *text, const char *op_type, int opset, xc_attr **attrs, int *count)
{
    *attrs = NULL;
    *count = 0;
    char *copy = strdup(text);
    char *items[256];
    int overflow = 0, n = 0;
    if (!copy) return xc_fail(XC_ERR_NOMEM, "out of memory");
    if (copy[0]) n = split_top(copy, items, 256, &overflow);
    const xc_op_schema *schema = xc_schema_find(op_type, opset, NULL);
    xc_attr *out = calloc(n + 1, sizeof *out);
    xc_status s = !out       ? xc_fail(XC_ERR_NOMEM, "out of memory")
                  : overflow ? xc_fail(XC_ERR_USAGE, "more than 256 attributes")
                             : XC_OK;
    for (int i = 0; i < n && s == XC_OK; i++) {
        char *eq = strchr(items[i], '=');
        if (!eq || eq == items[i]) {
            s = xc_fail(XC_ERR_USAGE, "attribute '%s' is not of the form name=value", items[i]);
            break;
        }
        *eq = 0;
        xc_attr_type type = XC_ATTR_UNDEFINED;
        const xc_attr_spec *sp = schema ? schema->attrs : NULL;
        for (; sp && sp->name && strcmp(sp->name, items[i]); sp++) {}
        if (schema && !(sp && sp->name)) {
            s = xc_fail(XC_ERR_USAGE, "%s-%d has no attribute '%s'", op_type, schema->since, items[i]);
            break;
        }
        if (sp && sp->name) type = sp->type;
        s = xc_attr_parse(items[i], eq + 1, type, &out[i]);
        if (s == XC_OK) *count = i + 1;
    }
    free(copy);
    if (s != XC_OK) {
        for (int i = 0; out && i < *count; i++) xc_attr_clear(&out[i]);
        free(out);
        *count = 0;
        return s;
    }
    *attrs = out;
    return XC_OK;
}

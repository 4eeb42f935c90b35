/* graph_draw_attrs.c — the few attributes worth reading in a node's box. A picture is for
 * orientation, not a dump: only attributes that change what a layer computes are shown, and
 * only when they differ from their usual value (pads of zero, group 1, dilation 1 are noise). */
#include "graph_draw_internal.h"
#include <string.h>

#define LINE_CHARS 30

typedef enum { SHOW_ALWAYS, SHOW_NONZERO, SHOW_NOT_ONE } show_rule;

static const struct {
    const char *name;
    show_rule rule;
} shown[] = {
    {"kernel_shape", SHOW_ALWAYS}, {"strides", SHOW_NOT_ONE}, {"pads", SHOW_NONZERO},      {"dilations", SHOW_NOT_ONE},
    {"group", SHOW_NOT_ONE},       {"auto_pad", SHOW_ALWAYS}, {"ceil_mode", SHOW_NONZERO}, {"axis", SHOW_ALWAYS},
    {"axes", SHOW_ALWAYS},         {"perm", SHOW_ALWAYS},     {"transA", SHOW_NONZERO},    {"transB", SHOW_NONZERO},
    {"keepdims", SHOW_NOT_ONE},    {"to", SHOW_ALWAYS},       {"mode", SHOW_ALWAYS},       {"alpha", SHOW_NOT_ONE},
    {"beta", SHOW_NOT_ONE},        {"epsilon", SHOW_ALWAYS},  {"split", SHOW_ALWAYS},      {"value", SHOW_ALWAYS},
};

/* Whether attribute a is at the value the rule calls unremarkable. */
static int unremarkable(const xc_attr *a, show_rule rule)
{
    if (rule == SHOW_ALWAYS) return 0;
    int64_t usual = rule == SHOW_NONZERO ? 0 : 1;
    switch (a->type) {
    case XC_ATTR_INT: return a->i == usual;
    case XC_ATTR_FLOAT: return a->f == (float)usual;
    case XC_ATTR_INTS:
        for (size_t k = 0; k < a->n; k++)
            if (a->ints[k] != usual) return 0;
        return 1;
    case XC_ATTR_STRING: return !strcmp(a->s, "NOTSET");
    default: return 0;
    }
}

static void value_text(const xc_node *n, const xc_attr *a, xc_text *t)
{
    switch (a->type) {
    case XC_ATTR_INT:
        /* Cast's "to" is a dtype number; its name reads better */
        if (!strcmp(a->name, "to") && !strcmp(n->op_type, "Cast"))
            xc_text_printf(t, "%s", xc_dtype_name((xc_dtype)a->i));
        else
            xc_text_printf(t, "%lld", (long long)a->i);
        break;
    case XC_ATTR_FLOAT: xc_text_printf(t, "%g", (double)a->f); break;
    case XC_ATTR_STRING: xc_text_literal(t, a->s); break;
    case XC_ATTR_INTS:
        xc_text_printf(t, "[");
        for (size_t k = 0; k < a->n; k++) xc_text_printf(t, k ? ",%lld" : "%lld", (long long)a->ints[k]);
        xc_text_printf(t, "]");
        break;
    case XC_ATTR_TENSOR: {
        char desc[256];
        xc_text_printf(t, "%s", xc_tensor_desc(a->t, desc, sizeof desc));
        break;
    }
    default: xc_text_printf(t, "..."); break;
    }
}

void xc_draw_node_attrs(const xc_node *n, xc_text *t)
{
    size_t line_start = t->len;
    int on_line = 0;
    for (size_t s = 0; s < sizeof shown / sizeof shown[0]; s++) {
        const xc_attr *a = xc_node_attr(n, shown[s].name);
        if (!a || unremarkable(a, shown[s].rule)) continue;
        /* a new line when this one is full, else a space between attributes */
        if (!on_line || t->len - line_start > LINE_CHARS) {
            xc_text_line(t);
            line_start = t->len;
            on_line = 0;
        } else {
            xc_text_printf(t, " ");
        }
        xc_text_printf(t, "%s=", a->name);
        value_text(n, a, t);
        on_line++;
    }
}

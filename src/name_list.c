/* name_list.c — the growable list of borrowed names (name_list.h). */
#include "name_list.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

xc_status xc_name_list_add(xc_name_list *l, const char *name)
{
    if (l->n == l->cap) {
        if (l->cap > INT_MAX / 2 - 8) return xc_fail(XC_ERR_NOMEM, "a list of more than %d names", l->cap);
        int cap = l->cap ? 2 * l->cap : 8;
        const char **v = realloc(l->v, sizeof *v * (size_t)cap);
        if (!v) return xc_fail(XC_ERR_NOMEM, "out of memory for a list of %d names", cap);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = name;
    return XC_OK;
}

int xc_name_list_has(const xc_name_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], name)) return 1;
    return 0;
}

xc_status xc_name_list_copy(xc_name_list *dst, const xc_name_list *src)
{
    xc_name_list from = *src, own = {0};
    *dst = own;
    if (!from.n) return XC_OK;
    own.v = malloc(sizeof *own.v * (size_t)from.n);
    if (!own.v) return xc_fail(XC_ERR_NOMEM, "out of memory for a list of %d names", from.n);
    memcpy(own.v, from.v, sizeof *own.v * (size_t)from.n);
    own.n = own.cap = from.n;
    *dst = own;
    return XC_OK;
}

void xc_name_list_free(xc_name_list *l)
{
    free(l->v);
    *l = (xc_name_list){0};
}

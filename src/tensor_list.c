/* tensor_list.c — a growing list of owned tensors (the type is public: crosscheck/dataset.h). */
#include "tensor_list.h"
#include <stdlib.h>

void xc_tensor_list_free(xc_tensor_list *l)
{
    for (int i = 0; i < l->n; i++) xc_tensor_free(l->t[i]);
    free(l->t);
    l->t = NULL;
    l->n = 0;
}

xc_status xc_tensor_list_push(xc_tensor_list *l, xc_tensor *t)
{
    xc_tensor **bigger = realloc(l->t, sizeof(xc_tensor *) * (l->n + 1));
    if (!bigger) {
        xc_tensor_free(t);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    l->t = bigger;
    l->t[l->n++] = t;
    return XC_OK;
}

/* name_list.h — a growable list of names: the build options' layer, node, pass, fault and tactic
 * lists (ocl.h). The list owns its array, never the names, which it borrows as the options borrow
 * their other strings. A struct copy of a list (or of options holding one) shares the array and
 * may only read it: before adding to a copy or freeing it, xc_name_list_copy gives it an array
 * of its own, so no copy ever writes into the original's storage. */
#ifndef XC_NAME_LIST_H
#define XC_NAME_LIST_H
#include "error.h"

typedef struct xc_name_list {
    const char **v; /* v[0..n): the names, in the order added */
    int n, cap;
} xc_name_list;

/* Appends name (borrowed). */
xc_status xc_name_list_add(xc_name_list *l, const char *name);
/* Whether l holds a name equal to name. */
int xc_name_list_has(const xc_name_list *l, const char *name);
/* *dst becomes a list of its own holding src's names; dst's old array is not freed (it is a
 * shared copy's, or none). dst may be src. On failure *dst is empty. */
xc_status xc_name_list_copy(xc_name_list *dst, const xc_name_list *src);
/* Frees l's array (not the names); l is empty after. */
void xc_name_list_free(xc_name_list *l);
#endif

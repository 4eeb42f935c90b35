/* names.h — a string -> int hash map for tensor and node names (open addressing).
 * Keys are borrowed: the map never copies or frees them. */
#ifndef XC_NAMES_H
#define XC_NAMES_H
#include "error.h"
#include <stddef.h>

typedef struct xc_names {
    const char **keys;
    int *vals;
    size_t cap, count;
} xc_names;

xc_status xc_names_init(xc_names *m, size_t expected);
void xc_names_free(xc_names *m);
/* Inserts or overwrites. */
xc_status xc_names_put(xc_names *m, const char *key, int val);
/* Returns the value or -1. */
int xc_names_get(const xc_names *m, const char *key);
#endif

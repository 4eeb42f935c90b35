/* names.c — open-addressing string map (FNV-1a, linear probing, load factor <= 1/2). */
#include "names.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

xc_status xc_names_init(xc_names *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2 + 2) cap *= 2;
    m->keys = calloc(cap, sizeof *m->keys);
    m->vals = calloc(cap, sizeof *m->vals);
    m->cap = cap;
    m->count = 0;
    if (!m->keys || !m->vals) {
        xc_names_free(m);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    return XC_OK;
}

void xc_names_free(xc_names *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static xc_status grow(xc_names *m)
{
    xc_names bigger;
    XC_TRY(xc_names_init(&bigger, m->cap));
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) xc_names_put(&bigger, m->keys[i], m->vals[i]);
    xc_names_free(m);
    *m = bigger;
    return XC_OK;
}

xc_status xc_names_put(xc_names *m, const char *key, int val)
{
    if ((m->count + 1) * 2 > m->cap) XC_TRY(grow(m));
    size_t i = hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key)) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->count++;
    m->keys[i] = key;
    m->vals[i] = val;
    return XC_OK;
}

int xc_names_get(const xc_names *m, const char *key)
{
    if (!m->cap) return -1;
    size_t i = hash(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], key)) return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return -1;
}

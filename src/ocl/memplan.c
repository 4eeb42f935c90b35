/* memplan.c — activation memory: tensors whose lifetimes do not overlap share a buffer. Greedy
 * in execution order: a tensor takes the free slot that fits best (growing the largest free one
 * when none fits) and frees it after its last reader. Graph outputs live to the end. */
#include "ocl/build.h"
#include <stdlib.h>
#include <string.h>

static int root_of(const xc_engine *e, int t)
{
    while (e->tensors[t].alias >= 0) t = e->tensors[t].alias;
    return t;
}

/* last_use of every activation root: the latest layer reading it or any of its aliases. */
static void lifetimes(xc_engine *e)
{
    for (int t = 0; t < e->n_tensors; t++) e->tensors[t].last_use = -1;
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        for (int i = 0; i < L->n_in + L->n_out; i++) {
            int t = i < L->n_in ? L->in[i] : L->out[i - L->n_in];
            if (t < 0) continue;
            int r = root_of(e, t);
            if (l > e->tensors[r].last_use) e->tensors[r].last_use = l;
        }
    }
    for (int t = 0; t < e->n_tensors; t++)
        if (e->tensors[t].graph_output >= 0 || e->tensors[t].graph_input >= 0) e->tensors[root_of(e, t)].last_use = e->n_layers;
}

static xc_status take_slot(xc_engine *e, char *busy, int t)
{
    size_t need = xc_et_bytes(&e->tensors[t]), best_fit = (size_t)-1;
    int best = -1, largest = -1;
    for (int s = 0; s < e->n_slots; s++) {
        if (busy[s]) continue;
        if (e->slot_bytes[s] >= need && e->slot_bytes[s] < best_fit) {
            best = s;
            best_fit = e->slot_bytes[s];
        }
        if (largest < 0 || e->slot_bytes[s] > e->slot_bytes[largest]) largest = s;
    }
    if (best < 0 && largest >= 0) {
        best = largest;
        e->slot_bytes[best] = need;
    }
    if (best < 0) {
        size_t *b = realloc(e->slot_bytes, sizeof *b * (e->n_slots + 1));
        if (!b) return xc_fail(XC_ERR_NOMEM, "out of memory");
        e->slot_bytes = b;
        best = e->n_slots++;
        e->slot_bytes[best] = need;
    }
    busy[best] = 1;
    e->tensors[t].slot = best;
    return XC_OK;
}

xc_status xc_engine_plan_memory(xc_engine *e)
{
    lifetimes(e);
    char *busy = calloc(e->n_tensors + 1, 1); /* at most one slot per tensor */
    if (!busy) return xc_fail(XC_ERR_NOMEM, "out of memory");
    e->activation_bytes = 0;
    for (int t = 0; t < e->n_tensors; t++) { /* inputs first: they are live from the start */
        xc_etensor *x = &e->tensors[t];
        if (x->graph_input < 0 || x->alias >= 0) continue;
        e->activation_bytes += xc_et_bytes(x);
        if (take_slot(e, busy, t) != XC_OK) goto fail;
    }
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        for (int o = 0; o < L->n_out; o++) { /* a root is placed at the first write to it or to a slice of it */
            int t = L->out[o] >= 0 ? root_of(e, L->out[o]) : -1;
            if (t < 0 || e->tensors[t].slot >= 0 || e->tensors[t].value || e->tensors[t].host)
                continue; /* host: never on the device */
            e->activation_bytes += xc_et_bytes(&e->tensors[t]);
            if (take_slot(e, busy, t) != XC_OK) goto fail;
        }
        for (int t = 0; t < e->n_tensors; t++) /* release what this layer read last */
            if (e->tensors[t].slot >= 0 && e->tensors[t].alias < 0 && e->tensors[t].last_use == l) busy[e->tensors[t].slot] = 0;
    }
    e->planned_bytes = 0;
    for (int s = 0; s < e->n_slots; s++) e->planned_bytes += e->slot_bytes[s];
    for (int t = 0; t < e->n_tensors; t++) /* a slot only grows: every tensor placed in it still fits */
        XC_ASSERT(e->tensors[t].slot < 0 || e->tensors[t].alias >= 0
                  || xc_et_bytes(&e->tensors[t]) <= e->slot_bytes[e->tensors[t].slot]);
    free(busy);
    return XC_OK;
fail:
    free(busy);
    return XC_ERR_NOMEM;
}

/* Same layers (live, same inputs and outputs) and the same tensors up to from's count (a
 * tactic may add constants after): then liveness is the same and only sizes differ. */
static int same_structure(const xc_engine *e, const xc_engine *from)
{
    if (e->n_layers != from->n_layers || e->n_tensors < from->n_tensors) return 0;
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *a = &e->layers[l], *b = &from->layers[l];
        if (a->dead != b->dead || a->n_in != b->n_in || a->n_out != b->n_out) return 0;
        if (memcmp(a->in, b->in, sizeof(int) * (size_t)a->n_in) || memcmp(a->out, b->out, sizeof(int) * (size_t)a->n_out))
            return 0;
    }
    for (int t = 0; t < from->n_tensors; t++) {
        const xc_etensor *a = &e->tensors[t], *b = &from->tensors[t];
        if (strcmp(a->name, b->name) || a->alias != b->alias || !a->value != !b->value || (a->slot < 0) != (b->slot < 0))
            return 0;
        if (a->slot >= 0 && a->alias < 0 && xc_et_bytes(a) > from->slot_bytes[b->slot]) return 0;
        if (a->alias >= 0 && a->alias_offset != b->alias_offset) return 0;
    }
    for (int t = from->n_tensors; t < e->n_tensors; t++)
        if (e->tensors[t].slot >= 0) return 0;
    return 1;
}

int xc_engine_adopt_memory_plan(xc_engine *e, const xc_engine *from, int p)
{
    if (!same_structure(e, from)) return 0;
    size_t *b = malloc(sizeof *b * ((size_t)from->n_slots + 1));
    if (!b) return 0; /* out of memory: e keeps its own plan, which is sound */
    memcpy(b, from->slot_bytes, sizeof *b * (size_t)from->n_slots);
    free(e->slot_bytes);
    e->slot_bytes = b;
    e->n_slots = from->n_slots;
    for (int t = 0; t < from->n_tensors; t++) e->tensors[t].slot = from->tensors[t].slot;
    e->planned_bytes = from->planned_bytes;
    e->activation_bytes = from->activation_bytes;
    e->plan_profile = p + 1;
    return 1;
}

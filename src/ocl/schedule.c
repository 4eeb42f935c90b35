/* schedule.c — running independent branches concurrently (--queues N). Layers are spread over N
 * in-order queues: a layer continues the queue of the producer of its first input unless that
 * queue was already continued by a sibling, in which case it takes the queue used least
 * recently. Ordering across queues comes from events: a layer waits for the last writer of every
 * buffer it touches (read after write, write after write) and, for buffers it writes, for every
 * reader since that write (write after read) — buffers are shared by the memory plan, so the
 * last two matter as much as the first. */
#include "ocl/schedule.h"
#include <stdlib.h>
#include <string.h>

#define MAX_READERS 16

typedef struct access {
    cl_mem mem;
    cl_event writer;
    int n_readers;
    cl_event readers[MAX_READERS];
} access;

struct xc_schedule {
    int n, cap;
    access *a;
};

void xc_schedule_assign(xc_ocl_ctx *c)
{
    xc_engine *e = c->e;
    int *continued = calloc(e->n_layers + 1, sizeof(int)), next = 0;
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        int p = L->n_in > 0 && L->in[0] >= 0 ? e->tensors[L->in[0]].producer : -1;
        if (p >= 0 && continued && !continued[p]) {
            continued[p] = 1;
            c->layer_queue[l] = c->layer_queue[p];
        } else {
            c->layer_queue[l] = next;
            next = (next + 1) % c->n_queues;
        }
    }
    free(continued);
}

static access *find(xc_schedule *s, cl_mem m)
{
    for (int i = 0; i < s->n; i++)
        if (s->a[i].mem == m) return &s->a[i];
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 32;
        access *a = realloc(s->a, sizeof *a * cap);
        if (!a) return NULL;
        s->a = a;
        s->cap = cap;
    }
    access *x = &s->a[s->n++];
    memset(x, 0, sizeof *x);
    x->mem = m;
    return x;
}

xc_status xc_schedule_begin(xc_schedule **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
}

void xc_schedule_end(xc_schedule *s)
{
    if (!s) return;
    for (int i = 0; i < s->n; i++) {
        if (s->a[i].writer) clReleaseEvent(s->a[i].writer);
        for (int r = 0; r < s->a[i].n_readers; r++) clReleaseEvent(s->a[i].readers[r]);
    }
    free(s->a);
    free(s);
}

static int add_wait(cl_event *w, int n, int max, cl_event ev)
{
    if (!ev || n >= max) return n;
    for (int i = 0; i < n; i++)
        if (w[i] == ev) return n;
    w[n] = ev;
    return n + 1;
}

int xc_schedule_waits(xc_schedule *s, cl_mem *reads, int n_reads, cl_mem *writes, int n_writes, cl_event *w, int max)
{
    int n = 0;
    for (int i = 0; i < n_reads; i++) {
        access *a = find(s, reads[i]);
        if (a) n = add_wait(w, n, max, a->writer);
    }
    for (int i = 0; i < n_writes; i++) {
        access *a = find(s, writes[i]);
        if (!a) continue;
        n = add_wait(w, n, max, a->writer);
        for (int r = 0; r < a->n_readers; r++) n = add_wait(w, n, max, a->readers[r]);
    }
    return n;
}

void xc_schedule_done(xc_schedule *s, cl_mem *reads, int n_reads, cl_mem *writes, int n_writes, cl_event ev)
{
    for (int i = 0; i < n_writes; i++) {
        access *a = find(s, writes[i]);
        if (!a) continue;
        if (a->writer) clReleaseEvent(a->writer);
        for (int r = 0; r < a->n_readers; r++) clReleaseEvent(a->readers[r]);
        a->n_readers = 0;
        clRetainEvent(ev);
        a->writer = ev;
    }
    for (int i = 0; i < n_reads; i++) {
        access *a = find(s, reads[i]);
        if (!a) continue;
        if (a->n_readers == MAX_READERS) { /* keep the list short: the oldest reader is implied by a newer one's waits */
            clReleaseEvent(a->readers[0]);
            memmove(a->readers, a->readers + 1, sizeof(cl_event) * (MAX_READERS - 1));
            a->n_readers--;
        }
        clRetainEvent(ev);
        a->readers[a->n_readers++] = ev;
    }
}

/* schedule.h — several in-order queues with event dependencies (internal; see schedule.c). */
#ifndef XC_OCL_SCHEDULE_H
#define XC_OCL_SCHEDULE_H
#include "ocl/runtime.h"

typedef struct xc_schedule xc_schedule;

/* Fills c->layer_queue for c->n_queues queues. */
void xc_schedule_assign(xc_ocl_ctx *c);
/* One inference's event bookkeeping. */
xc_status xc_schedule_begin(xc_schedule **out);
void xc_schedule_end(xc_schedule *s);
/* The events a layer reading `reads` and writing `writes` must wait for (at most max). */
int xc_schedule_waits(xc_schedule *s, cl_mem *reads, int n_reads, cl_mem *writes, int n_writes, cl_event *w, int max);
/* Records that the layer whose last launch is ev read and wrote these buffers. */
void xc_schedule_done(xc_schedule *s, cl_mem *reads, int n_reads, cl_mem *writes, int n_writes, cl_event ev);
#endif

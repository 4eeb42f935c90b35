/* triage_child.c — crash isolation of triage's steps: each step that builds or runs an engine
 * (build+compare, the debug tools, debug reduce) runs in a child process forked from the triage
 * process, which never uses OpenCL itself; so a driver crash or hang in a step ends that step
 * ("crashed: SIGSEGV"), not the triage, and the tools' own sessions (forked from a clean child)
 * isolate each of their checks too. The child runs the step on its copy of the report and sends
 * the whole report back: the struct as it is, then every string it owns. */
#include "triage.h"
#include "ocl/device.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every string the report owns, in a fixed order (its arrays' counts come with the struct). */
static void each_string(xc_triage_report *r, void (*fn)(char **slot, void *u), void *u)
{
    for (int i = 0; i < r->n_layers; i++) {
        xc_triage_layer *t = &r->layers[i];
        char **one[] = {&t->name, &t->nodes, &t->kind, &t->tactic, &t->fusion};
        for (size_t k = 0; k < sizeof one / sizeof one[0]; k++) fn(one[k], u);
    }
    for (int i = 0; i < r->n_watch; i++) fn(&r->watch[i], u);
    char **own[] = {&r->culprit_layer, &r->culprit_nodes, &r->culprit_what,   &r->minimal_nodes,
                    &r->reproduce,     &r->fix,           &r->reduce_command, &r->fix_note};
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++) fn(own[k], u);
}

static void free_slot(char **slot, void *u)
{
    (void)u;
    free(*slot);
    *slot = NULL;
}

void xc_triage_report_free(xc_triage_report *r)
{
    each_string(r, free_slot, NULL);
    free(r->layers);
    free(r->watch);
    memset(r, 0, sizeof *r);
}

/* What the child sends first: the step's answer, then the report. */
typedef struct header {
    int result;
    int status; /* the step's xc_status */
    char message[2048];
} header;

static void write_all(int fd, const void *p, size_t n, int *bad)
{
    for (const char *c = p; n && !*bad;) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) *bad = 1;
        if (w > 0) c += w, n -= (size_t)w;
    }
}

typedef struct sender {
    int fd, bad;
} sender;

static void send_string(char **slot, void *u)
{
    sender *s = u;
    uint32_t n = *slot ? (uint32_t)strlen(*slot) + 1 : 0; /* 0: NULL */
    write_all(s->fd, &n, sizeof n, &s->bad);
    if (n) write_all(s->fd, *slot, n, &s->bad);
}

typedef struct reader {
    const char *p;
    size_t n, at;
    int bad;
} reader;

static void take_string(char **slot, void *u)
{
    reader *d = u;
    uint32_t n = 0;
    *slot = NULL;
    if (d->bad || d->at + sizeof n > d->n) {
        d->bad = 1;
        return;
    }
    memcpy(&n, d->p + d->at, sizeof n);
    d->at += sizeof n;
    if (!n) return;
    if (d->at + n > d->n || d->p[d->at + n - 1] || !(*slot = malloc(n))) {
        d->bad = 1;
        return;
    }
    memcpy(*slot, d->p + d->at, n);
    d->at += n;
}

typedef struct step_work {
    xc_triage_step_fn step;
    void *arg;
    xc_triage_report *r;
} step_work;

static void step_in_child(void *user, int fd)
{
    step_work *w = user;
    header h;
    memset(&h, 0, sizeof h);
    xc_status err = XC_OK;
    h.result = w->step(w->arg, w->r, &err);
    h.status = err;
    if (err != XC_OK) snprintf(h.message, sizeof h.message, "%s", xc_error_message());
    sender s = {fd, 0};
    write_all(fd, &h, sizeof h, &s.bad);
    write_all(fd, w->r, sizeof *w->r, &s.bad);
    write_all(fd, w->r->layers, sizeof *w->r->layers * (size_t)(w->r->n_layers > 0 ? w->r->n_layers : 0), &s.bad);
    each_string(w->r, send_string, &s);
}

/* The report the child sent, in place of r's (*h its header); 0 when incomplete. */
static int receive(const char *data, size_t len, header *h, xc_triage_report *r)
{
    xc_triage_report got;
    reader d = {data, len, sizeof *h + sizeof got, 0};
    if (len < d.at) return 0;
    memcpy(h, data, sizeof *h);
    memcpy(&got, data + sizeof *h, sizeof got);
    /* the child's pointers mean nothing here: fresh arrays, the rows' numbers (their precision
     * names are static: the same binary), then every string into them */
    size_t rows = sizeof *got.layers * (size_t)(got.n_layers > 0 ? got.n_layers : 0);
    got.layers = rows ? malloc(rows) : NULL;
    got.watch = got.n_watch > 0 ? calloc((size_t)got.n_watch, sizeof *got.watch) : NULL;
    int n_layers = got.n_layers, n_watch = got.n_watch;
    got.n_layers = got.layers ? n_layers : 0; /* what a failure below frees */
    got.n_watch = got.watch ? n_watch : 0;
    d.bad = got.n_layers != n_layers || got.n_watch != n_watch || d.at + rows > len;
    if (rows && !d.bad) memcpy(got.layers, data + d.at, rows), d.at += rows;
    for (int i = 0; i < got.n_layers; i++) {
        xc_triage_layer *t = &got.layers[i];
        t->name = t->nodes = t->kind = t->tactic = t->fusion = NULL;
    }
    if (d.bad) got.n_layers = 0;
    char **own[] = {&got.culprit_layer, &got.culprit_nodes, &got.culprit_what,   &got.minimal_nodes,
                    &got.reproduce,     &got.fix,           &got.reduce_command, &got.fix_note};
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++) *own[k] = NULL;
    if (!d.bad) each_string(&got, take_string, &d);
    if (d.bad) {
        xc_triage_report_free(&got);
        return 0;
    }
    xc_triage_report_free(r);
    *r = got;
    return 1;
}

xc_status xc_triage_isolated(const xc_triage_config *c, xc_triage_report *r, double timeout, xc_triage_step_fn step, void *arg,
                             int *result, char *crashed, size_t len)
{
    crashed[0] = 0;
    if (!c->base.isolate || xc_ocl_devices_opened()) { /* --no-isolate, or a library caller that has used OpenCL */
        xc_status err = XC_OK;
        *result = step(arg, r, &err);
        return err;
    }
    step_work w = {step, arg, r};
    char *data = NULL;
    size_t n = 0;
    xc_debug_child_end end;
    XC_TRY(xc_debug_in_child(timeout, step_in_child, &w, &data, &n, &end));
    header h;
    int whole = end.ok && receive(data, n, &h, r);
    free(data);
    if (!whole) {
        snprintf(crashed, len, "%s", end.why[0] ? end.why : "the step's process sent no report");
        *result = 0;
        return XC_OK;
    }
    *result = h.result;
    return h.status == XC_OK ? XC_OK : xc_fail(h.status, "%s", h.message);
}

/* isolate.c — crash isolation of the built-in check (--isolate, the debug tools' default): the
 * check (build, run, compare) runs in a child process, so a driver crash (a signal) or a hang
 * (past --check-timeout, when the child's process group is killed) is a failing check with its
 * reason, and the session goes on.
 *
 * A process that has used OpenCL must not fork children that use it (the driver's threads and
 * state do not survive fork), and the tools keep the failing build's engine in the session's
 * process. So the children come from a fork server: a process forked when the session opens,
 * before any OpenCL, holding the model, the input sets and the golden outputs; the session sends
 * it each check's build options and it forks one child per check. A session whose model the
 * server does not hold (debug reduce's candidates) forks its children itself, which is safe while
 * it has not used OpenCL; otherwise the check runs in-process (said once). */
#include "debug/session.h"
#include "ocl/device.h"
#include "runners/exec.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What a child (through the server) sends back: a verdict, or the error that stopped the check. */
typedef struct reply {
    int done;   /* 0: sent once the engine is built (its faults), before it runs; 1: the verdict */
    int status; /* xc_status of the check (XC_OK: v holds its verdict) */
    xc_debug_verdict v;
    char message[2048];
} reply;

/* an external check (--check, --interactive) already judges outside this process: no child of ours */
int xc_debug_isolating(const xc_debug_session *s) { return s->cfg->isolate && !xc_check_external(&s->cfg->command); }

static int write_all(int fd, const void *p, size_t n)
{
    for (const char *c = p; n;) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL); /* a dead peer is an error, not SIGPIPE */
        if (w < 0 && errno == ENOTSOCK) w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        c += w;
        n -= (size_t)w;
    }
    return 1;
}

static size_t read_all(int fd, void *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

/* A string the options point at and each_string misses reaches the server as a dangling pointer
 * (precision constraints did): a change of the struct's size stops the build here until the new
 * member is looked at (strings listed below, other pointers refused by server_can_take). */
_Static_assert(sizeof(xc_ocl_build_options) == 344, "xc_ocl_build_options changed: list its new strings in each_string");

/* Every string the build options point at, in a fixed order (the lists' counts come first,
 * with the struct): what travels to the server as text and is pointed at again there. */
static void each_string(xc_ocl_build_options *o, void (*fn)(const char **slot, void *u), void *u)
{
    const char **one[] = {&o->device,       &o->timing_cache,     &o->load_tactics,
                          &o->save_tactics, &o->calibration_data, &o->calibration_cache};
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) fn(one[i], u);
    xc_name_list *lists[XC_OCL_OPTION_LISTS];
    xc_ocl_option_lists(o, lists);
    for (int l = 0; l < XC_OCL_OPTION_LISTS; l++)
        for (int i = 0; i < lists[l]->n; i++) fn(&lists[l]->v[i], u);
}

/* The other pointers must be valid in the server: made before it was forked (the session's
 * shapes, the options given) or none (the internal ones of profiled engines). */
static int server_can_take(const xc_debug_session *s, const xc_ocl_build_options *o)
{
    return s->server_pid > 0 && s->model == s->server_model
           && (!o->shapes || o->shapes == s->shapes || o->shapes == s->cfg->ocl.shapes) && o->profiles == s->cfg->ocl.profiles
           && !o->excluded && !o->pins && !o->weights_from && !o->shared_device && !o->replay;
}

typedef struct blob {
    char *p;
    size_t n, cap;
    int bad;
} blob;

static void put(blob *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->bad = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put_string(const char **slot, void *u)
{
    uint32_t n = *slot ? (uint32_t)strlen(*slot) + 1 : 0;
    put(u, &n, sizeof n);
    if (n) put(u, *slot, n);
}

/* A request: the options, then their strings, then save_tactics, then which input sets. */
typedef struct request {
    xc_ocl_build_options o;
    const char *save_tactics;
    int first_set, n_sets;
} request;

static void get_string(const char **slot, void *u)
{
    blob *b = u;
    uint32_t n = 0;
    if (b->n + sizeof n > b->cap) {
        b->bad = 1, *slot = NULL;
        return;
    }
    memcpy(&n, b->p + b->n, sizeof n);
    b->n += sizeof n;
    *slot = n && b->n + n <= b->cap && !b->p[b->n + n - 1] ? b->p + b->n : NULL;
    b->bad |= n && !*slot;
    b->n += n;
}

/* In the server: arrays of its own for the lists of a request's options (their pointers are
 * the session's, their counts what follows), freed with xc_ocl_options_free. Each name takes
 * at least its length's 4 bytes of what is left of the request. */
static void take_lists(xc_ocl_build_options *o, blob *b)
{
    xc_name_list *lists[XC_OCL_OPTION_LISTS];
    xc_ocl_option_lists(o, lists);
    size_t left = (b->cap - b->n) / sizeof(uint32_t);
    for (int l = 0; l < XC_OCL_OPTION_LISTS; l++) {
        int n = lists[l]->n;
        *lists[l] = (xc_name_list){0};
        if (n < 0 || (size_t)n > left) b->bad = 1;
        if (b->bad || !n) continue;
        left -= (size_t)n;
        if (!(lists[l]->v = calloc((size_t)n, sizeof *lists[l]->v)))
            b->bad = 1;
        else
            lists[l]->n = lists[l]->cap = n;
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Reads the child's pipe into a growing buffer (*data, *got bytes) until its end (the child
 * exited or died) or timeout seconds; returns the time left (at least 1 ms: enough for the
 * reaping that follows). */
static double collect(int fd, char **data, size_t *got, double timeout)
{
    double end = now() + timeout, left;
    size_t cap = 0;
    *data = NULL;
    *got = 0;
    while ((left = end - now()) > 0) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, left > 1e6 ? 1000000000 : (int)(left * 1000) + 1);
        if (r < 0 && errno != EINTR) break;
        if (r <= 0) continue;
        if (*got == cap) {
            char *d = realloc(*data, cap = cap ? 2 * cap : 8192);
            if (!d) break; /* what came so far is kept */
            *data = d;
        }
        ssize_t n = read(fd, *data + *got, cap - *got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* the end: every copy of the write side is closed */
        *got += (size_t)n;
    }
    left = end - now();
    return left > 1e-3 ? left : 1e-3;
}

xc_status xc_debug_in_child(double timeout, void (*work)(void *user, int fd), void *user, char **data, size_t *len,
                            xc_debug_child_end *end)
{
    int fd[2];
    memset(end, 0, sizeof *end);
    *data = NULL;
    *len = 0;
    if (pipe2(fd, O_CLOEXEC) != 0) return xc_fail(XC_ERR_IO, "--isolate: pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return xc_fail(XC_ERR_IO, "--isolate: fork: %s", strerror(errno));
    }
    if (pid == 0) { /* the child: its own process group (killed whole on a timeout), gone with its parent */
        close(fd[0]);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        work(user, fd[1]);
        _exit(0); /* nothing of the parent's (buffers, atexit handlers, the driver's teardown) */
    }
    setpgid(pid, pid);
    close(fd[1]);
    double left = collect(fd[0], data, len, timeout); /* wakes as the child ends */
    close(fd[0]);
    int ws = 0, timed_out = 0;
    XC_TRY(xc_exec_wait(pid, left, &ws, &timed_out)); /* reaps it, or kills its group past the limit */
    end->ok = !timed_out && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    if (timed_out)
        snprintf(end->why, sizeof end->why, "timed out after %g s", timeout);
    else if (WIFSIGNALED(ws))
        snprintf(end->why, sizeof end->why, "crashed: SIG%s", sigabbrev_np(WTERMSIG(ws)) ? sigabbrev_np(WTERMSIG(ws)) : "?");
    else if (!end->ok)
        snprintf(end->why, sizeof end->why, "exited with status %d", WEXITSTATUS(ws));
    return XC_OK;
}

/* In the child: the engine's fault announcement, sent before it runs (a crash loses the rest). */
static void send_built(const xc_debug_verdict *v, void *user)
{
    reply c;
    memset(&c, 0, sizeof c);
    c.v = *v;
    write_all(*(int *)user, &c, sizeof c);
}

typedef struct check_work {
    xc_debug_session *s;
    const xc_ocl_build_options *o;
    const char *save_tactics;
    int first_set, n_sets;
} check_work;

static void check_in_child(void *user, int fd)
{
    check_work *w = user;
    xc_debug_session *s = w->s;
    reply c;
    memset(&c, 0, sizeof c);
    xc_status st =
        w->first_set != s->first_set || w->n_sets != s->n_iter ? xc_debug_make_sets(s, w->first_set, w->n_sets) : XC_OK;
    if (st == XC_OK) st = xc_debug_build_and_compare(s, w->o, w->save_tactics, &c.v, send_built, &fd);
    c.done = 1;
    c.status = st;
    if (st != XC_OK) snprintf(c.message, sizeof c.message, "%s", xc_error_message());
    write_all(fd, &c, sizeof c);
}

/* Forks the child that makes the check (first_set, n_sets: the input sets it checks, made in
 * the child when the session holds others) and waits for it at most the check timeout. */
static xc_status fork_check(xc_debug_session *s, const xc_ocl_build_options *o, const char *save_tactics, int first_set,
                            int n_sets, reply *r)
{
    check_work w = {s, o, save_tactics, first_set, n_sets};
    char *data = NULL;
    size_t n = 0;
    xc_debug_child_end end;
    XC_TRY(xc_debug_in_child(s->cfg->check_timeout, check_in_child, &w, &data, &n, &end));
    /* the first message (after the build) and the verdict */
    const reply *got = (const reply *)data, *last = n >= sizeof *r ? &got[n / sizeof *r - 1] : NULL;
    if (end.ok && last && last->done) {
        *r = *last;
        free(data);
        return XC_OK;
    }
    memset(r, 0, sizeof *r);
    if (last) memcpy(r->v.faults, got[0].v.faults, sizeof r->v.faults); /* the fault announcement, when it got that far */
    free(data);
    r->v.failed_iteration = -1;
    if (end.why[0] && strncmp(end.why, "exited", 6))
        snprintf(r->v.why, sizeof r->v.why, "%s", end.why);
    else
        snprintf(r->v.why, sizeof r->v.why, "the check's process %s and no verdict",
                 end.why[0] ? end.why : "exited with status 0");
    return XC_OK;
}

/* The server: one request at a time, until the session closes its end. */
static void serve(xc_debug_session *s, int fd)
{
    reply r;
    for (;;) {
        uint32_t n = 0;
        if (read_all(fd, &n, sizeof n) != sizeof n) _exit(0);
        blob b = {malloc(n + 1u), 0, n, 0};
        if (!b.p || read_all(fd, b.p, n) != n) _exit(1);
        request q;
        if (n < sizeof q) _exit(1);
        memcpy(&q, b.p, sizeof q);
        b.n = sizeof q;
        take_lists(&q.o, &b);
        each_string(&q.o, get_string, &b);
        get_string(&q.save_tactics, &b);
        xc_status st = b.bad ? xc_fail(XC_ERR_INTERNAL, "--isolate: a malformed request") : XC_OK;
        if (st == XC_OK) st = fork_check(s, &q.o, q.save_tactics, q.first_set, q.n_sets, &r);
        if (st != XC_OK) {
            memset(&r, 0, sizeof r);
            r.status = st;
            snprintf(r.message, sizeof r.message, "%s", xc_error_message());
        }
        xc_ocl_options_free(&q.o);
        free(b.p);
        if (!write_all(fd, &r, sizeof r)) _exit(1);
    }
}

static xc_status ask_server(xc_debug_session *s, const xc_ocl_build_options *o, const char *save_tactics, reply *r)
{
    request q = {*o, save_tactics, s->first_set, s->n_iter};
    blob b = {0};
    uint32_t n = 0;
    put(&b, &n, sizeof n);
    put(&b, &q, sizeof q);
    each_string(&q.o, put_string, &b);
    put_string(&q.save_tactics, &b);
    n = (uint32_t)(b.n - sizeof n);
    if (b.p) memcpy(b.p, &n, sizeof n);
    int ok = !b.bad && write_all(s->server_fd, b.p, b.n) && read_all(s->server_fd, r, sizeof *r) == sizeof *r;
    free(b.p);
    return ok ? XC_OK : xc_fail(XC_ERR_IO, "--isolate: the check server is gone (%s)", strerror(errno));
}

xc_status xc_debug_server_start(xc_debug_session *s)
{
    if (!xc_debug_isolating(s) || xc_ocl_devices_opened()) return XC_OK;
    int fd[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) != 0)
        return xc_fail(XC_ERR_IO, "--isolate: socketpair: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return xc_fail(XC_ERR_IO, "--isolate: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fd[0]);
        serve(s, fd[1]);
    }
    close(fd[1]);
    s->server_pid = pid;
    s->server_fd = fd[0];
    s->server_model = s->model;
    return XC_OK;
}

void xc_debug_server_stop(xc_debug_session *s)
{
    if (s->server_pid <= 0) return;
    close(s->server_fd); /* the server reads the end and exits */
    while (waitpid(s->server_pid, NULL, 0) < 0 && errno == EINTR) {}
    s->server_pid = 0;
}

xc_status xc_debug_isolated(xc_debug_session *s, const xc_ocl_build_options *o, const char *save_tactics, xc_debug_verdict *v)
{
    reply r;
    xc_status st;
    if (server_can_take(s, o))
        st = ask_server(s, o, save_tactics, &r);
    else if (!xc_ocl_devices_opened())
        st = fork_check(s, o, save_tactics, s->first_set, s->n_iter, &r);
    else {
        if (!s->said_in_process++)
            xc_debug_say(s,
                         "--isolate: OpenCL is already in use in this process, so checks run in it (a crash ends the session)");
        return xc_debug_build_and_compare(s, o, save_tactics, v, NULL, NULL);
    }
    if (st != XC_OK) return st;
    if (r.status != XC_OK) return xc_fail(r.status, "%s", r.message);
    *v = r.v;
    return XC_OK;
}

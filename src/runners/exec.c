/* exec.c — an external command as a runner (`--exec-runner NAME=CMD`, see exec.h): splitting
 * its command line, a private temporary folder per run, spawning without a shell under a time
 * limit, reading back what it wrote through the results readers (results_load.c), and, when
 * observed, every intermediate tensor it wrote (it is asked to mark all). */
#include "runners/exec.h"
#include "dataset.h"
#include "runners/runner.h"
#include "onnx_io.h"
#include "results.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct xc_exec_runner {
    char *command;  /* as given: what messages quote */
    char **argv;    /* split, placeholders still in */
    char *model;    /* what {model} becomes */
    double timeout; /* seconds */
    char *root;     /* the private temporary folder (mkdtemp, 0700), removed by xc_exec_runner_free */
};

/* ---- splitting ---- */

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

void xc_exec_argv_free(char **argv)
{
    for (int i = 0; argv && argv[i]; i++) free(argv[i]);
    free(argv);
}

/* One word starting at *p (not blank): its characters into word, *p moved past it. */
static xc_status split_word(const char **p, char *word, size_t *len)
{
    const char *s = *p;
    size_t w = 0;
    while (*s && !is_blank(*s)) {
        if (*s == '\'') {
            const char *end = strchr(s + 1, '\'');
            if (!end) return xc_fail(XC_ERR_USAGE, "unterminated ' quote");
            memcpy(word + w, s + 1, (size_t)(end - s - 1));
            w += (size_t)(end - s - 1);
            s = end + 1;
        } else if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1] == '\n') { /* a line continued: nothing */
                    s++;
                    continue;
                }
                if (*s == '\\' && s[1] && strchr("\"\\$`", s[1])) s++; /* the shell's escapes inside "..." */
                word[w++] = *s;
            }
            if (!*s) return xc_fail(XC_ERR_USAGE, "unterminated \" quote");
            s++;
        } else if (*s == '\\') {
            if (!s[1]) return xc_fail(XC_ERR_USAGE, "a backslash ends the command");
            if (s[1] != '\n') word[w++] = s[1];
            s += 2;
        } else {
            word[w++] = *s++;
        }
    }
    *p = s;
    *len = w;
    return XC_OK;
}

xc_status xc_exec_split(const char *command, char ***argv, int *argc)
{
    *argv = NULL;
    *argc = 0;
    size_t len = strlen(command);
    /* a word takes at least one character and a blank, or two quotes: at most len / 2 + 1 words */
    char **v = calloc(len / 2 + 2, sizeof *v);
    char *word = malloc(len + 1);
    xc_status s = v && word ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    int n = 0;
    for (const char *p = command; s == XC_OK;) {
        while (is_blank(*p)) p++;
        if (!*p) break;
        size_t w = 0;
        s = split_word(&p, word, &w);
        if (s == XC_OK && !(v[n++] = strndup(word, w))) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    free(word);
    if (s == XC_OK && !n) s = xc_fail(XC_ERR_USAGE, "the command is empty");
    if (s != XC_OK) {
        xc_exec_argv_free(v);
        return s;
    }
    *argv = v;
    *argc = n;
    return XC_OK;
}

/* word with every {model}, {inputs} and {outputs} replaced (the values are not split again). */
static char *substitute(const char *word, const char *const values[3])
{
    static const char *const keys[3] = {"{model}", "{inputs}", "{outputs}"};
    size_t cap = strlen(word) + 1;
    for (int k = 0; k < 3; k++)
        for (const char *p = strstr(word, keys[k]); p; p = strstr(p + 1, keys[k])) cap += strlen(values[k]);
    char *out = malloc(cap), *o = out;
    while (out && *word) {
        int k = 0;
        while (k < 3 && strncmp(word, keys[k], strlen(keys[k]))) k++;
        if (k == 3) {
            *o++ = *word++;
            continue;
        }
        o = stpcpy(o, values[k]);
        word += strlen(keys[k]);
    }
    if (out) *o = 0;
    return out;
}

/* ---- the runner ---- */

static int valid_name(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("_-.", *s))) return 0;
    return 1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Removes path and all under it, following no symlink (they go, not what they point at). */
static void remove_tree(const char *path) { nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

void xc_exec_runner_free(xc_exec_runner *e)
{
    if (!e) return;
    if (e->root) {
        remove_tree(e->root);
        if (!access(e->root, F_OK)) xc_warn("%s: the external command's temporary folder could not be removed", e->root);
    }
    free(e->root);
    free(e->command);
    free(e->model);
    xc_exec_argv_free(e->argv);
    free(e);
}

xc_status xc_exec_runner_create(const char *name, const char *command, const char *model_path, double timeout_s,
                                xc_exec_runner **out)
{
    *out = NULL;
    if (!valid_name(name))
        return xc_fail(XC_ERR_USAGE, "--exec-runner '%s': a runner name is letters, digits, '_', '-' and '.'", name);
    if (!(timeout_s > 0)) return xc_fail(XC_ERR_USAGE, "--exec-timeout must be more than 0 seconds");
    xc_exec_runner *e = calloc(1, sizeof *e);
    if (!e) return xc_fail(XC_ERR_NOMEM, "out of memory");
    e->timeout = timeout_s;
    int argc;
    xc_status s = xc_exec_split(command, &e->argv, &argc);
    if (s != XC_OK) s = xc_error_prefix(s, "--exec-runner %s: ", name);
    int names_outputs = 0;
    for (int i = 0; s == XC_OK && i < argc; i++) names_outputs |= strstr(e->argv[i], "{outputs}") != NULL;
    if (s == XC_OK && !names_outputs)
        s = xc_fail(XC_ERR_USAGE, "--exec-runner %s: the command must name {outputs}, the folder it writes its outputs to", name);
    const char *tmp = getenv("TMPDIR");
    if (s == XC_OK
        && (!(e->command = strdup(command)) || !(e->model = strdup(model_path))
            || !(e->root = xc_strprintf("%s/crosscheck-exec-XXXXXX", tmp && *tmp ? tmp : "/tmp"))))
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK && !mkdtemp(e->root)) {
        s = xc_fail(XC_ERR_IO, "%s: cannot create a temporary folder (%s)", e->root, strerror(errno));
        free(e->root);
        e->root = NULL;
    }
    if (s != XC_OK) {
        xc_exec_runner_free(e);
        return s;
    }
    *out = e;
    return XC_OK;
}

/* ---- running the command ---- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Starts argv in a process group of its own (so a time limit ends whatever it started), stdin
 * from /dev/null, stdout and stderr into files, default signal handling. */
static xc_status spawn(char **argv, char **envp, const char *out_path, const char *err_path, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) sigaddset(&dfl, sig); /* nothing ignored carries over */
    if (posix_spawn_file_actions_init(&fa)) return xc_fail(XC_ERR_NOMEM, "out of memory");
    if (posix_spawnattr_init(&at)) {
        posix_spawn_file_actions_destroy(&fa);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    int rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!rc) rc = posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!rc) rc = posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!rc) rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (!rc) rc = posix_spawnattr_setpgroup(&at, 0);
    if (!rc) rc = posix_spawnattr_setsigmask(&at, &none);
    if (!rc) rc = posix_spawnattr_setsigdefault(&at, &dfl);
    if (!rc) rc = posix_spawnp(pid, argv[0], &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return rc ? xc_fail(XC_ERR_RUNTIME, "cannot run '%s' (%s)", argv[0], strerror(rc)) : XC_OK;
}

xc_status xc_exec_wait(pid_t pid, double timeout, int *status, int *timed_out)
{
    double t0 = now();
    long ns = 1000000; /* polls every 1 ms, then less often, up to every 20 ms */
    *timed_out = 0;
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid) return XC_OK;
        if (w < 0 && errno != EINTR) return xc_fail(XC_ERR_RUNTIME, "cannot wait for the command (%s)", strerror(errno));
        if (now() - t0 >= timeout) {
            kill(-pid, SIGKILL); /* the group outlives its leader only until reaped: pid is still ours */
            while (waitpid(pid, status, 0) < 0 && errno == EINTR) {}
            *timed_out = 1;
            return XC_OK;
        }
        struct timespec d = {0, ns};
        nanosleep(&d, NULL);
        if (ns < 20000000) ns *= 2;
    }
}

/* The last non-blank line of the file (at most its last 64 KiB are read), malloc'd; "" if none. */
static char *last_line(const char *path)
{
    char *buf = calloc(65537, 1);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (!buf || fd < 0 || fstat(fd, &st)) { /* no stderr to quote: "" (NULL when out of memory) */
        if (fd >= 0) close(fd);
        if (buf) *buf = 0;
        return buf;
    }
    off_t from = st.st_size > 65536 ? st.st_size - 65536 : 0;
    ssize_t n = pread(fd, buf, 65536, from);
    close(fd);
    size_t end = n > 0 ? (size_t)n : 0;
    while (end && (buf[end - 1] == '\n' || buf[end - 1] == '\r' || buf[end - 1] == ' ' || buf[end - 1] == '\t')) end--;
    buf[end] = 0;
    size_t start = end;
    while (start && buf[start - 1] != '\n') start--;
    memmove(buf, buf + start, end - start + 1);
    if (end - start > 500) strcpy(buf + 497, "..."); /* one line of a report, not a whole dump */
    return buf;
}

/* "exited with status 3", "was killed by signal 9 (Killed)", "did not finish within 1 s". */
static char *how_it_ended(int status, int timed_out, double timeout)
{
    if (timed_out) return xc_strprintf("did not finish within %g s (killed)", timeout);
    if (WIFEXITED(status)) return xc_strprintf("exited with status %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return xc_strprintf("was killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    return xc_strprintf("ended with wait status %d", status);
}

/* The one line a failed command gets: the command, how it ended, what it said last. */
static xc_status command_failed(const xc_exec_runner *e, const char *ended, const char *err_path, const char *what)
{
    char *line = last_line(err_path);
    xc_status s = xc_fail(XC_ERR_RUNTIME, "command '%s' %s%s; %s%s%s", e->command, ended ? ended : "failed", what,
                          line && *line ? "its stderr ends: '" : "it wrote nothing to stderr", line && *line ? line : "",
                          line && *line ? "'" : "");
    free(line);
    return s;
}

/* ---- inputs and outputs ---- */

static xc_status write_inputs(const char *dir, const xc_graph *g, const xc_tensor *const *fed)
{
    int n = xc_graph_runtime_input_count(g);
    for (int i = 0; i < n; i++) {
        char *path = xc_strprintf("%s/input_%d.pb", dir, i);
        xc_status s = path ? xc_tensor_save_pb(fed[i], path) : xc_fail(XC_ERR_NOMEM, "out of memory");
        free(path);
        XC_TRY(s);
    }
    return XC_OK;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcmp(s + n - k, suffix);
}

static int by_version(const void *a, const void *b) { return strverscmp(*(char *const *)a, *(char *const *)b); }

/* The iteration-0 outputs of one path (its first runner), appended to got. An unnamed tensor of
 * NAME.pb is named NAME. */
static xc_status load_path(const char *path, const char *file, xc_tensor_list *got)
{
    xc_results *res;
    XC_TRY(xc_results_load_paths(&path, 1, XC_ROLE_OUTPUT, &res));
    int before = got->n;
    xc_status s = xc_results_take(res, NULL, 0, XC_ROLE_OUTPUT, got);
    for (int i = before; s == XC_OK && file && i < got->n; i++)
        if (!got->t[i]->name || !*got->t[i]->name) {
            char *stem = strndup(file, strlen(file) - 3);
            s = stem ? xc_tensor_set_name(got->t[i], stem) : xc_fail(XC_ERR_NOMEM, "out of memory");
            free(stem);
        }
    xc_results_free(res);
    return s;
}

/* What the command wrote into dir: a results folder (index.json, Polygraphy's per-iteration
 * files) or test_data_set (output_0.pb) read as one; else every .pb, .npy and .json file in
 * it, in natural order (output_2 before output_10). Other files are left alone. */
static xc_status load_outputs(const char *dir, xc_tensor_list *got)
{
    DIR *d = opendir(dir);
    if (!d) return xc_fail(XC_ERR_IO, "%s: cannot read the folder (%s)", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int whole = 0;
    xc_status s = XC_OK;
    for (struct dirent *ent; s == XC_OK && (ent = readdir(d));) {
        const char *f = ent->d_name;
        if (f[0] == '.' || !(has_suffix(f, ".pb") || has_suffix(f, ".npy") || has_suffix(f, ".json"))) continue;
        whole |= !strcmp(f, "index.json") || !strcmp(f, "output_0.pb") || !strcmp(f, "0000000000.json");
        if (n == cap) {
            char **b = realloc(names, sizeof *b * (cap = cap ? 2 * cap : 16));
            if (!b)
                s = xc_fail(XC_ERR_NOMEM, "out of memory");
            else
                names = b;
        }
        if (s == XC_OK && !(names[n++] = strdup(f))) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    closedir(d);
    if (s == XC_OK && whole) s = load_path(dir, NULL, got);
    if (s == XC_OK && !whole && n) qsort(names, n, sizeof *names, by_version);
    for (size_t i = 0; s == XC_OK && !whole && i < n; i++) {
        char *path = xc_strprintf("%s/%s", dir, names[i]);
        s = path ? load_path(path, has_suffix(names[i], ".pb") ? names[i] : NULL, got) : xc_fail(XC_ERR_NOMEM, "out of memory");
        free(path);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return s;
}

/* Orders got like g's outputs (name, then position): every output must be found. */
static xc_status place_outputs(const xc_exec_runner *e, const xc_graph *g, const xc_tensor_list *got, xc_tensor **out, int warn,
                               const char *ended, const char *err_path)
{
    const xc_tensor **want = calloc((size_t)g->n_outputs + 1, sizeof *want);
    if (!want) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_match_outputs(g, got, want);
    if (s != XC_OK) s = xc_error_prefix(s, "command '%s' %s but its outputs do not fit the model: ", e->command, ended);
    for (int o = 0; o < g->n_outputs && s == XC_OK; o++)
        if (!want[o]) {
            char *what = xc_strprintf(" but wrote no tensor for output '%s' (by name or position)", g->outputs[o].name);
            s = what ? command_failed(e, ended, err_path, what) : xc_fail(XC_ERR_NOMEM, "out of memory");
            free(what);
        }
    for (int o = 0; o < g->n_outputs && s == XC_OK && warn; o++) /* a name, but not this output's */
        if (want[o]->name && *want[o]->name && strcmp(want[o]->name, g->outputs[o].name))
            xc_warn("command '%s': its output '%s' matches no output of the model; compared with output '%s' by position",
                    e->command, want[o]->name, g->outputs[o].name);
    for (int o = 0; o < g->n_outputs && s == XC_OK; o++) s = xc_tensor_clone(want[o], &out[o]);
    free(want);
    return s;
}

/* The folders and files of one run under root, created empty. */
typedef struct run_paths {
    char *inputs, *outputs, *out_log, *err_log;
} run_paths;

static void run_paths_free(run_paths *p)
{
    char *all[] = {p->inputs, p->outputs, p->out_log, p->err_log};
    for (int i = 0; i < 4; i++) {
        if (all[i]) remove_tree(all[i]);
        free(all[i]);
    }
}

static xc_status run_paths_make(const char *root, run_paths *p)
{
    memset(p, 0, sizeof *p);
    p->inputs = xc_strprintf("%s/inputs", root);
    p->outputs = xc_strprintf("%s/outputs", root);
    p->out_log = xc_strprintf("%s/stdout.txt", root);
    p->err_log = xc_strprintf("%s/stderr.txt", root);
    if (!p->inputs || !p->outputs || !p->out_log || !p->err_log) return xc_fail(XC_ERR_NOMEM, "out of memory");
    if (mkdir(p->inputs, 0700) || mkdir(p->outputs, 0700))
        return xc_fail(XC_ERR_IO, "%s: cannot create a temporary folder (%s)", root, strerror(errno));
    return XC_OK;
}

/* environ with XC_EXEC_MARK_ALL=1 added (the strings borrowed), malloc'd. */
static char **mark_all_environment(void)
{
    static char mark[] = XC_EXEC_MARK_ALL "=1";
    size_t n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 2, sizeof *env);
    if (!env) return NULL;
    size_t k = 0, len = strlen(XC_EXEC_MARK_ALL);
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], XC_EXEC_MARK_ALL, len) || environ[i][len] != '=') env[k++] = environ[i];
    env[k] = mark;
    return env;
}

/* Every node output the command wrote, in the model's (topological) order, as made by its node. */
static xc_status observe(const xc_graph *g, const xc_tensor_list *got, const xc_observer *obs)
{
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *nd = &g->nodes[k];
        for (int o = 0; o < nd->n_outputs; o++)
            for (int i = 0; nd->outputs[o][0] && i < got->n; i++)
                if (got->t[i]->name && !strcmp(got->t[i]->name, nd->outputs[o])) {
                    XC_TRY(obs->on_tensor(obs->user, nd->outputs[o], got->t[i], nd->name[0] ? nd->name : nd->outputs[0]));
                    break;
                }
    }
    return XC_OK;
}

/* The graph's outputs among everything a marking-all command wrote: by name only (position
 * means nothing among intermediate tensors). */
static xc_tensor_list outputs_of(const xc_graph *g, const xc_tensor_list *got, xc_tensor **scratch)
{
    xc_tensor_list l = {0, scratch};
    for (int i = 0; i < got->n; i++)
        for (int o = 0; o < g->n_outputs; o++)
            if (got->t[i]->name && !strcmp(got->t[i]->name, g->outputs[o].name)) {
                scratch[l.n++] = got->t[i];
                break;
            }
    return l;
}

xc_status xc_exec_runner_run(xc_exec_runner *e, const xc_graph *g, const xc_tensor *const *fed, xc_tensor **out, int warn,
                             const xc_observer *obs)
{
    run_paths p;
    xc_status s = run_paths_make(e->root, &p);
    if (s == XC_OK) s = write_inputs(p.inputs, g, fed);
    size_t argc = 0;
    while (e->argv[argc]) argc++;
    char **argv = calloc(argc + 1, sizeof *argv);
    const char *values[3] = {e->model, p.inputs, p.outputs};
    if (s == XC_OK && !argv) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; s == XC_OK && i < argc; i++)
        if (!(argv[i] = substitute(e->argv[i], values))) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    pid_t pid;
    int status = 0, timed_out = 0;
    char **envp = obs ? mark_all_environment() : environ;
    if (s == XC_OK && !envp) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK && (s = spawn(argv, envp, p.out_log, p.err_log, &pid)) != XC_OK)
        s = xc_error_prefix(s, "command '%s': ", e->command);
    if (obs) free(envp);
    if (s == XC_OK) s = xc_exec_wait(pid, e->timeout, &status, &timed_out);
    char *ended = s == XC_OK ? how_it_ended(status, timed_out, e->timeout) : NULL;
    if (s == XC_OK && (timed_out || !WIFEXITED(status) || WEXITSTATUS(status))) s = command_failed(e, ended, p.err_log, "");
    xc_tensor_list got = {0, NULL};
    if (s == XC_OK && (s = load_outputs(p.outputs, &got)) != XC_OK)
        s = xc_error_prefix(s, "command '%s' %s but its outputs could not be read: ", e->command, ended ? ended : "ended");
    if (s == XC_OK && !got.n) s = command_failed(e, ended, p.err_log, " but wrote no outputs");
    xc_tensor **scratch = obs ? calloc((size_t)got.n + 1, sizeof *scratch) : NULL;
    if (s == XC_OK && obs && !scratch) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK && obs) s = observe(g, &got, obs);
    xc_tensor_list named = obs && s == XC_OK ? outputs_of(g, &got, scratch) : got;
    /* a command that marked nothing wrote the outputs alone: matched as usual */
    if (s == XC_OK) s = place_outputs(e, g, named.n == g->n_outputs || !obs ? &named : &got, out, warn, ended, p.err_log);
    free(scratch);
    for (int o = 0; s != XC_OK && o < g->n_outputs; o++) {
        xc_tensor_free(out[o]);
        out[o] = NULL;
    }
    xc_tensor_list_free(&got);
    free(ended);
    xc_exec_argv_free(argv);
    run_paths_free(&p);
    return s;
}

/* ---- as a runner ---- */

typedef struct exec_state {
    xc_exec_runner *e;
    const xc_graph *g; /* borrowed */
} exec_state;

static xc_status exec_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    xc_runner *r;
    exec_state *x = calloc(1, sizeof *x);
    xc_status s = x ? xc_runner_new(&xc_runner_exec, &r) : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s != XC_OK) {
        free(x);
        return s;
    }
    r->impl = x;
    r->named = 1;
    r->observes = 1;
    r->row_tactic = "exec";
    x->g = env->model->graph;
    s = xc_exec_runner_create(spec->name, spec->command, env->model_path, env->exec_timeout, &x->e);
    if (s == XC_OK && !(r->name = strdup(spec->name))) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s != XC_OK) {
        xc_runner_free(r);
        return s;
    }
    return xc_runner_list_add(out, r);
}

static xc_status exec_run(xc_runner *r, int it, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs)
{
    exec_state *x = r->impl;
    return xc_exec_runner_run(x->e, x->g, in, out, it == 0, obs);
}

static void exec_release(xc_runner *r)
{
    exec_state *x = r->impl;
    if (x) xc_exec_runner_free(x->e);
    free(x);
}

const xc_runner_type xc_runner_exec = {
    .kind = "exec",
    .option = "--exec-runner",
    .arg = XC_RUNNER_ARG_NAMED,
    .value_help = "NAME='CMD'",
    .help =
        "an external command (repeatable): crosscheck writes the inputs as\n"
        "a test_data_set into {inputs}, runs CMD (split like a shell does,\n"
        "without one; {model}, {inputs}, {outputs} replaced) and reads the\n"
        ".pb files or results folder it writes into {outputs}; e.g.\n"
        "ort='python3 tools/onnxruntime_runner.py {model} {inputs} {outputs}'\n"
        "Per layer, it runs with " XC_EXEC_MARK_ALL
        "=1 in its environment:\n"
        "a command that then writes every node output is compared node by node",
    .prepare = exec_prepare,
    .run = exec_run,
    .release = exec_release,
};

/* reduce_check.c — one verdict of `debug reduce` on a candidate: the built-in check (the debug
 * session's build-run-compare on the candidate's model and data) or an external command, taken
 * from the replay file when it already holds this candidate's verdict. The built-in check
 * compares the engine with the reference, or with the runner given (--exec-runner ...), which
 * then runs on each candidate.
 *
 * The replay file is JSON {"format": "crosscheck-reduce-replay-1", "checks": [{"key", "passed",
 * "iteration"}...]}, rewritten after every check (atomically), so an interrupted run loses at
 * most the check in flight. The key hashes the candidate (its nodes and outputs) and what judges
 * it (the check command, or the tolerance, data and build options): the search is
 * deterministic, so a rerun asks for the same candidates in the same order and finds them all. */
#include "debug/reduce.h"
#include "file_io.h"
#include "onnx_io.h"
#include "runners/pipeline.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPLAY_FORMAT "crosscheck-reduce-replay-1"
#define MAX_OUTPUT (4u << 20) /* of an external check's output, kept for --fail-regex */

uint64_t rd_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull; /* FNV-1a */
    return h;
}

static xc_status push_record(rd_state *st, rd_record r)
{
    if (st->n_records == st->cap_records) {
        int cap = st->cap_records ? st->cap_records * 2 : 32;
        rd_record *v = realloc(st->records, sizeof *v * cap);
        if (!v) return xc_fail(XC_ERR_NOMEM, "out of memory");
        st->records = v;
        st->cap_records = cap;
    }
    st->records[st->n_records++] = r;
    return XC_OK;
}

xc_status rd_replay_load(rd_state *st)
{
    const char *path = st->cfg->replay;
    if (!path || access(path, F_OK) != 0) return XC_OK; /* a new replay file */
    xc_mapping *map;
    XC_TRY(xc_read_file(path, &map));
    cJSON *root = cJSON_ParseWithLength(map->addr, map->len);
    xc_mapping_release(map);
    cJSON *fmt = cJSON_GetObjectItem(root, "format"), *checks = cJSON_GetObjectItem(root, "checks"), *it;
    xc_status s = XC_OK;
    if (!root || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, REPLAY_FORMAT) || !cJSON_IsArray(checks))
        s = xc_fail(XC_ERR_USAGE, "%s: not a debug reduce replay file (format %s)", path, REPLAY_FORMAT);
    cJSON *list = s == XC_OK ? checks : NULL;
    cJSON_ArrayForEach(it, list)
    {
        cJSON *key = cJSON_GetObjectItem(it, "key"), *passed = cJSON_GetObjectItem(it, "passed"), *iter = cJSON_GetObjectItem(it, "iteration");
        unsigned long long k;
        if (!cJSON_IsString(key) || sscanf(key->valuestring, "%16llx", &k) != 1 || !cJSON_IsBool(passed) || !cJSON_IsNumber(iter)) {
            s = xc_fail(XC_ERR_USAGE, "%s: check %d is malformed (key, passed, iteration)", path, cJSON_GetArraySize(checks));
            break;
        }
        s = push_record(st, (rd_record){k, cJSON_IsTrue(passed), iter->valueint});
        if (s != XC_OK) break;
    }
    cJSON_Delete(root);
    return s;
}

static xc_status replay_save(const rd_state *st)
{
    if (!st->cfg->replay) return XC_OK;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", REPLAY_FORMAT);
    cJSON_AddStringToObject(root, "model", st->cfg->base.model_path);
    cJSON *checks = cJSON_AddArrayToObject(root, "checks");
    for (int i = 0; i < st->n_records; i++) {
        char key[32];
        snprintf(key, sizeof key, "%016llx", (unsigned long long)st->records[i].key);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "key", key);
        cJSON_AddBoolToObject(r, "passed", st->records[i].passed);
        cJSON_AddNumberToObject(r, "iteration", st->records[i].iteration);
        cJSON_AddItemToArray(checks, r);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return xc_fail(XC_ERR_NOMEM, "out of memory");
    /* read at the start and updated after every check, like a timing cache */
    xc_status s = xc_write_file_flags(st->cfg->replay, text, strlen(text), XC_OUT_REPLACE_INPUT);
    free(text);
    return s;
}

int rd_check_wants_inputs(const rd_state *st)
{
    for (int i = 0; i < st->cfg->n_check; i++)
        if (strstr(st->cfg->check[i], "{inputs}")) return 1;
    return 0;
}

void rd_argv_free(char **argv)
{
    for (int i = 0; argv && argv[i]; i++) free(argv[i]);
    free(argv);
}

/* arg with every `token` replaced by `with` (newly allocated). */
static char *substitute(const char *arg, const char *token, const char *with)
{
    size_t n = 1, tl = strlen(token), wl = strlen(with);
    for (const char *p = strstr(arg, token); p; p = strstr(p + tl, token)) n += wl;
    char *out = malloc(strlen(arg) + n), *o = out;
    if (!out) return NULL;
    for (const char *p = arg;;) {
        const char *q = strstr(p, token);
        size_t keep = q ? (size_t)(q - p) : strlen(p);
        memcpy(o, p, keep);
        o += keep;
        if (!q) break;
        memcpy(o, with, wl);
        o += wl;
        p = q + tl;
    }
    *o = 0;
    return out;
}

xc_status rd_check_argv(const rd_state *st, const char *model, const char *inputs, char ***argv)
{
    int n = st->cfg->n_check, has_model = 0;
    char **v = calloc(n + 2, sizeof *v);
    if (!v) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        char *a = substitute(st->cfg->check[i], "{model}", model);
        has_model |= strcmp(a ? a : "", st->cfg->check[i]) != 0;
        v[i] = a && inputs ? substitute(a, "{inputs}", inputs) : a;
        if (v[i] != a) free(a);
        if (!v[i]) return rd_argv_free(v), xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    if (!has_model && !(v[n] = strdup(model))) return rd_argv_free(v), xc_fail(XC_ERR_NOMEM, "out of memory");
    *argv = v;
    return XC_OK;
}

/* Runs argv with stdin from /dev/null, collecting stdout and stderr together. *status: the exit
 * status (128 + N when killed by signal N). A command that cannot be started is an error. */
static xc_status run_command(char **argv, char **out, int *status)
{
    int fd[2];
    if (pipe(fd) != 0) return xc_fail(XC_ERR_IO, "check command: pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return xc_fail(XC_ERR_IO, "check command: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, 0);
        dup2(fd[1], 1);
        dup2(fd[1], 2);
        close(fd[0]);
        execvp(argv[0], argv);
        dprintf(2, "\001cannot run: %s\n", strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap + 1), chunk[65536];
    ssize_t got;
    while (buf && (got = read(fd[0], chunk, sizeof chunk)) != 0) {
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) break;
        size_t take = len + (size_t)got > MAX_OUTPUT ? MAX_OUTPUT - len : (size_t)got;
        if (len + take > cap) {
            char *b = realloc(buf, (cap = (len + take) * 2) + 1);
            if (!b) break;
            buf = b;
        }
        memcpy(buf + len, chunk, take);
        len += take;
    }
    close(fd[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    if (!buf) return xc_fail(XC_ERR_NOMEM, "out of memory");
    buf[len] = 0;
    if (*status == 127 && buf[0] == '\001') {
        buf[strcspn(buf, "\n")] = 0;
        xc_status s = xc_fail(XC_ERR_USAGE, "--check: cannot run '%s': %s", argv[0], buf + 13);
        free(buf);
        return s;
    }
    *out = buf;
    return XC_OK;
}

/* Removes what a check left in the session folder (folders of test_data_set files included). */
static void remove_tree(const char *dir)
{
    char path[8192];
    for (int k = 0;; k++) {
        snprintf(path, sizeof path, "%s/test_data_set_%d", dir, k);
        int any = 0;
        for (int i = 0;; i++) {
            char f[8300];
            snprintf(f, sizeof f, "%s/input_%d.pb", path, i);
            int a = unlink(f) == 0;
            snprintf(f, sizeof f, "%s/output_%d.pb", path, i);
            int b = unlink(f) == 0;
            if (!a && !b) break;
            any = 1;
        }
        if (rmdir(path) != 0 && !any) break;
    }
    rmdir(dir);
}

static xc_status external(rd_state *st, const rd_data *d, int *passed, char *why, size_t len)
{
    char model[4200], inputs[4200];
    int n = st->s.report->n_checks + 1;
    snprintf(model, sizeof model, "%s/check_%02d_model.onnx", st->s.dir, n);
    snprintf(inputs, sizeof inputs, "%s/check_%02d_inputs", st->s.dir, n);
    int want_inputs = rd_check_wants_inputs(st);
    XC_TRY(xc_model_save(d->model, model));
    xc_status s = want_inputs ? rd_data_save(d, inputs) : XC_OK;
    char **argv = NULL, *out = NULL, set[4300];
    int status = 0;
    snprintf(set, sizeof set, "%s/test_data_set_0", inputs);
    if (s == XC_OK) s = rd_check_argv(st, model, want_inputs ? set : NULL, &argv);
    if (s == XC_OK) s = run_command(argv, &out, &status);
    rd_argv_free(argv);
    if (want_inputs) remove_tree(inputs);
    unlink(model); /* --artifacts-dir keeps its own copy, named for the verdict */
    if (s == XC_OK && st->cfg->fail_regex) {
        regex_t re;
        if (regcomp(&re, st->cfg->fail_regex, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
            s = xc_fail(XC_ERR_USAGE, "--fail-regex '%s' is not a valid regular expression", st->cfg->fail_regex);
        else {
            *passed = regexec(&re, out, 0, NULL, 0) != 0;
            regfree(&re);
            snprintf(why, len, "exit status %d, output %s --fail-regex", status, *passed ? "does not match" : "matches");
        }
    } else if (s == XC_OK) {
        *passed = status == 0;
        snprintf(why, len, "exit status %d", status);
    }
    free(out);
    st->last_iteration = 0;
    return s;
}

/* With a golden other than the reference (--exec-runner ...), the candidate's expected outputs
 * are the golden's on the candidate model itself (saved for it to read), fed the same values. */
static xc_status golden_outputs(rd_state *st, const rd_data *d)
{
    char model[4200];
    snprintf(model, sizeof model, "%s/check_%02d_golden.onnx", st->s.dir, st->s.report->n_checks + 1);
    XC_TRY(xc_model_save(d->model, model));
    xc_runner *golden = NULL;
    xc_status s = xc_debug_open_golden(&st->s, d->model, model, &golden);
    for (int k = 0; k < d->n_iter && s == XC_OK; k++) {
        xc_tensor **out = NULL;
        s = xc_pipeline_outputs(golden, d->model->graph, k, d->fed[k], &out);
        if (s != XC_OK) break;
        xc_pipeline_outputs_free(d->model->graph, d->ref[k]);
        d->ref[k] = out;
    }
    xc_runner_free(golden);
    unlink(model);
    return s == XC_OK ? XC_OK : xc_error_prefix(s, "golden run: ");
}

static xc_status builtin(rd_state *st, const rd_data *d, const char *what, int *passed)
{
    if (st->cfg->base.n_against) XC_TRY(golden_outputs(st, d));
    xc_debug_session sub = st->s; /* the same counter, tolerance and progress; the candidate's data */
    sub.model = d->model;
    sub.n_iter = d->n_iter;
    sub.inputs = NULL;
    sub.fed = d->fed;
    sub.ref = d->ref;
    xc_ocl_build_options o;
    rd_build_options(st, d->model, &o);
    XC_TRY(xc_debug_check(&sub, &o, what, passed, NULL));
    st->last_iteration = sub.failed_iteration < 0 ? 0 : sub.failed_iteration;
    return XC_OK;
}

/* Keeps the candidate as good_NN_tag.onnx or bad_NN_tag.onnx in --artifacts-dir. */
static xc_status keep_artifact(rd_state *st, const rd_cand *c, const rd_data *d, int passed)
{
    if (!st->cfg->base.artifacts_dir) return XC_OK;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s_%02d_%s.onnx", st->s.dir, passed ? "good" : "bad", st->s.report->n_checks, c->tag);
    return xc_model_save(d->model, path);
}

int rd_replayed(rd_state *st, uint64_t key, const char *what, int *passed)
{
    for (int i = 0; i < st->n_records; i++) {
        if (st->records[i].key != key) continue;
        *passed = st->records[i].passed;
        st->last_iteration = st->records[i].iteration;
        st->rep->n_replayed += st->cfg->replay != NULL; /* debugfix D5: without --replay, a repeat of this run's own check */
        xc_debug_say(&st->s, "check %d: %s: %s (%s%s)", ++st->s.report->n_checks, what, *passed ? "PASSED" : "FAILED",
                     st->cfg->replay ? "replayed from " : "the verdict of an identical earlier candidate", st->cfg->replay ? st->cfg->replay : "");
        return 1;
    }
    return 0;
}

xc_status rd_record_verdict(rd_state *st, uint64_t key, int passed)
{
    XC_TRY(push_record(st, (rd_record){key, passed, st->last_iteration}));
    return replay_save(st);
}

xc_status rd_check(rd_state *st, const rd_cand *c, int *passed)
{
    uint64_t key = rd_cand_key(st, c);
    if (rd_replayed(st, key, c->what, passed)) return XC_OK;
    rd_data d;
    XC_TRY(rd_data_make(st, c, &d));
    xc_status s;
    if (st->cfg->check) {
        char why[512] = "";
        s = external(st, &d, passed, why, sizeof why);
        if (s == XC_OK) xc_debug_say(&st->s, "check %d: %s: %s (%s)", ++st->s.report->n_checks, c->what, *passed ? "PASSED" : "FAILED", why);
    } else {
        s = builtin(st, &d, c->what, passed);
    }
    if (s == XC_OK) s = keep_artifact(st, c, &d, *passed);
    rd_data_free(&d);
    return s == XC_OK ? rd_record_verdict(st, key, *passed) : s;
}

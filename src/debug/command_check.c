/* command_check.c — an external check judging a candidate, as Polygraphy's debug tools run
 * theirs: a command (--check CMD, --fail-code, --ignore-fail-code, --fail-regex, --show-output)
 * or the user (--interactive: asked good or bad on the terminal, Polygraphy's interactive mode).
 * Every debug tool (tactics, fusions, precision, reduce) runs it through here. Placeholders such
 * as {model}, {plan} or {tactics} in an argument are replaced by the candidate's files; when none
 * appears, the default file is appended as the last argument; the user is shown every file. The
 * command's stdin is /dev/null; its stdout and stderr are read together (at most 4 MiB kept for
 * the regexes). */
#include "debug.h"
#include "debug/session.h"
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_OUTPUT (4u << 20)

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

int xc_check_command_uses(const xc_check_command *c, const char *token)
{
    for (int i = 0; i < c->argc; i++)
        if (strstr(c->argv[i], token)) return 1;
    return 0;
}

void xc_check_argv_free(char **argv)
{
    for (int i = 0; argv && argv[i]; i++) free(argv[i]);
    free(argv);
}

xc_status xc_check_command_argv(const xc_check_command *c, const xc_check_subst *subst, int n_subst, int naming, char ***argv)
{
    int n = c->argc, any = 0;
    char **v = calloc((size_t)n + 2, sizeof *v);
    if (!v) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        char *a = strdup(c->argv[i]);
        for (int k = 0; k < n_subst && a; k++) {
            if (!subst[k].value || !strstr(a, subst[k].token)) continue;
            char *b = substitute(a, subst[k].token, subst[k].value);
            free(a);
            a = b;
            any |= k < naming;
        }
        if (!(v[i] = a)) return xc_check_argv_free(v), xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    if (!any && n_subst && !(v[n] = strdup(subst[0].value))) return xc_check_argv_free(v), xc_fail(XC_ERR_NOMEM, "out of memory");
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

static int has_code(const int *codes, int n, int status)
{
    for (int k = 0; k < n; k++)
        if (codes[k] == status) return 1;
    return 0;
}

xc_status xc_check_command_validate(const xc_check_command *c)
{
    if (c->interactive && c->argv) return xc_fail(XC_ERR_USAGE, "--interactive and --check both judge candidates: give one");
    if (c->interactive && !c->ask) return xc_fail(XC_ERR_USAGE, "--interactive: nothing to ask the user with");
    if (!c->argv) {
        if (c->n_fail_regex || c->n_fail_codes || c->n_ignore_codes || c->show_output)
            return xc_fail(XC_ERR_USAGE, "--fail-regex, --fail-code, --ignore-fail-code and --show-output need --check");
        return XC_OK;
    }
    if (c->argc < 1) return xc_fail(XC_ERR_USAGE, "--check needs a command");
    for (int k = 0; k < c->n_fail_regex; k++) {
        regex_t re;
        if (regcomp(&re, c->fail_regex[k], REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
            return xc_fail(XC_ERR_USAGE, "--fail-regex '%s' is not a valid regular expression", c->fail_regex[k]);
        regfree(&re);
    }
    return XC_OK;
}

/* --interactive: shows what is tested and its files, asks until the answer is good or bad. */
static xc_status ask_user(const xc_check_command *c, const char *what, const xc_check_subst *subst, int n_subst, int *passed,
                          char *why, size_t len)
{
    size_t cap = strlen(what) + 64, o;
    for (int k = 0; k < n_subst; k++) cap += subst[k].value ? strlen(subst[k].token) + strlen(subst[k].value) + 8 : 0;
    char *question = malloc(cap), answer[256];
    if (!question) return xc_fail(XC_ERR_NOMEM, "out of memory");
    o = (size_t)snprintf(question, cap, "candidate: %s\n", what);
    for (int k = 0; k < n_subst; k++)
        if (subst[k].value) o += (size_t)snprintf(question + o, cap - o, "  %s %s\n", subst[k].token, subst[k].value);
    snprintf(question + o, cap - o, "good or bad? [g/b] ");
    xc_status s = XC_OK;
    for (const char *q = question;; q = "please answer good or bad (g/b): ") {
        if (!c->ask(c->ask_user, q, answer, sizeof answer)) {
            s = xc_fail(XC_ERR_USAGE, "--interactive: the input ended before an answer (good or bad) for '%s'", what);
            break;
        }
        size_t a = strspn(answer, " \t"), n = strlen(answer);
        while (n > a && (answer[n - 1] == ' ' || answer[n - 1] == '\t' || answer[n - 1] == '\r')) n--;
        answer[n] = 0;
        const char *w = answer + a;
        int good = !strcasecmp(w, "good") || !strcasecmp(w, "g"), bad = !strcasecmp(w, "bad") || !strcasecmp(w, "b");
        if (!good && !bad) continue;
        *passed = good;
        snprintf(why, len, "judged %s interactively", good ? "good" : "bad");
        break;
    }
    free(question);
    return s;
}

xc_status xc_check_command_run(const xc_check_command *c, const char *what, const xc_check_subst *subst, int n_subst, int naming,
                               int *passed, char *why, size_t len, char **output)
{
    if (output) *output = NULL;
    if (c->interactive) return ask_user(c, what, subst, n_subst, passed, why, len);
    char **argv = NULL, *out = NULL;
    int status = 0;
    xc_status s = xc_check_command_argv(c, subst, n_subst, naming, &argv);
    if (s == XC_OK) s = run_command(argv, &out, &status);
    xc_check_argv_free(argv);
    if (s != XC_OK) return s;
    /* the exit status: only --fail-code's codes fail when given; else any non-zero status
     * but --ignore-fail-code's */
    int codes = c->n_fail_codes || c->n_ignore_codes;
    int status_fails = c->n_fail_codes ? has_code(c->fail_codes, c->n_fail_codes, status)
                                       : status != 0 && !has_code(c->ignore_codes, c->n_ignore_codes, status);
    int matched = -1;
    for (int k = 0; k < c->n_fail_regex && matched < 0; k++) {
        regex_t re;
        if (regcomp(&re, c->fail_regex[k], REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0) continue; /* validated before */
        if (regexec(&re, out, 0, NULL, 0) == 0) matched = k;
        regfree(&re);
    }
    /* --fail-regex alone decides; with a code option it refines a failing status (Polygraphy) */
    int fails = !c->n_fail_regex ? status_fails : codes ? status_fails && matched >= 0 : matched >= 0;
    *passed = !fails;
    if (!c->n_fail_regex)
        snprintf(why, len, "exit status %d%s", status, codes ? (fails ? ", a failing code" : ", not a failing code") : "");
    else if (matched >= 0)
        snprintf(why, len, "exit status %d, output matches --fail-regex '%s'", status, c->fail_regex[matched]);
    else
        snprintf(why, len, "exit status %d, output matches no --fail-regex", status);
    if (output)
        *output = out;
    else
        free(out);
    return XC_OK;
}

void xc_debug_show_output(const xc_debug_session *s, const char *out)
{
    for (const char *p = out; p && *p;) {
        size_t n = strcspn(p, "\n");
        xc_debug_say(s, "  | %.*s", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

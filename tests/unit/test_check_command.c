/* test_check_command.c — the external check's verdict rules (src/debug/command_check.c), as
 * Polygraphy's --check takes them: exit status, --fail-code, --ignore-fail-code, several
 * --fail-regex, and which placeholder makes the candidate's file be appended. */
#include "debug/session.h"
#include "test.h"
#include <stdlib.h>
#include <string.h>

/* Runs `sh -c 'echo OUT; exit CODE'` under c; returns the verdict (1 passed). */
static int verdict(xc_check_command *c, const char *out, int code)
{
    char script[256];
    snprintf(script, sizeof script, "echo %s; exit %d", out, code);
    const char *argv[] = {"sh", "-c", script};
    c->argv = argv;
    c->argc = 3;
    int passed = -1;
    char why[256];
    CHECK_OK(xc_check_command_run(c, "test", NULL, 0, 0, &passed, why, sizeof why, NULL));
    c->argv = NULL;
    return passed;
}

TEST(check_command_verdicts)
{
    static const int three[] = {3}, one[] = {1}, two[] = {2};
    static const char *const regexes[] = {"^BAD", "WORSE"};
    xc_check_command c = {0};
    CHECK(verdict(&c, "ok", 0) == 1 && verdict(&c, "ok", 1) == 0);
    c.fail_codes = three, c.n_fail_codes = 1; /* only 3 fails */
    CHECK(verdict(&c, "x", 1) == 1 && verdict(&c, "x", 3) == 0);
    c.n_fail_codes = 0;
    c.ignore_codes = one, c.n_ignore_codes = 1; /* 1 never fails */
    CHECK(verdict(&c, "x", 1) == 1 && verdict(&c, "x", 2) == 0);
    c.n_ignore_codes = 0;
    c.fail_regex = regexes, c.n_fail_regex = 2;
    CHECK(verdict(&c, "fine", 1) == 1);     /* a regex alone: the output decides */
    CHECK(verdict(&c, "WORSE", 0) == 0);    /* the second regex matches */
    c.fail_codes = two, c.n_fail_codes = 1; /* with a code: a failing status and a match */
    CHECK(verdict(&c, "BAD", 0) == 1 && verdict(&c, "BAD", 2) == 0 && verdict(&c, "good", 2) == 1);
}

TEST(check_command_placeholders)
{
    const char *argv[] = {"run", "--load-tactics", "{tactics}"}, *plain[] = {"run", "{model}"};
    xc_check_command c = {.argv = argv, .argc = 3};
    xc_check_subst subst[3] = {{"{plan}", "p.plan"}, {"{tactics}", "t.json"}, {"{model}", "m.onnx"}};
    char **v = NULL;
    CHECK_OK(xc_check_command_argv(&c, subst, 3, 2, &v)); /* {tactics} names the candidate: nothing appended */
    CHECK(v && !strcmp(v[2], "t.json") && !v[3]);
    xc_check_argv_free(v);
    c.argv = plain;
    c.argc = 2;
    CHECK_OK(xc_check_command_argv(&c, subst, 3, 2, &v)); /* {model} alone: the plan appended */
    CHECK(v && !strcmp(v[1], "m.onnx") && v[2] && !strcmp(v[2], "p.plan") && !v[3]);
    xc_check_argv_free(v);
    xc_check_command bad = {.argv = argv, .argc = 3, .fail_regex = (const char *const[]){"("}, .n_fail_regex = 1};
    CHECK(xc_check_command_validate(&bad) != XC_OK);
}

/* --interactive: answers scripted one per call; the question each call saw is kept. */
typedef struct script {
    const char *const *answers;
    int n, at;
    char first[512], last[512];
} script;

static int scripted(void *user, const char *question, char *buf, size_t len)
{
    script *s = user;
    snprintf(s->at ? s->last : s->first, sizeof s->first, "%s", question);
    if (s->at == s->n) return 0; /* the end of the input */
    snprintf(buf, len, "%s", s->answers[s->at++]);
    return 1;
}

static xc_status ask(const char *const *answers, int n, int *passed, script *s)
{
    xc_check_command c = {.interactive = 1, .ask = scripted, .ask_user = s};
    xc_check_subst subst[2] = {{"{model}", "cand.onnx"}, {"{inputs}", NULL}};
    char why[128];
    *s = (script){answers, n, 0, "", ""};
    return xc_check_command_run(&c, "outputs phase: nodes 1-3", subst, 2, 1, passed, why, sizeof why, NULL);
}

TEST(check_command_interactive)
{
    const char *good[] = {"maybe", "", " G \r"}, *bad[] = {"BAD"}, *none[] = {"what?"};
    script s;
    int passed = -1;
    CHECK_OK(ask(good, 3, &passed, &s)); /* re-asked twice, then good */
    CHECK(passed == 1 && s.at == 3);
    CHECK(strstr(s.first, "outputs phase: nodes 1-3") && strstr(s.first, "{model} cand.onnx") && !strstr(s.first, "{inputs}"));
    CHECK(strstr(s.last, "good or bad"));
    CHECK_OK(ask(bad, 1, &passed, &s));
    CHECK(passed == 0);
    CHECK(ask(none, 1, &passed, &s) != XC_OK); /* the input ends without an answer */
    CHECK(strstr(xc_error_message(), "--interactive") != NULL);
    const char *argv[] = {"true"};
    xc_check_command both = {.argv = argv, .argc = 1, .interactive = 1, .ask = scripted};
    CHECK(xc_check_command_validate(&both) != XC_OK);
}

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
    CHECK_OK(xc_check_command_run(c, NULL, 0, 0, &passed, why, sizeof why, NULL));
    c->argv = NULL;
    return passed;
}

TEST(check_command_verdicts)
{
    xc_check_command c = {0};
    CHECK(verdict(&c, "ok", 0) == 1 && verdict(&c, "ok", 1) == 0);
    c.fail_codes[c.n_fail_codes++] = 3; /* only 3 fails */
    CHECK(verdict(&c, "x", 1) == 1 && verdict(&c, "x", 3) == 0);
    c.n_fail_codes = 0;
    c.ignore_codes[c.n_ignore_codes++] = 1; /* 1 never fails */
    CHECK(verdict(&c, "x", 1) == 1 && verdict(&c, "x", 2) == 0);
    c.n_ignore_codes = 0;
    c.fail_regex[c.n_fail_regex++] = "^BAD";
    c.fail_regex[c.n_fail_regex++] = "WORSE";
    CHECK(verdict(&c, "fine", 1) == 1);  /* a regex alone: the output decides */
    CHECK(verdict(&c, "WORSE", 0) == 0); /* the second regex matches */
    c.fail_codes[c.n_fail_codes++] = 2;  /* with a code: a failing status and a match */
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
    xc_check_command bad = {.argv = argv, .argc = 3, .fail_regex = {"("}, .n_fail_regex = 1};
    CHECK(xc_check_command_validate(&bad) != XC_OK);
}

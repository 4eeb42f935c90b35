/* main.c — runs the registered unit tests. Usage: unit_tests [--fixtures DIR] [NAME-SUBSTRING...] */
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TESTS 512
static struct {
    const char *name;
    test_fn fn;
} tests[MAX_TESTS];
static int n_tests;
int test_failures;
const char *test_fixtures;

void test_register(const char *name, test_fn fn)
{
    if (n_tests == MAX_TESTS) { /* never drop a test quietly */
        fprintf(stderr, "unit_tests: more than %d tests registered (raise MAX_TESTS in %s)\n", MAX_TESTS, __FILE__);
        exit(2);
    }
    tests[n_tests].name = name;
    tests[n_tests].fn = fn;
    n_tests++;
}

int main(int argc, char **argv)
{
    const char *filters[64];
    int n_filters = 0, passed = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--fixtures") && i + 1 < argc)
            test_fixtures = argv[++i];
        else if (n_filters < 64)
            filters[n_filters++] = argv[i];
    }
    for (int t = 0; t < n_tests; t++) {
        int match = !n_filters;
        for (int f = 0; f < n_filters; f++) match |= strstr(tests[t].name, filters[f]) != NULL;
        if (!match) continue;
        test_failures = 0;
        tests[t].fn();
        printf("%s %s\n", test_failures ? "FAIL" : "ok  ", tests[t].name);
        if (test_failures)
            failed++;
        else
            passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* test.h — a tiny test harness: TEST(name) registers a function; CHECK records failures with
 * file:line and goes on; main() runs every test (or those matching argv filters) and prints
 * "N passed, N failed". */
#ifndef XC_TEST_H
#define XC_TEST_H
#include <math.h>
#include <stdio.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
extern int test_failures;         /* failures in the running test */
extern const char *test_fixtures; /* --fixtures DIR: files made by tests/make_fixtures.py */

#define TEST(name)                                                                                                               \
    static void name(void);                                                                                                      \
    __attribute__((constructor)) static void reg_##name(void) { test_register(#name, name); }                                    \
    static void name(void)

#define CHECK(cond)                                                                                                              \
    do {                                                                                                                         \
        if (!(cond)) {                                                                                                           \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                           \
            test_failures++;                                                                                                     \
        }                                                                                                                        \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                                    \
    do {                                                                                                                         \
        double a_ = (a), b_ = (b);                                                                                               \
        if (!(fabs(a_ - b_) <= (tol))) {                                                                                         \
            fprintf(stderr, "  %s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #a, a_, b_);                            \
            test_failures++;                                                                                                     \
        }                                                                                                                        \
    } while (0)

#define CHECK_OK(expr)                                                                                                           \
    do {                                                                                                                         \
        xc_status s_ = (expr);                                                                                                   \
        if (s_ != XC_OK) {                                                                                                       \
            fprintf(stderr, "  %s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr, xc_error_message());                          \
            test_failures++;                                                                                                     \
        }                                                                                                                        \
    } while (0)
#endif

/* fuzz_common.h — what every fuzz target shares. A target is one file fuzz/fuzz_<name>.c that
 * includes this header and defines LLVMFuzzerTestOneInput; the Makefile builds it twice: with
 * clang and libFuzzer (`make fuzz`, build-fuzz/) and with the normal compiler and
 * fuzz/replay_main.c (build/replay/<target>), which `make test` runs over
 * tests/fuzz_regressions/<target>/. Adding a target is: a new file, nothing else.
 *
 * The contract checked on every input: the library returns a status (never crashes, hangs or
 * leaks — the sanitizers see to that), and a failure leaves a one-line, non-empty message. */
#ifndef XC_FUZZ_COMMON_H
#define XC_FUZZ_COMMON_H
#include "error.h"
#include "tensor.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A hostile file may legitimately declare a big tensor; what must hold is that the declared
 * size is checked against the limit before anything is allocated. A small limit keeps every
 * accepted input far inside libFuzzer's -rss_limit_mb. */
#define FUZZ_MAX_TENSOR_BYTES ((size_t)16 << 20)

/* Loops with huge trip counts must end on the reference's body-run limit; a low one keeps
 * each such input far inside libFuzzer's -timeout (the limit itself is what is tested). */
#define FUZZ_MAX_LOOP_ITERATIONS "2000"

static inline void fuzz_setup(void)
{
    xc_set_max_tensor_bytes(FUZZ_MAX_TENSOR_BYTES);
    setenv("CROSSCHECK_MAX_LOOP_ITERATIONS", FUZZ_MAX_LOOP_ITERATIONS, 0);
}

/* Aborts (a crash libFuzzer records) when a failure is not reported the way the library
 * promises: a known status code and one non-empty line. */
static inline void fuzz_check_status(xc_status s)
{
    if (s == XC_OK) {
        xc_error_clear();
        return;
    }
    const char *msg = xc_error_message();
    if ((int)s < 0 || s > XC_ERR_INTERNAL || !msg || !msg[0] || strchr(msg, '\n')) {
        fprintf(stderr, "fuzz: status %d with a bad message: '%s'\n", (int)s, msg ? msg : "(null)");
        abort();
    }
    if (s == XC_ERR_INTERNAL) {
        fprintf(stderr, "fuzz: internal error: %s\n", msg);
        abort();
    }
    xc_error_clear();
}

/* The input as a NUL-terminated string (JSON loaders take text). Caller frees. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (!t) abort();
    if (size) memcpy(t, data, size);
    t[size] = 0;
    return t;
}
#endif

/* conformance.h — runs ONNX backend-test cases (ROOT/<case>/model.onnx + test_data_set_N/) on
 * the reference and judges each: PASS, FAIL (with the reason) or UNSUPPORTED (op or dtype
 * crosscheck lacks). An expected-failures file lists cases known to fail, one per line
 * ("name  reason"); such a case failing counts as expected, and passing is reported as an error
 * so the list never goes stale. */
#ifndef XC_CONFORMANCE_H
#define XC_CONFORMANCE_H
#include "compare.h"
#include "runners/runner.h"

typedef enum { XC_CASE_PASS, XC_CASE_FAIL, XC_CASE_UNSUPPORTED, XC_CASE_XFAIL, XC_CASE_XPASS } xc_case_verdict;

typedef struct xc_case_result {
    const char *name; /* case folder name */
    const char *root;
    xc_case_verdict verdict;
    char reason[1024]; /* why it failed or is unsupported; expected-failure reason for XFAIL */
    double seconds;
} xc_case_result;

typedef struct xc_conformance_opts {
    const char *filter; /* extended regex on the case name, or NULL */
    xc_tolerance tol;
    const char *expected_failures; /* file, or NULL */
    int ocl;                       /* run on the OpenCL engine (first device) instead of the reference */
    const xc_runner_spec *runner;  /* or on this runner (e.g. an external command); NULL: as ocl says */
    double exec_timeout;           /* external commands: seconds per data set */
    void (*on_case)(const xc_case_result *r, void *user);
    void *user;
} xc_conformance_opts;

typedef struct xc_conformance_summary {
    int passed, failed, skipped, xfailed, xpassed;
} xc_conformance_summary;

/* Default options: allclose rule with rtol 1e-3, atol 1e-5 (ONNX Runtime's backend-test values),
 * and elements within 2 ulps of the expected value's dtype pass (matters for float16/bfloat16,
 * whose single rounding step exceeds rtol 1e-3). */
xc_conformance_opts xc_conformance_defaults(void);
xc_status xc_conformance_run(const char *const *roots, int n_roots, const xc_conformance_opts *o, xc_conformance_summary *sum);
#endif

/* test_ocl_errors.c — how OpenCL failures reach the user: error codes mapped to one-line
 * messages with a hint (out of memory, a lost device), a kernel that does not compile (the
 * compiler log and the tactic named), a buffer over the device's limit, a device selection that
 * matches nothing (listing what exists), and an engine build that cannot fit. Each error path
 * also runs under the sanitizer build, so none of them may leak. Device tests skip with a note
 * when there is no OpenCL device. */
#include "ocl/build.h"
#include "ocl/program.h"
#include "onnx_io.h"
#include "test.h"
#include <stdlib.h>
#include <string.h>

static int one_line(const char *s) { return s && s[0] && !strchr(s, '\n'); }

static xc_ocl_device *open_device(void)
{
    xc_ocl_device *d = NULL;
    if (xc_ocl_device_open(NULL, &d) != XC_OK) {
        fprintf(stderr, "  (no OpenCL device: %s)\n", xc_error_message());
        return NULL;
    }
    return d;
}

TEST(ocl_error_codes_map_to_messages_with_hints)
{
    static const cl_int oom[] = {CL_MEM_OBJECT_ALLOCATION_FAILURE, CL_OUT_OF_RESOURCES, CL_OUT_OF_HOST_MEMORY,
                                 CL_INVALID_BUFFER_SIZE};
    for (size_t i = 0; i < sizeof oom / sizeof *oom; i++) {
        CHECK(xc_cl_fail(oom[i], "allocating activation memory") == XC_ERR_NOMEM);
        const char *m = xc_error_message();
        CHECK(strstr(m, "allocating activation memory") && strstr(m, xc_cl_error_name(oom[i])));
        CHECK(strstr(m, "--fp16") && strstr(m, "--queues") && strstr(m, "batch"));
        CHECK(one_line(m));
    }
    CHECK(xc_cl_fail(CL_DEVICE_NOT_AVAILABLE, "clFinish") == XC_ERR_RUNTIME);
    CHECK(strstr(xc_error_message(), "device was lost") && strstr(xc_error_message(), "CL_DEVICE_NOT_AVAILABLE"));
    CHECK(xc_cl_fail(CL_INVALID_KERNEL_ARGS, "launching") == XC_ERR_RUNTIME);
    CHECK(!strcmp(xc_error_message(), "launching: CL_INVALID_KERNEL_ARGS (-52)"));
    CHECK(xc_cl_fail(-12345, "x") == XC_ERR_RUNTIME && strstr(xc_error_message(), "CL_UNKNOWN_ERROR (-12345)"));
    CHECK(xc_cl_too_big(4096, 1024, "uploading weights") == XC_ERR_NOMEM);
    CHECK(strstr(xc_error_message(), "4096") && strstr(xc_error_message(), "1024") && strstr(xc_error_message(), "--fp16"));
    xc_error_clear();
}

TEST(ocl_kernel_build_failure_names_tactic_and_shows_log)
{
    xc_ocl_device *d = open_device();
    if (!d) return;
    /* the same door every tactic's program goes through; the source cannot compile */
    const char *src = "__kernel void broken_tactic_kernel(__global float *x) { x[0] = undeclared_identifier_xyz; }\n";
    cl_program p = NULL;
    xc_status s = xc_ocl_program(d, NULL, src, "-DTEST_BROKEN=1", "conv2d.test_broken", &p);
    CHECK(s == XC_ERR_RUNTIME && p == NULL);
    const char *m = xc_error_message();
    CHECK(strstr(m, "kernel build failed for conv2d.test_broken") != NULL);
    CHECK(strstr(m, "CL_BUILD_PROGRAM_FAILURE") != NULL);
    CHECK(strstr(m, "undeclared_identifier_xyz") != NULL); /* the compiler's log is in the message */
    CHECK(one_line(m));
    if (!strstr(m, "undeclared_identifier_xyz")) fprintf(stderr, "  message: %s\n", m);
    xc_error_clear();
    xc_ocl_device_close(d);
}

TEST(ocl_buffer_over_device_limit_is_out_of_memory)
{
    xc_ocl_device *d = open_device();
    if (!d) return;
    size_t real = d->max_alloc;
    d->max_alloc = 1024; /* a device this small: the check happens before the driver is asked */
    cl_mem m = NULL;
    CHECK(xc_ocl_buffer(d, CL_MEM_READ_WRITE, 4096, NULL, "allocating a tensor buffer", &m) == XC_ERR_NOMEM && !m);
    CHECK(strstr(xc_error_message(), "allocating a tensor buffer") && strstr(xc_error_message(), "--fp16"));
    CHECK_OK(xc_ocl_buffer(d, CL_MEM_READ_WRITE, 1024, NULL, "allocating a tensor buffer", &m));
    if (m) clReleaseMemObject(m);
    d->max_alloc = real;
    xc_error_clear();
    xc_ocl_device_close(d);
}

TEST(ocl_device_selection_lists_devices)
{
    xc_ocl_device *d = open_device();
    if (!d) return;
    char name[256];
    snprintf(name, sizeof name, "%s", d->name);
    xc_ocl_device_close(d);
    d = NULL;
    CHECK(xc_ocl_device_open("99", &d) == XC_ERR_USAGE && !d);
    CHECK(strstr(xc_error_message(), "'99'") && strstr(xc_error_message(), "[0] ") && strstr(xc_error_message(), name));
    CHECK(xc_ocl_device_open("no-such-device-anywhere", &d) == XC_ERR_USAGE && !d);
    CHECK(strstr(xc_error_message(), "no-such-device-anywhere") && strstr(xc_error_message(), "[0] "));
    xc_error_clear();
}

TEST(ocl_engine_that_does_not_fit_fails_with_hint)
{
    xc_ocl_device *d = open_device();
    if (!d) return;
    xc_ocl_device_close(d);
    char path[4096];
    snprintf(path, sizeof path, "%s/pointwise.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    xc_model *m = NULL;
    CHECK_OK(xc_model_load(path, &m));
    if (!m) return;
    setenv("CROSSCHECK_OCL_MAX_ALLOC", "8", 1); /* read when the device opens */
    xc_ocl_build_options o = xc_ocl_build_defaults();
    xc_engine *e = NULL;
    xc_status s = xc_ocl_build(m, &o, &e);
    unsetenv("CROSSCHECK_OCL_MAX_ALLOC");
    CHECK(s == XC_ERR_NOMEM && e == NULL);
    CHECK(strstr(xc_error_message(), "larger than the device can allocate") && strstr(xc_error_message(), "--fp16"));
    CHECK(one_line(xc_error_message()));
    if (s != XC_ERR_NOMEM) fprintf(stderr, "  status %d: %s\n", (int)s, xc_error_message());
    xc_engine_free(e);
    xc_model_free(m);
    xc_error_clear();
}

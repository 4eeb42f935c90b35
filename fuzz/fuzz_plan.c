/* fuzz_plan.c — bytes as a plan file (crosscheck build -o): the JSON, the build options and
 * input shapes it records, and its layer list read as pinned tactics (a plan doubles as a
 * replay file). The device and model checks need an OpenCL device and are not fuzzed. */
#include "fuzz_common.h"
#include "ocl/ocl.h"
#include "ocl/tactics_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    xc_ocl_build_options given = {0};
    xc_ocl_plan_header h;
    xc_status s = xc_ocl_plan_parse("fuzz.plan", data, size, &given, &h);
    fuzz_check_status(s);
    if (s == XC_OK) xc_ocl_plan_header_free(&h);
    xc_tactics_file *f = NULL;
    s = xc_tactics_parse("fuzz.plan", data, size, 0, &f);
    fuzz_check_status(s);
    xc_tactics_free(f);
    return 0;
}

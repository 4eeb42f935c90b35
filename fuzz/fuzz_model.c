/* fuzz_model.c — bytes as an ONNX model: protobuf parsing, load-time validation, type and shape
 * inference, and the reference's check of what it can run. External data is refused (no base
 * folder), so the fuzzer cannot reach the file system. */
#include "fuzz_common.h"
#include "backend.h"
#include "onnx_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    xc_model *m = NULL;
    xc_status s = xc_model_load_buffer(data, size, NULL, &m);
    fuzz_check_status(s);
    if (s == XC_OK) {
        xc_backend *ref = NULL;
        fuzz_check_status(xc_ref_backend_create(m, &ref));
        xc_backend_destroy(ref);
        free(xc_ref_unsupported(m));
    }
    xc_model_free(m);
    return 0;
}

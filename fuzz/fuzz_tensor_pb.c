/* fuzz_tensor_pb.c — bytes as a TensorProto .pb file (what --load-inputs/--load-outputs read):
 * dtype, dims, typed and raw data, and their agreement. */
#include "fuzz_common.h"
#include "onnx_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    xc_tensor *t = NULL;
    xc_status s = xc_tensor_load_pb_buffer(data, size, &t);
    fuzz_check_status(s);
    if (s == XC_OK) {
        char desc[512];
        xc_tensor_desc(t, desc, sizeof desc);
        /* reading every byte makes ASan check the buffer really holds nbytes */
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < t->nbytes; i++) sum ^= ((const uint8_t *)t->data)[i];
        (void)sum;
    }
    xc_tensor_free(t);
    return 0;
}

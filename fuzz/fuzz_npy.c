/* fuzz_npy.c — bytes as a .npy file (--load-inputs/--load-outputs, and every array inside a
 * Polygraphy JSON): magic, version, header dictionary, dtype, shape and data length. */
#include "fuzz_common.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    xc_tensor *t = NULL;
    xc_status s = xc_npy_parse(data, size, &t);
    fuzz_check_status(s);
    if (s == XC_OK) { /* reading every byte makes ASan check the buffer really holds nbytes */
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < t->nbytes; i++) sum ^= ((const uint8_t *)t->data)[i];
        (void)sum;
    }
    xc_tensor_free(t);
    return 0;
}

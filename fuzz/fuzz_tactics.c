/* fuzz_tactics.c — bytes as a tactic replay file (--load-tactics): parsing, then every lookup a
 * rebuild would make, and a rewrite of the table in memory. */
#include "fuzz_common.h"
#include "ocl/tactics_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    xc_tactics_file *f = NULL;
    xc_status s = xc_tactics_parse("fuzz.tactics", data, size, 0, &f);
    fuzz_check_status(s);
    if (s == XC_OK) {
        /* lookups of names present, absent, empty and long */
        xc_tactics_lookup(f, "");
        xc_tactics_lookup(f, "Conv_0 + Relu_1");
        fuzz_check_status(xc_tactics_set(f, "Conv_0 + Relu_1", "conv2d.direct", 1.5));
        if (!xc_tactics_lookup(f, "Conv_0 + Relu_1")) abort(); /* a set key must be found */
    }
    xc_tactics_free(f);
    return 0;
}

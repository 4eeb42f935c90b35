/* fuzz_timing_cache.c — bytes as a timing cache (--timing-cache): parsing, lookups, and adding
 * an entry the way the tuner does after timing a layer. */
#include "fuzz_common.h"
#include "ocl/tactics_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    xc_tactics_file *f = NULL;
    xc_status s = xc_tactics_parse("fuzz.cache", data, size, 1, &f);
    fuzz_check_status(s);
    if (s == XC_OK) {
        xc_tactics_lookup(f, "conv2d|act=1,0,0|res=0|fp16=0|Conv{}|in[1,3,8,8]");
        fuzz_check_status(xc_tactics_set(f, "gemm|act=0,0,0|res=0|fp16=0|", "gemm.reg_blocked.8x4", 0.25));
        if (!xc_tactics_lookup(f, "gemm|act=0,0,0|res=0|fp16=0|")) abort();
    }
    xc_tactics_free(f);
    return 0;
}

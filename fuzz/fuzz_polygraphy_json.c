/* fuzz_polygraphy_json.c — bytes as a Polygraphy RunResults / feed-dict JSON file (what
 * --load-inputs/--load-outputs and `inspect results` import): JSON shapes, base64, and the
 * .npy headers inside. */
#include "fuzz_common.h"
#include "polygraphy_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    xc_results *r = NULL;
    xc_status s = xc_results_new("fuzz.json", "polygraphy-RunResults", &r);
    if (s == XC_OK) s = xc_polygraphy_json_parse(data, size, r);
    fuzz_check_status(s);
    xc_results_free(r);
    return 0;
}

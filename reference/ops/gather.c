/* gather.c — reference kernels of the gather operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_gather[] = {
    {0},
};

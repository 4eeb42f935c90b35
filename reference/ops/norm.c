/* norm.c — reference kernels of the norm operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_norm[] = {
    {0},
};

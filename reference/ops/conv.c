/* conv.c — reference kernels of the conv operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_conv[] = {
    {0},
};

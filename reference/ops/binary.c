/* binary.c — reference kernels of the binary operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_binary[] = {
    {0},
};

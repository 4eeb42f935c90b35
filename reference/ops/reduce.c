/* reduce.c — reference kernels of the reduce operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_reduce[] = {
    {0},
};

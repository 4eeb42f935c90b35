/* fold_batchnorm.c — the fold_batchnorm pass (being written). */
#include "ocl/engine.h"

static xc_status run(xc_engine *e)
{
    (void)e;
    return XC_OK;
}

const xc_pass xc_pass_fold_batchnorm = {"fold_batchnorm", 1, run};

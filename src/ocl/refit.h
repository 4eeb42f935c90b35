/* refit.h — replacing a built engine's weights with those of a model of the same structure,
 * without re-timing (refit.c: xc_ocl_plan_refit in ocl.h, xc_engine_refit in the public
 * engine.h); the structure check (refit_structure.c). */
#ifndef XC_OCL_REFIT_H
#define XC_OCL_REFIT_H
#include "ocl/ocl.h"

/* Whether now has was's structure (inputs, outputs, nodes with their wiring and attributes,
 * initializer names, dtypes and shapes): only weight values may differ. Fails in one line
 * naming the first difference. */
xc_status xc_refit_same_structure(const xc_model *was, const xc_model *now);

#endif

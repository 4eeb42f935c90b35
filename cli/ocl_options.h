/* ocl_options.h — the OpenCL build options shared by `build` and `run --ocl`. */
#ifndef XC_CLI_OCL_OPTIONS_H
#define XC_CLI_OCL_OPTIONS_H
#include "ocl/ocl.h"

/* Parses argv[*i] if it is a build option (advancing *i over its value). Returns 1 if taken,
 * 0 if not a build option, -1 on a usage error (printed). --input-shapes grow *shapes (*cap_shapes
 * slots, kept until exit; o->shapes points there). */
int cli_ocl_option(int argc, char **argv, int *i, const char *cmd, xc_ocl_build_options *o, xc_input_shape **shapes,
                   int *cap_shapes);
extern const char *cli_ocl_help;
/* How tuning shows progress on stderr: a bar on a terminal, a plain line per layer timed
 * otherwise, nothing under -q. */
int cli_ocl_progress(void);
#endif

/* run_print.h — the text form of a run's report (Polygraphy-like, with colour on a terminal). */
#ifndef XC_RUN_PRINT_H
#define XC_RUN_PRINT_H
#include "runner.h"

void run_print_report(const xc_run_report *r, const xc_run_config *c);
#endif

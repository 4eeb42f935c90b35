/* compare.h — what the comparison shares inside the library; the rules, the tolerance and the
 * result are public (crosscheck/compare.h). */
#ifndef XC_COMPARE_H
#define XC_COMPARE_H
#include "tensor.h"
#include "crosscheck/compare.h"

extern const double xc_report_percentiles[XC_N_PCT];

#endif

/* error_plot.h — an SVG scatter plot of |out - ref| against |ref| for comparisons, one panel
 * each, both axes logarithmic (decades), with the elementwise tolerance boundary drawn as a
 * line: max(atol, rtol*|ref|) under Polygraphy's rule (an element fails only above both),
 * atol + rtol*|ref| under --allclose. Points above it (failing elementwise) are red, the rest
 * blue. Zeros, which a log axis cannot show, sit on the lowest tick (the caption counts them);
 * non-finite pairs are left out and counted. Above 20,000 elements a panel draws every failing
 * element (up to that many) and an even sample of the rest, and says so. */
#ifndef XC_ERROR_PLOT_H
#define XC_ERROR_PLOT_H
#include "compare.h"

typedef struct xc_error_panel {
    const char *title;          /* plain text (escaped here) */
    const xc_tensor *out, *ref; /* same element count */
    const xc_tolerance *tol;
} xc_error_panel;

xc_status xc_error_plot_write(const char *path, const xc_error_panel *panels, int n);
#endif

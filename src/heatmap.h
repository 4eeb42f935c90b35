/* heatmap.h — |out - ref| of a comparison as a PNG heat map. The last two axes are rows and
 * columns (a 1-D tensor is one row, a scalar one cell); every leading coordinate is another 2-D
 * slice, laid out in row-major order in a grid, left to right then top to bottom. Colours run
 * from near-black (0) through purple and orange to pale yellow (the largest |error|), linear in
 * |error|; a pair that is NaN or Inf on a side and not a match under the comparison's rule is
 * cyan. Slices larger than 512 cells a side are max-pooled (the worst error stays visible).
 * A colour scale on the right is labelled 0, half and the maximum; tEXt chunks hold the title
 * and the layout ("crosscheck:layout": slices, grid columns, cell and pooling sizes, origin,
 * gap, where the scale starts), so a reader can map a pixel back to an element. */
#ifndef XC_HEATMAP_H
#define XC_HEATMAP_H
#include "compare.h"

/* Writes the heat map of out against ref (same shape) to path; title goes in a tEXt chunk. */
xc_status xc_heatmap_write(const char *path, const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol,
                           const char *title);
#endif

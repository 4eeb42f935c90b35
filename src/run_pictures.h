/* run_pictures.h — the pictures of a run's comparisons: a heat map per compared output
 * (heatmap.h) and one scatter plot of every comparison (error_plot.h), drawn from the tensors
 * each comparison saw (postprocessed or reshaped ones included). */
#ifndef XC_RUN_PICTURES_H
#define XC_RUN_PICTURES_H
#include "runner.h"

/* A file-name-safe form of name into buf: letters, digits, '.', '-' and '_' kept, anything else
 * '_'; a leading '.' becomes '_'; long names cut; when anything changed, '-' and 8 hex digits of
 * a hash of the original follow, so "a/b" and "a:b" stay apart. Returns buf. */
char *xc_safe_file_name(const char *name, char *buf, size_t len);
/* DIR/<output>.<runner>-vs-<against>.it<K>.png for every compared output (names made safe);
 * DIR is created if missing. *written: files written. */
xc_status xc_run_save_heatmaps(const xc_run_report *r, const char *dir, int *written);
/* One SVG with a panel per compared output and iteration. */
xc_status xc_run_save_error_plot(const xc_run_report *r, const char *path, int *panels);
#endif

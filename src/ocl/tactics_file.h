/* tactics_file.h — tactic choices on disk: replay files (--save-tactics/--load-tactics: layer
 * name -> tactic, so a rebuild is exactly the same engine) and the timing cache (--timing-cache:
 * layer signature + device + driver + crosscheck version -> fastest tactic and its time). */
#ifndef XC_OCL_TACTICS_FILE_H
#define XC_OCL_TACTICS_FILE_H
#include "ocl/engine.h"
#include "text.h"

typedef struct xc_tactics_file xc_tactics_file;

/* Loads a replay file, a plan (its layers) or, with e given, a timing cache whose keys are
 * prefixed by e's device and crosscheck version. A missing timing cache is an empty one. */
/* An empty replay file (fill with xc_tactics_set: layer name -> tactic; save with xc_tactics_save). */
xc_tactics_file *xc_tactics_new(void);
xc_status xc_tactics_load(const char *path, const xc_engine *e, xc_tactics_file **out);
/* The device-free half of loading: parses len bytes of buf as a replay file or plan (is_cache
 * 0) or a timing cache (1); path names it in errors. Without the device prefix that
 * xc_tactics_load adds, timing-cache lookups compare whole keys. */
xc_status xc_tactics_parse(const char *path, const void *buf, size_t len, int is_cache, xc_tactics_file **out);
const char *xc_tactics_lookup(const xc_tactics_file *f, const char *key);
/* The time a timing cache recorded for key's tactic (0 when none, or not a timing cache). */
double xc_tactics_lookup_ms(const xc_tactics_file *f, const char *key);
/* Entry i in file order: its key (layer name, or cache key) and tactic; 0 past the end. */
int xc_tactics_entry(const xc_tactics_file *f, int i, const char **key, const char **tactic);
xc_status xc_tactics_set(xc_tactics_file *f, const char *key, const char *tactic, double ms);
xc_status xc_tactics_save(const xc_tactics_file *f, const char *path);
void xc_tactics_free(xc_tactics_file *f);
/* Whether the file loaded was a plan (which pins every layer) rather than a replay file. */
int xc_tactics_is_plan(const xc_tactics_file *f);
/* Entries, in file order (keys are layer names in a replay file). */
int xc_tactics_count(const xc_tactics_file *f);
const char *xc_tactics_key(const xc_tactics_file *f, int i);
/* Writes e's choices as a replay file. */
xc_status xc_tactics_save_engine(const xc_engine *e, const char *path);
/* Appends what makes two layers interchangeable for timing to t, whole (a key cut short would
 * let layers that differ past the cut share a timing): kind, ops and attributes, shapes, dtypes,
 * epilogue, precision. */
void xc_layer_signature(const xc_engine *e, const xc_layer *l, xc_text *t);
#endif

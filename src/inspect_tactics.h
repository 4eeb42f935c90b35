/* inspect_tactics.h — tactic choices on disk as JSON views: `inspect tactics` (each layer's
 * tactic in a plan or replay file) and `inspect diff-tactics` (Polygraphy's semantics: per
 * layer, the tactics that bad builds used and no good build did are the suspects). */
#ifndef XC_INSPECT_TACTICS_H
#define XC_INSPECT_TACTICS_H
#include "error.h"
#include <cjson/cJSON.h>

/* {"file", "layers":[{"name","tactic"}]} from a plan or a --save-tactics replay file, in the
 * file's order. A missing, malformed or foreign file fails naming it (XC_ERR_IO / XC_ERR_MODEL). */
xc_status xc_inspect_tactics(const char *path, cJSON **out);

/* Compares the replays (or plans) of good builds with those of bad ones. A path that is a
 * folder stands for the .json files in it. Result (caller frees):
 *  {"good_files":[..], "bad_files":[..], "layers_compared":N,
 *   "layers":[{"name", "in_good_builds":bool,
 *              "suspects":[{"tactic","bad_builds":n}],     tactics no good build used
 *              "good_tactics":[{"tactic","good_builds":n}]}]}  only layers with suspects.
 * A layer no good build has at all makes every tactic it used in bad builds a suspect.
 * XC_ERR_USAGE when either side has no file. */
xc_status xc_diff_tactics(const char *const *good, int n_good, const char *const *bad, int n_bad, cJSON **out);
#endif

/* polygraphy_json.h — importing Polygraphy's JSON data files.
 *
 * Two shapes are read (Polygraphy's polygraphy/json/serde.py and comparator/struct.py):
 *  - RunResults, from `polygraphy run --save-outputs`:
 *      {"lst": [[runner, [iteration, ...]], ...], "polygraphy_class": "RunResults"}
 *    where an iteration is an IterationResult {"outputs": {name: array}, "runtime": ..,
 *    "runner_name": .., "polygraphy_class": "IterationResult"} or, in older files, the plain
 *    {name: array} dict. Entries get role output.
 *  - a list of feed dicts, from `--save-inputs`: [{name: array}, ...] (one per iteration),
 *    read as runner "inputs" with role input.
 * An array is {"array": "<base64 of a .npy image>", "polygraphy_class": "ndarray"}, possibly
 * wrapped as a LazyArray {"values": array}. Type markers of older versions
 * ("__polygraphy_encoded_<type>" keys) are accepted; the latin-1 and .npz array encodings of
 * older versions are refused with a clear error. */
#ifndef XC_POLYGRAPHY_JSON_H
#define XC_POLYGRAPHY_JSON_H
#include "results.h"

/* Parses buf[0..len) and appends its tensors to r (sets r->format). Errors name the runner,
 * iteration and tensor; the caller adds the file name. Decoded sizes are bounded by
 * xc_max_tensor_bytes(). */
xc_status xc_polygraphy_json_parse(const void *buf, size_t len, xc_results *r);
/* One file of a per-iteration folder (Polygraphy 0.53's `--save-outputs DIR` and
 * `--save-inputs DIR` without an extension: 0000000000.json, 0000000001.json, ...): a
 * RunResults or a single feed dict whose iterations are numbered from k. */
xc_status xc_polygraphy_json_parse_iteration(const void *buf, size_t len, int k, xc_results *r);
/* Polygraphy's JSON form of an array ({"array": base64 of the .npy image, "polygraphy_class":
 * "ndarray"}), as its save_json writes inside RunResults and input data files. */
struct cJSON;
xc_status xc_polygraphy_ndarray(const xc_tensor *t, struct cJSON **out);
#endif

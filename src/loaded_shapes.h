/* loaded_shapes.h — the input shapes an engine is built for when its inputs are loaded. */
#ifndef XC_LOADED_SHAPES_H
#define XC_LOADED_SHAPES_H
#include "graph.h"
#include "results.h"
#include "validate.h"

/* The shapes to build for: `given` (--input-shapes) first, then, for every runtime input of g
 * that `given` does not name, the shape of its loaded tensor (matched by name, else position,
 * as the run feeds them). The engine holds one static shape per input, so when the loaded
 * iterations 0..iterations-1 give one input different shapes this fails, naming the input,
 * both iterations and both shapes. *out is malloc'd (names borrowed from g and given). */
xc_status xc_loaded_input_shapes(const xc_graph *g, const xc_results *loaded, int iterations, const xc_input_shape *given,
                                 int n_given, xc_input_shape **out, int *n_out);
#endif

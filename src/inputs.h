/* inputs.h — seeded input generation and input-shape overrides. */
#ifndef XC_INPUTS_H
#define XC_INPUTS_H
#include "tensor_list.h"
#include "validate.h"

/* --val-range [name:][lo,hi]: the range of one input (name) or of all (name NULL). */
typedef struct xc_val_range {
    const char *name;
    double lo, hi;
} xc_val_range;

typedef struct xc_input_spec {
    uint64_t seed;                /* iteration i of a run uses seed + i */
    double lo, hi;                /* float range, default [0, 1] */
    int64_t int_hi;               /* integers are drawn from [0, int_hi], default 3 */
    const xc_input_shape *shapes; /* overrides of symbolic (or static) input dims */
    int n_shapes;
    const xc_val_range *ranges; /* per-input ranges (integers: [ceil(lo), floor(hi)]) */
    int n_ranges;
} xc_input_spec;

xc_input_spec xc_input_spec_default(void);

/* One tensor per runtime graph input, in graph order, named after the input. Symbolic dims
 * not overridden become 1. The values depend only on (seed, input name), not on input order. */
xc_status xc_generate_inputs(const xc_graph *g, const xc_input_spec *spec, xc_tensor_list *out);

/* Parses "[name:][lo,hi]" (name borrowed from text, which is modified). */
/* Warns (xc_warn) about each --val-range naming no input of g: it would be ignored. */
void xc_input_spec_warn_unused(const xc_graph *g, const xc_input_spec *spec);
xc_status xc_parse_val_range(char *text, xc_val_range *out);

/* Parses "name:[1,3,224,224]" (also "name:1x3x224x224"). The name is borrowed from text. */
xc_status xc_parse_input_shape(char *text, xc_input_shape *out);
#endif

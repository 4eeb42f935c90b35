/* per_layer.h — layer-by-layer comparison of a runner against the reference (or another
 * runner), and first-NaN detection, both driven by a runner's observer as it runs.
 *
 * Accumulated mode compares every tensor the engine materializes (matched by ONNX name, fusion
 * left on: nodes inside a fused group are seen at the group's boundary) with the reference's
 * value, which an on-demand reference session computes just then; both are released right
 * away, so the extra memory is the two backends' live sets. Isolated mode also feeds each
 * engine layer the reference's own inputs, so each row shows that layer's local error. */
#ifndef XC_PER_LAYER_H
#define XC_PER_LAYER_H
#include "backend.h"
#include "ocl/ocl.h"
#include "tolerance_spec.h"

typedef enum { XC_PER_LAYER_OFF, XC_PER_LAYER_ACCUMULATED, XC_PER_LAYER_ISOLATED } xc_per_layer_mode;

typedef struct xc_layer_tensor {
    char *name;
    xc_tolerance tol;
    xc_compare_result r;
} xc_layer_tensor;

typedef enum { XC_VERDICT_PASS, XC_VERDICT_NEAR, XC_VERDICT_FAIL } xc_verdict;

/* A comparison scores "near" when it passes but used more than this share of its tolerance. */
#define XC_NEAR_SCORE 0.5

typedef struct xc_layer_row {
    int layer; /* engine layer index */
    xc_engine_layer_info info;
    int n_tensors;
    xc_layer_tensor *tensors;
    double max_abs, max_rel, nmse, score; /* worst over the layer's tensors */
    xc_verdict verdict;
} xc_layer_row;

typedef struct xc_per_layer {
    xc_per_layer_mode mode;
    int n_rows, cap_rows;
    xc_layer_row *rows;   /* in execution (topological) order */
    int first_divergence; /* row index, -1 if none */
    int n_failed;
    int *nodes; /* node rows (no engine): the node indices their info.nodes point at */
} xc_per_layer;

/* The most rounding layers whose errors any row's tolerance allowed (xc_tolerance.rounded_layers;
 * 0: none), for a table's note on how its tolerances grew. */
int xc_per_layer_rounded_layers(const xc_per_layer *p);

/* First layer (in execution order) whose output holds a NaN or an infinity and depends on
 * the graph's inputs. A tensor computed from constants alone (BERT's -inf attention mask) is
 * not the answer: the first such is kept apart, marked constant, so it is still shown. */
typedef struct xc_first_nan_hit {
    int found;
    char *layer, *tensor;
    size_t index; /* flat index of the first non-finite element */
    double value;
} xc_first_nan_hit;

typedef struct xc_first_nan {
    int found; /* the first input-dependent hit, as the fields below */
    char *layer, *tensor;
    size_t index;
    double value;
    xc_first_nan_hit constant; /* the first constant-derived hit (reported, marked as such) */
} xc_first_nan;

/* Observer state for one runner's run: fill per_layer (needs golden) and/or first_nan (either
 * may be NULL). Rows are the engine's layers when the runner has an engine, else one row per
 * node that made a reported tensor (named after the node, showing `tactic`). golden gives the
 * value each reported tensor is compared with (the reference session, or another runner's
 * tensors): value() may give NULL for a tensor it lacks, which is then not compared. */
typedef struct xc_layer_watch {
    const xc_engine *engine;
    const xc_engine *golden_engine; /* the engine whose tensors golden gives, if any (its TF32 error
                                       is in every value compared too) */
    const xc_graph *graph;          /* rows without an engine; --first-nan tells input-dependent
                                         tensors from constant-derived ones with it (NULL: every
                                         tensor counts as input-dependent) */
    const char *tactic;             /* rows without an engine: static text */
    const xc_feeder *golden;
    const xc_tolerance_spec *tol;
    xc_per_layer *per_layer;
    xc_first_nan *first_nan;
} xc_layer_watch;

/* The reference session as a golden source (user: the xc_ref_session). */
xc_feeder xc_ref_session_feeder(xc_ref_session *s);
xc_observer xc_layer_watch_observer(xc_layer_watch *w);
void xc_per_layer_free(xc_per_layer *p);

void xc_first_nan_free(xc_first_nan *f);
const char *xc_verdict_name(xc_verdict v);
#endif

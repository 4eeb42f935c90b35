/* build.h — the builder's stages shared between its files (internal). */
#ifndef XC_OCL_BUILD_H
#define XC_OCL_BUILD_H
#include "ocl/engine.h"

/* An engine with only its device opened and the model hashed (for checking plans). */
xc_status xc_engine_probe(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out);
/* Tensor id of an ONNX tensor name, or -1. */
int xc_engine_tensor(const xc_engine *e, const char *name);
/* Recounts every tensor's consumers among live layers. */
void xc_engine_count_uses(xc_engine *e);
/* Per-layer precision and the storage of each tensor; inserts reformat layers where a
 * tensor's storage differs from what its consumer reads (precision.c). */
xc_status xc_engine_assign_precision(xc_engine *e);
/* The precision --layer-precision constrains layer L to (XC_LAYER_PREC_*, NONE: free; precision.c). */
int xc_layer_constraint(const xc_engine *e, const xc_layer *L);
/* Points e's constraint names at its model's node names (their equivalent: each node a name
 * covers), so they outlive strings the options borrowed (a plan's, freed after its build). */
xc_status xc_engine_own_constraints(xc_engine *e);
/* Tactic selection: pinned, cached or timed (tuner.c). */
xc_status xc_engine_choose_tactics(xc_engine *e);
/* Whether a candidate first timed at ms (< 0: not a candidate) is a finalist when the fastest
 * took best_ms: within 10 % of it. Finalists, when two or more, are timed once more, one right
 * after the other, and the fastest of that round wins. xc_tuner_finalists counts them in ms[n]. */
int xc_tuner_finalist(double ms, double best_ms);
int xc_tuner_finalists(const double *ms, int n, double best_ms);
/* The name of l's baseline tactic: its kind's first applicable tactic variant (tuner.c). */
const char *xc_layer_baseline(const xc_engine *e, const xc_layer *l, char *buf, size_t len);
/* Buffers shared by liveness (memplan.c). */
xc_status xc_engine_plan_memory(xc_engine *e);
/* Takes from's memory plan (profile p's, made at its max shapes) when e has the same tensors
 * and layers and each tensor of e fits its slot there; returns 0, changing nothing, when not. */
int xc_engine_adopt_memory_plan(xc_engine *e, const xc_engine *from, int p);
/* Stages 1-4 of a build (builder.c): tensors, layers, kinds, passes and precision — no
 * tactics, no memory plan (profiles probe their ranges with it). */
xc_status xc_engine_build_structure(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out);
#endif

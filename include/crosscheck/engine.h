/* engine.h — the optimized OpenCL engine, built like TensorRT's: fusion passes, timed tactics,
 * a timing cache, fp16, a memory plan; saved and loaded as plans; run as a backend.
 *
 *     xc_engine_config *c;  xc_engine *e;  xc_backend *b;
 *     xc_engine_config_create(&c);  xc_engine_config_set_fp16(c, 1);
 *     xc_engine_build(model, c, &e);  xc_engine_backend_create(e, &b);  ... xc_backend_run(b, ...)
 */
#ifndef XC_PUBLIC_ENGINE_H
#define XC_PUBLIC_ENGINE_H
#include "backend.h"

typedef struct xc_engine_config xc_engine_config;
typedef struct xc_engine xc_engine;

/* Defaults: the first GPU (else the first OpenCL device), fp32, every fusion, builder
 * optimization level 3 (or $CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL). */
XC_API xc_status xc_engine_config_create(xc_engine_config **out);
XC_API void xc_engine_config_free(xc_engine_config *c);
/* "N" (index) or a substring of the device name; NULL: the default. The string is copied. */
XC_API xc_status xc_engine_config_set_device(xc_engine_config *c, const char *device);
/* 1: fp16 arithmetic as TensorRT's (half storage, products and pointwise, softmax and
 * normalization steps rounded to half, sums in fp32); 0: fp32 (clears the two below too). */
XC_API void xc_engine_config_set_fp16(xc_engine_config *c, int on);
/* 1: activations and weights stored as half, arithmetic in fp32 (--fp16-storage). */
XC_API void xc_engine_config_set_fp16_storage(xc_engine_config *c, int on);
/* 1: fp16 arithmetic with every running sum rounded to half too (implies fp16). */
XC_API void xc_engine_config_set_fp16_accumulate(xc_engine_config *c, int on);
/* 1: bf16 arithmetic (bfloat16 storage; products and pointwise, softmax and normalization steps
 * rounded to bfloat16, nearest even; sums in fp32); 0: fp32. Replaces any fp16 setting. */
XC_API void xc_engine_config_set_bf16(xc_engine_config *c, int on);
/* 1: activations and weights stored as bfloat16, arithmetic in fp32 (--bf16-storage). */
XC_API void xc_engine_config_set_bf16_storage(xc_engine_config *c, int on);
/* 0-5, as trtexec's --builderOptimizationLevel: 0 times no tactic, 3 is the default. */
XC_API xc_status xc_engine_config_set_optimization_level(xc_engine_config *c, int level);
/* A JSON timing cache read before building and updated after; NULL: none. Copied. */
XC_API xc_status xc_engine_config_set_timing_cache(xc_engine_config *c, const char *path);
/* 1: nodes the engine cannot run execute on the reference (otherwise building fails listing
 * them). */
XC_API void xc_engine_config_set_fallback_cpu(xc_engine_config *c, int on);

/* Optimization profiles, as TensorRT's: adds the range of one input, "NAME:min=[1,3,224,224],
 * opt=[8,3,224,224],max=[32,3,224,224]", to profile `profile` (0, 1, ...; the next number starts
 * a new profile). Tactics are timed at opt and valid over the range; runs accept any shape inside
 * a profile. Fails (one line) on bad syntax, ranks that differ or min <= opt <= max broken. */
XC_API xc_status xc_engine_config_add_profile_shape(xc_engine_config *c, int profile, const char *spec);

/* Builds an engine for m (m must outlive it). */
XC_API xc_status xc_engine_build(const xc_model *m, const xc_engine_config *c, xc_engine **out);
/* Plans: layers, tactics, parameters, memory plan, device, driver, version and the model's hash
 * as JSON. A plan from another device, driver, version or model is refused on load. */
XC_API xc_status xc_engine_save_plan(const xc_engine *e, const char *path);
XC_API xc_status xc_engine_load_plan(const xc_model *m, const char *path, const xc_engine_config *c, xc_engine **out);
/* Opens a plan together with the model it was built from (the plan names it; it must lie in the
 * plan's folder). *m and *e are the caller's to free. */
XC_API xc_status xc_engine_open_plan(const char *plan, const xc_engine_config *c, xc_model **m, xc_engine **e);
/* Refit: replaces e's weights with m's, a model of the same structure as e's (nodes, attributes,
 * initializer names, dtypes and shapes), without re-timing: every layer keeps its tactic and
 * what derives from weights (folded BatchNorm, Winograd and packed filters, int8 weights and
 * scales, fp16 copies, folded constants) is derived again, giving the outputs of a fresh build of
 * m with e's tactics. Execution contexts made on e see the new weights on their next run. A model
 * of another structure (or weights that would change it, e.g. a Reshape's shape) fails in one
 * line naming the first difference and leaves e as it was. m must outlive e; e's old model may
 * then be freed. Engines with optimization profiles: refit their plan (crosscheck refit). */
XC_API xc_status xc_engine_refit(xc_engine *e, const xc_model *m);
/* An execution context on e (e must outlive it). */
XC_API xc_status xc_engine_backend_create(xc_engine *e, xc_backend **out);
XC_API void xc_engine_free(xc_engine *e);

#endif

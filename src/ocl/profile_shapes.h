/* profile_shapes.h — optimization profiles (build --profile-shapes): ranges of input shapes one
 * engine accepts, like TensorRT's. Each profile names inputs with min/opt/max shapes.
 *
 * How an engine serves a range (the trade-off, README "Optimization profiles"): kernels here
 * take shapes as -D defines and launch sizes fixed at prepare time, so an engine stays a set of
 * static-shape layers. A profiled engine is built at profile 0's opt shapes (tactics timed
 * there); every other profile's opt engine is built and timed at build time too. A run whose
 * shapes are another point of a profile builds, once per distinct shape and cached inside the
 * engine, a shape engine with every tactic pinned to the profile's opt choices (no timing;
 * programs come from the program cache when their defines are the same). Tactics are chosen
 * only among those applicable at every probed shape of the range (all shapes on the range's
 * diagonal when it has at most XC_PROFILE_PROBES points, else its ends, its first
 * XC_PROFILE_PROBES/2 points from each end and opt). The memory plan of each profile is made
 * at max and adopted by its opt and shape engines, so one set of activation buffers serves
 * the whole profile. */
#ifndef XC_OCL_PROFILE_SHAPES_H
#define XC_OCL_PROFILE_SHAPES_H
#include "ocl/engine.h"

#define XC_PROFILE_PROBES 64

typedef struct xc_profile_input {
    char *name; /* owned */
    int rank;
    int64_t min[XC_MAX_RANK], opt[XC_MAX_RANK], max[XC_MAX_RANK];
} xc_profile_input;

struct xc_tactics_file;
typedef struct xc_profile {
    int n;
    xc_profile_input *in;         /* owned */
    struct xc_tactics_file *pins; /* read from a plan: the tactics of this profile's opt engine
                                * (layer name -> variant), owned; NULL: time them */
} xc_profile;

/* Profiles as given (--profile-shapes, or read from a plan). Owned by whoever made it. */
typedef struct xc_profile_set {
    int n;
    xc_profile *p;
} xc_profile_set;

/* Adds an input spec "NAME:min=[..],opt=[..],max=[..]" to profile `profile` of s (profile ==
 * s->n starts a new one). Checks ranks agree and min <= opt <= max per dim. */
xc_status xc_profile_parse(xc_profile_set *s, int profile, const char *text);
xc_status xc_profile_set_copy(const xc_profile_set *from, xc_profile_set *to);
void xc_profile_set_free(xc_profile_set *s);

/* The profile state a profiled engine owns (engine.h: e->profiles). */
struct xc_profile_state;
/* Builds a profiled engine (xc_ocl_build calls this when o->profiles is set). */
xc_status xc_profile_build(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out);
void xc_profile_state_free(struct xc_profile_state *ps);
/* The engine that runs inputs of these shapes (in runtime-input order): e itself, or a shape
 * engine built now or earlier (owned by e). *profile receives the profile index. Refuses shapes
 * outside every profile (or outside --opt-profile's) in one line naming the input, its shape
 * and the range. */
xc_status xc_profile_engine_for(xc_engine *e, const xc_tensor *const *inputs, xc_engine **out, int *profile);
/* The same for inputs of these shapes (an input not named: xc_engine_input_shape's). */
xc_status xc_profile_engine_for_shapes(xc_engine *e, const xc_input_shape *shapes, int n, xc_engine **out);
const xc_profile_set *xc_engine_profiles(const xc_engine *e);
/* The engine built at profile p's opt shapes (e itself for p 0; NULL out of range). */
const xc_engine *xc_profile_opt_engine(const xc_engine *e, int p);

/* Tactics not valid over a profile's range (the tuner skips them): per layer name. */
typedef struct xc_tactic_exclusions {
    int n, cap;
    char **layer;        /* owned */
    const char **tactic; /* tactic names (static) */
} xc_tactic_exclusions;
int xc_tactic_excluded(const xc_tactic_exclusions *x, const char *layer, const char *tactic);
#endif

/* engine_config.c — the public engine API (crosscheck/engine.h): an opaque configuration over
 * the builder's options, so library users never depend on the options' layout, and the calls
 * that take it. */
#include "ocl/ocl.h"
#include "ocl/profile_shapes.h"
#include <stdlib.h>
#include <string.h>

struct xc_engine_config {
    xc_ocl_build_options o;
    char *device, *timing_cache; /* owned copies behind o's pointers */
    xc_profile_set profiles;     /* behind o.profiles once one is added */
};

xc_status xc_engine_config_create(xc_engine_config **out)
{
    xc_engine_config *c = calloc(1, sizeof *c);
    if (!c) return xc_fail(XC_ERR_NOMEM, "out of memory for an engine configuration");
    c->o = xc_ocl_build_defaults();
    *out = c;
    return XC_OK;
}

void xc_engine_config_free(xc_engine_config *c)
{
    if (!c) return;
    free(c->device), free(c->timing_cache);
    xc_profile_set_free(&c->profiles);
    free(c);
}

/* Replaces *slot by a copy of s (NULL clears it). */
static xc_status set_copy(char **slot, const char *s, const char **target)
{
    char *copy = NULL;
    if (s && !(copy = strdup(s))) return xc_fail(XC_ERR_NOMEM, "out of memory copying '%s'", s);
    free(*slot);
    *target = *slot = copy;
    return XC_OK;
}

xc_status xc_engine_config_set_device(xc_engine_config *c, const char *device)
{
    return set_copy(&c->device, device, &c->o.device);
}

xc_status xc_engine_config_set_timing_cache(xc_engine_config *c, const char *path)
{
    return set_copy(&c->timing_cache, path, &c->o.timing_cache);
}

/* The reduced-precision mode the option of that name sets (on), or fp32 (off). */
static void set_mode(xc_engine_config *c, const char *option, int on)
{
    c->o.fp16 = c->o.fp16_math = c->o.fp16_acc = 0;
    if (on) xc_ocl_precision_mode(&c->o, option); /* nothing set before it: no conflict */
}
void xc_engine_config_set_fp16(xc_engine_config *c, int on) { set_mode(c, "--fp16", on); }
void xc_engine_config_set_fp16_storage(xc_engine_config *c, int on) { set_mode(c, "--fp16-storage", on); }
void xc_engine_config_set_fp16_accumulate(xc_engine_config *c, int on) { set_mode(c, "--fp16-accumulate", on); }
void xc_engine_config_set_bf16(xc_engine_config *c, int on) { set_mode(c, "--bf16", on); }
void xc_engine_config_set_bf16_storage(xc_engine_config *c, int on) { set_mode(c, "--bf16-storage", on); }
void xc_engine_config_set_fallback_cpu(xc_engine_config *c, int on) { c->o.fallback_cpu = !!on; }

xc_status xc_engine_config_set_optimization_level(xc_engine_config *c, int level)
{
    if (level < 0 || level > 5) return xc_fail(XC_ERR_USAGE, "builder optimization level %d is not in 0..5", level);
    c->o.opt_level = level;
    return XC_OK;
}

xc_status xc_engine_config_add_profile_shape(xc_engine_config *c, int profile, const char *spec)
{
    if (profile < 0 || profile > c->profiles.n)
        return xc_fail(XC_ERR_USAGE, "profile %d: the next new profile is %d", profile, c->profiles.n);
    XC_TRY(xc_profile_parse(&c->profiles, profile, spec));
    c->o.profiles = &c->profiles;
    return XC_OK;
}

xc_status xc_engine_build(const xc_model *m, const xc_engine_config *c, xc_engine **out) { return xc_ocl_build(m, &c->o, out); }

xc_status xc_engine_save_plan(const xc_engine *e, const char *path) { return xc_ocl_plan_save(e, path); }

xc_status xc_engine_load_plan(const xc_model *m, const char *path, const xc_engine_config *c, xc_engine **out)
{
    return xc_ocl_plan_load(m, path, &c->o, out);
}

xc_status xc_engine_backend_create(xc_engine *e, xc_backend **out) { return xc_ocl_backend_create(e, out); }

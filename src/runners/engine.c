/* engine.c — the OpenCL engine built now as a runner: `--ocl` with the build options given,
 * `--ocl-fp16` with fp16 storage, each also on a device of its own (`--ocl@1`, `--ocl@NAME`).
 * It observes every tensor the engine materializes (fused groups at their boundary) and can run
 * with each layer fed the reference's values (isolated per-layer). */
#include "runners/engine.h"
#include "tolerance_spec.h" /* xc_math_half */
#include <stdlib.h>
#include <string.h>

xc_status xc_engine_runner_wrap(const xc_runner_type *t, xc_engine *e, int fp16, xc_runner **out)
{
    XC_TRY(xc_runner_new(t, out));
    xc_runner *r = *out;
    r->engine = e;
    r->engine_taken = 1; /* borrowed */
    r->observes = 1;
    /* the engine's own storage decides the tolerance too: a plan built with --fp16 and run
     * without it on the command line was judged as fp32 */
    r->fp16 = fp16 || xc_engine_uses_fp16(e) ? xc_math_half(xc_engine_half_format(e) == XC_HALF_BF16) : 0;
    xc_backend *b = NULL;
    xc_status s = xc_ocl_backend_create(e, &b);
    r->impl = b;
    if (s != XC_OK) {
        xc_runner_free(r);
        *out = NULL;
    }
    return s;
}

xc_ocl_build_options xc_engine_runner_options(const xc_runner_spec *spec, const xc_runner_env *env)
{
    xc_ocl_build_options o = *env->ocl;
    if (spec->device) o.device = spec->device;
    return o;
}

xc_status xc_engine_runner_failed(xc_status s, const xc_runner_spec *spec)
{
    return xc_error_prefix(s, "runner %s%s%s: ", spec->kind, spec->device ? "@" : "", spec->device ? spec->device : "");
}

/* "ocl@1 (NAME)", the device's name without the padding some drivers end it with. */
static char *device_name(const xc_runner_spec *spec, const xc_engine *e)
{
    int index;
    const char *dev = xc_engine_device(e, &index);
    size_t len = strlen(dev);
    while (len && dev[len - 1] == ' ') len--;
    return xc_strprintf("%s@%d (%.*s)", spec->kind, index, (int)len, dev);
}

xc_status xc_engine_runner_add(const xc_runner_spec *spec, xc_engine *e, int fp16, xc_runner_list *out)
{
    const xc_runner_type *t = xc_runner_type_find(spec->kind);
    xc_runner *r;
    xc_status s = xc_engine_runner_wrap(t, e, fp16, &r);
    if (s != XC_OK) {
        xc_engine_free(e);
        return s;
    }
    r->engine_taken = 0; /* from now on the runner's */
    if (spec->device && !(r->name = device_name(spec, e))) {
        xc_runner_free(r);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    return xc_runner_list_add(out, r);
}

xc_status xc_engine_runner_run(xc_runner *r, int it, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs)
{
    (void)it;
    return xc_backend_run(r->impl, in, out, obs);
}

xc_status xc_engine_runner_run_fed(xc_runner *r, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs,
                                   const xc_feeder *feed)
{
    return xc_ocl_backend_run_fed(r->impl, in, out, obs, feed);
}

void xc_engine_runner_release(xc_runner *r) { xc_backend_destroy(r->impl); }

static xc_status build(const xc_runner_spec *spec, const xc_runner_env *env, int fp16, xc_runner_list *out)
{
    xc_ocl_build_options o = xc_engine_runner_options(spec, env);
    if (fp16 && o.fp16 && o.half_format != XC_HALF_FP16) { /* --ocl-fp16 beside a --bf16 engine: IEEE half storage, as named */
        o.half_format = XC_HALF_FP16;
        o.fp16_math = o.fp16_acc = 0;
    }
    o.fp16 |= fp16;
    xc_engine *e = NULL;
    xc_status s = xc_ocl_build(env->model, &o, &e);
    if (s != XC_OK) return xc_engine_runner_failed(s, spec);
    return xc_engine_runner_add(spec, e, o.fp16, out);
}

static xc_status ocl_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    return build(spec, env, 0, out);
}

static xc_status ocl_fp16_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    return build(spec, env, 1, out);
}

const xc_runner_type xc_runner_engine = {
    .builds_engine = 1,
    .on_device = 1,
    .kind = "ocl",
    .option = "--ocl",
    .help = "the OpenCL engine, built now (options below)",
    .prepare = ocl_prepare,
    .run = xc_engine_runner_run,
    .run_fed = xc_engine_runner_run_fed,
    .release = xc_engine_runner_release,
};

const xc_runner_type xc_runner_engine_fp16 = {
    .builds_engine = 1,
    .on_device = 1,
    .kind = "ocl-fp16",
    .option = "--ocl-fp16",
    .help = "the OpenCL engine built now with fp16 storage",
    .prepare = ocl_fp16_prepare,
    .run = xc_engine_runner_run,
    .run_fed = xc_engine_runner_run_fed,
    .release = xc_engine_runner_release,
};

/* plan.c — the OpenCL engine of a plan made by `crosscheck build` as a runner (`--plan FILE`, or
 * `--plan@DEVICE FILE`). A plan is bound to the device it was built on: loading it on another
 * is refused naming both (ocl/plan.c). */
#include "runners/engine.h"

static xc_status plan_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    xc_ocl_build_options o = xc_engine_runner_options(spec, env);
    xc_engine *e = NULL;
    xc_status s = xc_ocl_plan_load(env->model, spec->path, &o, &e);
    if (s != XC_OK) return xc_engine_runner_failed(s, spec);
    return xc_engine_runner_add(spec, e, env->ocl->fp16, out);
}

const xc_runner_type xc_runner_plan = {
    .on_device = 1,
    .kind = "plan",
    .option = "--plan",
    .arg = XC_RUNNER_ARG_VALUE,
    .value_help = "FILE.plan",
    .help = "the OpenCL engine of a plan made by 'crosscheck build'",
    .prepare = plan_prepare,
    .run = xc_engine_runner_run,
    .run_fed = xc_engine_runner_run_fed,
    .release = xc_engine_runner_release,
};

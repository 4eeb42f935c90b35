/* plan.c — the OpenCL engine of a plan made by `crosscheck build` as a runner (`--plan FILE`). */
#include "runners/engine.h"

static xc_status plan_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    xc_ocl_build_options o = *env->ocl;
    xc_engine *e = NULL;
    xc_status s = xc_ocl_plan_load(env->model, spec->path, &o, &e);
    if (s != XC_OK) return xc_error_prefix(s, "runner plan: ");
    return xc_engine_runner_add(&xc_runner_plan, e, env->ocl->fp16, out);
}

const xc_runner_type xc_runner_plan = {
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

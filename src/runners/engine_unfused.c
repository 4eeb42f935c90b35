/* engine_unfused.c — the OpenCL engine built now without fusion (`--ocl-unfused`, or
 * `--ocl-unfused@DEVICE`): every ONNX node its own layer, the other build options as given. Next
 * to --ocl in one run it tells whether fusion changes the results (the runner a fused kernel
 * must agree with). */
#include "runners/engine.h"

static xc_status unfused_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    xc_ocl_build_options o = xc_engine_runner_options(spec, env);
    o.no_fusion = 1;
    xc_engine *e = NULL;
    xc_status s = xc_ocl_build(env->model, &o, &e);
    if (s != XC_OK) return xc_engine_runner_failed(s, spec);
    return xc_engine_runner_add(spec, e, o.fp16, out);
}

const xc_runner_type xc_runner_engine_unfused = {
    .builds_engine = 1,
    .on_device = 1,
    .kind = "ocl-unfused",
    .option = "--ocl-unfused",
    .help = "the OpenCL engine built now without fusion (--no-fusion)",
    .prepare = unfused_prepare,
    .run = xc_engine_runner_run,
    .run_fed = xc_engine_runner_run_fed,
    .release = xc_engine_runner_release,
};

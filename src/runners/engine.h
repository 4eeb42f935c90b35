/* engine.h — what the OpenCL runners share (engine.c, plan.c) and what tools that build engines
 * themselves use (the debug tools): a runner around a made engine. */
#ifndef XC_RUNNERS_ENGINE_H
#define XC_RUNNERS_ENGINE_H
#include "runners/runner.h"

/* A runner of type t around engine e, which the caller keeps owning (it must outlive the runner),
 * fp16 when its storage is half. */
xc_status xc_engine_runner_wrap(const xc_runner_type *t, xc_engine *e, int fp16, xc_runner **out);
/* What the engine runners of spec share (--ocl, --ocl-fp16, --ocl-unfused, --plan, each also as
 * OPTION@DEVICE): the build options (env's, on spec's device when it names one); the error
 * prefix "runner KIND[@DEVICE]: " of a failed build; and adding the runner for engine e (owned
 * by the runner from now on, even on failure) to out, one on a device of its own named
 * "KIND@INDEX (DEVICE NAME)" so engines on two devices never share a name. */
xc_ocl_build_options xc_engine_runner_options(const xc_runner_spec *spec, const xc_runner_env *env);
xc_status xc_engine_runner_failed(xc_status s, const xc_runner_spec *spec);
xc_status xc_engine_runner_add(const xc_runner_spec *spec, xc_engine *e, int fp16, xc_runner_list *out);
xc_status xc_engine_runner_run(xc_runner *r, int it, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs);
xc_status xc_engine_runner_run_fed(xc_runner *r, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs,
                                   const xc_feeder *feed);
void xc_engine_runner_release(xc_runner *r);
#endif

/* engine.h — what the OpenCL runners share (engine.c, plan.c) and what tools that build engines
 * themselves use (the debug tools): a runner around a made engine. */
#ifndef XC_RUNNERS_ENGINE_H
#define XC_RUNNERS_ENGINE_H
#include "runners/runner.h"

/* Makes a runner of type t for engine e (owned by the runner from now on, even on failure),
 * fp16 when its storage is half, and adds it to out. */
/* The same around an engine the caller keeps owning (it must outlive the runner). */
xc_status xc_engine_runner_wrap(const xc_runner_type *t, xc_engine *e, int fp16, xc_runner **out);
xc_status xc_engine_runner_add(const xc_runner_type *t, xc_engine *e, int fp16, xc_runner_list *out);
xc_status xc_engine_runner_run(xc_runner *r, int it, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs);
xc_status xc_engine_runner_run_fed(xc_runner *r, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs,
                                   const xc_feeder *feed);
void xc_engine_runner_release(xc_runner *r);
#endif

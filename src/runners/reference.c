/* reference.c — the CPU reference interpreter as a runner (`--ref`): the oracle. It observes
 * every tensor it computes. */
#include "runners/runner.h"

static xc_status ref_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    (void)spec;
    xc_runner *r;
    XC_TRY(xc_runner_new(&xc_runner_reference, &r));
    r->observes = 1;
    r->oracle = 1;
    xc_backend *b = NULL;
    xc_status s = xc_ref_backend_create(env->model, &b);
    r->impl = b;
    if (s != XC_OK) {
        xc_runner_free(r);
        return s;
    }
    return xc_runner_list_add(out, r);
}

static xc_status ref_run(xc_runner *r, int it, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs)
{
    (void)it;
    return xc_backend_run(r->impl, in, out, obs);
}

static void ref_release(xc_runner *r) { xc_backend_destroy(r->impl); }

const xc_runner_type xc_runner_reference = {
    .kind = "ref",
    .option = "--ref",
    .help = "the CPU reference interpreter",
    .prepare = ref_prepare,
    .run = ref_run,
    .release = ref_release,
};

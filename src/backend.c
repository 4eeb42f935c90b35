/* backend.c — the public calls on a backend (crosscheck/backend.h) dispatch through its vtable. */
#include "backend.h"

xc_status xc_backend_run(xc_backend *b, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs)
{
    return b->run(b, in, out, obs);
}

const char *xc_backend_name(const xc_backend *b) { return b->name; }

void xc_backend_destroy(xc_backend *b)
{
    if (b) b->destroy(b);
}

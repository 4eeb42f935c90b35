/* repeat.c — `debug build --until good|bad|N` and `debug repeat` (see debug.h): a failure that
 * comes and goes is rebuilt or rerun until it shows (or stops showing), counting good and bad
 * runs and keeping each build's tactics by verdict, so a bad build can be replayed exactly
 * (--load-tactics) and diffed against a good one. */
#include "debug/session.h"
#include "ocl/fault.h"
#include "ocl/tactics_file.h"
#include <stdio.h>
#include <stdlib.h>

/* Keeps e's tactics as good|bad/check_NN_tactics.json (--artifacts-dir). */
static xc_status keep_tactics(xc_debug_session *s, const xc_engine *e, int passed)
{
    if (!xc_debug_keeps(s)) return XC_OK;
    char path[4200];
    snprintf(path, sizeof path, "%s/check_run_tactics.json", s->dir);
    XC_TRY(xc_tactics_save_engine(e, path));
    return xc_debug_keep_file(s, path, "tactics.json", passed);
}

xc_status xc_debug_repeat(const xc_debug_config *c, int rebuild, xc_debug_until until, int count, xc_debug_repeat_report *r)
{
    xc_debug_session s;
    static xc_debug_report dr; /* large: the culprit fields the session's counter lives beside */
    *r = (xc_debug_repeat_report){0};
    if (count < 1) return xc_fail(XC_ERR_USAGE, "debug %s: --until N needs N >= 1", rebuild ? "build" : "repeat");
    XC_TRY(xc_debug_check_outputs(c, NULL));
    xc_status st = xc_debug_open_for_check(c, &dr, &s);
    xc_engine *e = NULL;
    for (int k = 1; k <= count && st == XC_OK; k++) {
        char what[64];
        int passed = 0;
        snprintf(what, sizeof what, "%s %d", rebuild ? "build" : "run", k);
        if (rebuild || !e) {
            xc_engine_free(e);
            e = NULL;
            st = xc_debug_check(&s, &c->ocl, what, &passed, &e);
            for (int i = 0; st == XC_OK && k == 1 && e->faults && i < e->faults->n; i++) /* announced once */
                xc_debug_say(&s, "FAULT INJECTION ON: '%s' hits %d layer%s of this build", e->faults->faults[i].spec,
                             e->faults->faults[i].n_layers, e->faults->faults[i].n_layers == 1 ? "" : "s");
            if (st == XC_OK) st = keep_tactics(&s, e, passed);
        } else {
            st = xc_debug_judge(&s, e, c->ocl.fp16, what, &passed);
        }
        if (st != XC_OK) break;
        r->runs = k;
        if (passed)
            r->good++, r->first_good = r->first_good ? r->first_good : k;
        else
            r->bad++, r->first_bad = r->first_bad ? r->first_bad : k;
        if ((until == XC_UNTIL_GOOD && passed) || (until == XC_UNTIL_BAD && !passed)) {
            r->met = 1;
            break;
        }
    }
    if (st == XC_OK && until == XC_UNTIL_COUNT) r->met = r->runs == count;
    xc_engine_free(e);
    xc_debug_close(&s);
    return st;
}

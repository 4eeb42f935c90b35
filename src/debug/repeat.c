/* repeat.c — `debug build --until good|bad|N` and `debug repeat` (see debug.h): a failure that
 * comes and goes is rebuilt or rerun until it shows (or stops showing), counting good and bad
 * runs and keeping each build's tactics by verdict, so a bad build can be replayed exactly
 * (--load-tactics) and diffed against a good one. */
#include "debug/session.h"
#include "ocl/fault.h"
#include "ocl/tactics_file.h"
#include "file_io.h"
#include "onnx_io.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Keeps e's tactics as good|bad/check_NN_tactics.json (--artifacts-dir). */
static xc_status keep_tactics(xc_debug_session *s, const xc_engine *e, int passed)
{
    if (!xc_debug_keeps(s)) return XC_OK;
    char path[4200];
    snprintf(path, sizeof path, "%s/check_run_tactics.json", s->dir);
    XC_TRY(xc_tactics_save_engine(e, path));
    return xc_debug_keep_file(s, path, "tactics.json", passed);
}

/* Run k isolated (--isolate): every run is a child that builds; `repeat` pins runs after the
 * first to the first's tactics (pinned), so each child builds the same engine. */
static xc_status isolated_run(xc_debug_session *s, int rebuild, int k, const char *what, const char *pinned, int *passed)
{
    char kept[4200];
    snprintf(kept, sizeof kept, "%s/check_run_tactics.json", s->dir);
    xc_ocl_build_options o = s->cfg->ocl;
    if (!rebuild && k > 1) {
        o.load_tactics = pinned;
        o.timing_cache = NULL;
        o.save_tactics = NULL;
    }
    const char *save = !rebuild && k == 1 ? pinned : rebuild && xc_debug_keeps(s) ? kept : NULL;
    xc_debug_verdict v;
    XC_TRY(xc_debug_check_saving(s, &o, what, save, passed, &v));
    if (k == 1) xc_debug_say_faults(s, v.faults);  /* announced once */
    if (!rebuild && k == 1 && xc_debug_keeps(s)) { /* a copy of the pinned file, kept by verdict */
        xc_mapping *m;
        XC_TRY(xc_read_file(pinned, &m));
        xc_status st = xc_write_file_flags(kept, m->addr, m->len, 0);
        xc_mapping_release(m);
        XC_TRY(st);
        save = kept;
    }
    return save == kept ? xc_debug_keep_file(s, kept, "tactics.json", *passed) : XC_OK;
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
    char pinned[4200];
    snprintf(pinned, sizeof pinned, "%s/check_pinned_tactics.json", s.dir);
    for (int k = 1; k <= count && st == XC_OK; k++) {
        char what[64];
        int passed = 0;
        snprintf(what, sizeof what, "%s %d", rebuild ? "build" : "run", k);
        if (xc_debug_isolating(&s)) {
            st = isolated_run(&s, rebuild, k, what, pinned, &passed);
        } else if (rebuild || !e) {
            xc_engine_free(e);
            e = NULL;
            st = xc_debug_check(&s, &c->ocl, what, &passed, &e);
            if (st == XC_OK && k == 1) xc_debug_announce_faults(&s, e); /* announced once */
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
    if (s.model) unlink(pinned);
    xc_debug_close(&s);
    return st;
}

/* search.c — the culprit search shared by the debug tools (see debug.h for the idea).
 *
 * Positions 0..n-1 are the candidates in search order (reversed under --direction reverse).
 * f(k) = the culprits found so far plus positions [0, k) switched. Invariant: f(lo) fails and
 * f(hi) passes; the first k with f(k) passing makes position k-1 a culprit (switching it was
 * what made the difference). It stays switched, f(k-1) with it is the old f(k), which passes,
 * so the search goes on in [0, k-1) after confirming that f(0) — the culprits alone — still
 * fails; when it passes, the culprits found explain the failure. */
#include "debug/session.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct search {
    xc_debug_session *s;
    int n;
    const char *word;
    xc_debug_probe probe;
    void *user;
    unsigned char *fixed; /* per candidate: a culprit found */
    unsigned char *sw;    /* per candidate: switched in this check */
} search;

int xc_debug_search_bound(int n)
{
    int log2n = 0;
    while ((1 << log2n) < n) log2n++; /* ceil(log2 n), 1 for n <= 2 as the bound always said */
    return 2 * (log2n ? log2n : 1) + 4;
}

static int candidate_at(const search *q, int pos) { return q->s->cfg->reverse ? q->n - 1 - pos : pos; }

/* Checks f(k); `lo`..`hi` is the interval still searched (for the progress line). */
static xc_status probe_prefix(search *q, int k, int lo, int hi, int *passed)
{
    int culprits = 0;
    for (int i = 0; i < q->n; i++) {
        q->sw[i] = q->fixed[i];
        culprits += q->fixed[i];
    }
    for (int p = 0; p < k; p++) q->sw[candidate_at(q, p)] = 1;
    char what[512];
    int n_sw = 0;
    for (int i = 0; i < q->n; i++) n_sw += q->sw[i];
    if (k == q->n)
        snprintf(what, sizeof what, "all %d %s", q->n, q->word);
    else if (!k)
        snprintf(what, sizeof what, "only the culprit%s found (%d) %s", culprits == 1 ? "" : "s", culprits, q->word);
    else
        snprintf(what, sizeof what, "%d of %d %s (positions 1-%d%s%s), culprit in %d-%d", n_sw, q->n, q->word, k,
                 culprits ? " + culprits" : "", q->s->cfg->reverse ? " from the back" : "", lo + 1, hi);
    return q->probe(q->s, q->user, q->sw, what, passed);
}

/* The first k in (lo, hi] with f(k) passing, given f(lo) fails and f(hi) passes. Linear mode
 * walks up from lo for the first culprit; for each later one it walks down from hi (the last
 * culprit's position) to the last failing prefix, so k culprits cost about N checks in all,
 * not k*N: the walks down cover disjoint stretches. */
static xc_status find_first_pass(search *q, int lo, int hi, int *k)
{
    int passed, found = 0;
    for (int i = 0; i < q->n; i++) found += q->fixed[i];
    if (q->s->cfg->mode == XC_DEBUG_LINEAR && !found) {
        for (int m = lo + 1; m < hi; m++) {
            XC_TRY(probe_prefix(q, m, m - 1, hi, &passed));
            if (passed) return *k = m, XC_OK;
        }
        return *k = hi, XC_OK;
    }
    if (q->s->cfg->mode == XC_DEBUG_LINEAR) {
        for (int m = hi - 1; m > lo; m--) {
            XC_TRY(probe_prefix(q, m, lo, m + 1, &passed));
            if (!passed) return *k = m + 1, XC_OK;
        }
        return *k = lo + 1, XC_OK;
    }
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        XC_TRY(probe_prefix(q, mid, lo, hi, &passed));
        if (passed)
            hi = mid;
        else
            lo = mid;
    }
    return *k = hi, XC_OK;
}

xc_status xc_debug_search(xc_debug_session *s, int n, const char *switched_word, xc_debug_probe probe, void *user, int *culprits,
                          int *n_culprits, int *explained)
{
    search q = {s, n, switched_word, probe, user, calloc(n + 1, 1), calloc(n + 1, 1)};
    xc_status st = q.fixed && q.sw ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    int passed = 0, hi = n;
    *n_culprits = 0;
    *explained = 0;
    if (st == XC_OK && n) st = probe_prefix(&q, n, 0, n, &passed);
    while (st == XC_OK && passed && hi > 0) {
        int k;
        st = find_first_pass(&q, 0, hi, &k);
        if (st != XC_OK) break;
        int c = candidate_at(&q, k - 1);
        q.fixed[c] = 1;
        if (*n_culprits == XC_DEBUG_MAX_CULPRITS) { /* said, never dropped silently */
            st = xc_fail(XC_ERR_USAGE,
                         "more than %d %s candidates are needed to make it pass: not a few layers' doing "
                         "(try 'debug reduce')",
                         XC_DEBUG_MAX_CULPRITS, switched_word);
            break;
        }
        culprits[(*n_culprits)++] = c;
        hi = k - 1;
        if (!hi) break; /* f(0) is the old f(k), which passed */
        st = probe_prefix(&q, 0, 0, hi, &passed);
        if (st == XC_OK && passed) break;
        passed = 1; /* f(hi) passes: search on */
    }
    *explained = st == XC_OK && n && passed;
    free(q.fixed);
    free(q.sw);
    return st;
}

/* test_debug.c — the debug tools' pieces that need no device: fault-spec parsing and the
 * culprit search (against a probe that fails while any planted culprit is unswitched), its
 * answers and its check counts in both modes and directions. */
#include "debug/session.h"
#include "ocl/fault.h"
#include "test.h"
#include <math.h>
#include <string.h>

TEST(fault_spec_parsing)
{
    xc_fault f;
    CHECK_OK(xc_fault_parse("node=conv1", &f));
    CHECK(f.kind == XC_FAULT_NODE && !strcmp(f.pattern, "conv1") && f.effect == XC_FAULT_BIAS && f.value == 1.0);
    CHECK_OK(xc_fault_parse("node-tactic=b*_conv2:scale=-3.5", &f));
    CHECK(f.kind == XC_FAULT_NODE_TACTIC && !strcmp(f.pattern, "b*_conv2") && f.effect == XC_FAULT_SCALE && f.value == -3.5);
    CHECK_OK(xc_fault_parse("tactic=gemm.*:nan", &f));
    CHECK(f.kind == XC_FAULT_TACTIC && f.effect == XC_FAULT_NAN);
    CHECK_OK(xc_fault_parse("node-fusion=a:b:element", &f)); /* ':' inside a node name */
    CHECK(f.kind == XC_FAULT_NODE_FUSION && !strcmp(f.pattern, "a:b") && f.effect == XC_FAULT_ELEMENT);
    CHECK_OK(xc_fault_parse("node=scope:x", &f)); /* not an effect: part of the name */
    CHECK(!strcmp(f.pattern, "scope:x") && f.effect == XC_FAULT_BIAS);
    CHECK_OK(xc_fault_parse("fusion=conv_*:bias=0.25", &f));
    CHECK(f.kind == XC_FAULT_FUSION && f.value == 0.25);
    CHECK_OK(xc_fault_parse("op=Conv", &f));
    CHECK(f.kind == XC_FAULT_OP);
    CHECK_OK(xc_fault_parse("node=a:crash", &f)); /* --isolate's test bed: crash, crash=1, hang=S */
    CHECK(!strcmp(f.pattern, "a") && f.effect == XC_FAULT_CRASH);
    CHECK_OK(xc_fault_parse("tactic=gemm.naive:crash=1", &f));
    CHECK(!strcmp(f.pattern, "gemm.naive") && f.effect == XC_FAULT_CRASH);
    CHECK_OK(xc_fault_parse("node=a:hang=2.5", &f));
    CHECK(f.effect == XC_FAULT_HANG && f.value == 2.5);
    const char *bad[] = {
        "conv1",     "layer=conv1",    "node=",         "node=a:bias=x", "node=a:scale",   "node=a:bias=inf", "=a",
        "node=:nan", "node=a:crash=2", "node=a:hang=0", "node=a:hang",   "node=a:hang=-1", "node=a:crashes"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(xc_fault_parse(bad[i], &f) == XC_ERR_USAGE);
        CHECK(strstr(xc_error_message(), "--inject-fault") != NULL);
    }
}

typedef struct planted {
    int n_culprits, culprit[4], checks;
} planted;

/* Passes when every planted culprit is switched. */
static xc_status fake_probe(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed)
{
    (void)s;
    (void)what;
    planted *p = user;
    p->checks++;
    *passed = 1;
    for (int k = 0; k < p->n_culprits; k++) *passed &= sw[p->culprit[k]];
    return XC_OK;
}

/* Runs the search over n candidates with the given culprits; checks it names exactly them. */
static int search(int n, const int *culprits, int n_culprits, xc_debug_mode mode, int reverse, int *explained)
{
    xc_debug_config cfg = xc_debug_config_default();
    cfg.mode = mode;
    cfg.reverse = reverse;
    xc_debug_report rep;
    memset(&rep, 0, sizeof rep);
    xc_debug_session s;
    memset(&s, 0, sizeof s);
    s.cfg = &cfg;
    s.report = &rep;
    planted p = {n_culprits, {0}, 1}; /* the failing build counts as the first check */
    memcpy(p.culprit, culprits, sizeof(int) * n_culprits);
    int found[XC_DEBUG_MAX_CULPRITS], n_found = 0;
    CHECK_OK(xc_debug_search(&s, n, "switched", fake_probe, &p, found, &n_found, explained));
    if (*explained) {
        CHECK(n_found == n_culprits);
        for (int k = 0; k < n_culprits; k++) {
            int seen = 0;
            for (int j = 0; j < n_found; j++) seen |= found[j] == culprits[k];
            CHECK(seen);
        }
    }
    return p.checks;
}

TEST(debug_search_one_culprit_within_bound)
{
    for (int n = 1; n <= 70; n++) {
        int bound = 2 * (int)ceil(log2(n > 1 ? n : 2)) + 4;
        for (int c = 0; c < n; c++)
            for (int reverse = 0; reverse < 2; reverse++) {
                int explained, checks = search(n, &c, 1, XC_DEBUG_BISECT, reverse, &explained);
                CHECK(explained);
                if (checks > bound) fprintf(stderr, "  n=%d culprit=%d: %d checks > %d\n", n, c, checks, bound);
                CHECK(checks <= bound);
                CHECK(search(n, &c, 1, XC_DEBUG_LINEAR, reverse, &explained) <= n + 3 && explained);
            }
    }
}

TEST(debug_search_several_culprits)
{
    const int sets[][3] = {{0, 5, 9}, {3, 4, 5}, {9, 1, 7}};
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++)
        for (int mode = 0; mode < 2; mode++) {
            int explained;
            search(10, sets[k], 3, mode ? XC_DEBUG_LINEAR : XC_DEBUG_BISECT, (int)k & 1, &explained);
            CHECK(explained);
        }
}

/* A bare session over cfg and rep (the search needs nothing else). */
static void session_init(xc_debug_session *s, xc_debug_config *cfg, xc_debug_report *rep)
{
    memset(s, 0, sizeof *s);
    memset(rep, 0, sizeof *rep);
    s->cfg = cfg;
    s->report = rep;
}

/* A failure no candidate explains: everything switched still fails. */
static xc_status never_passes(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed)
{
    (void)s, (void)user, (void)sw, (void)what;
    *passed = 0;
    return XC_OK;
}

TEST(debug_search_unexplained)
{
    xc_debug_config cfg = xc_debug_config_default();
    xc_debug_report rep;
    xc_debug_session s;
    session_init(&s, &cfg, &rep);
    int found[XC_DEBUG_MAX_CULPRITS], n_found = -1, explained = 1;
    CHECK_OK(xc_debug_search(&s, 12, "switched", never_passes, NULL, found, &n_found, &explained));
    CHECK(!explained && n_found == 0);
    CHECK_OK(xc_debug_search(&s, 0, "switched", never_passes, NULL, found, &n_found, &explained));
    CHECK(!explained);
}

TEST(debug_shell_quoting)
{
    xc_text t = {0};
    xc_debug_shell_arg(&t, "plain-name.onnx");
    xc_debug_shell_arg(&t, "a b");
    xc_debug_shell_arg(&t, "it's");
    xc_debug_shell_arg(&t, "''");
    CHECK(!strcmp(xc_text_str(&t), " plain-name.onnx 'a b' 'it'\\''s' ''\\'''\\'''"));
    xc_text_clear(&t);
    for (int k = 0; k < 5000; k++) xc_debug_shell_arg(&t, "name-of-twenty-chars"); /* 105,000 characters, none cut */
    CHECK(!t.failed && t.len == 5000 * 21 && strlen(xc_text_str(&t)) == t.len);
    xc_text_free(&t);
}

/* Passes only when every candidate is switched: n culprits, more than a report holds. */
static xc_status all_needed(xc_debug_session *s, void *user, const unsigned char *sw, const char *what, int *passed)
{
    (void)s, (void)what;
    *passed = 1;
    for (int k = 0; k < *(int *)user; k++) *passed &= sw[k];
    return XC_OK;
}

TEST(debug_search_too_many_culprits_is_said)
{
    xc_debug_config cfg = xc_debug_config_default();
    xc_debug_report rep;
    xc_debug_session s;
    session_init(&s, &cfg, &rep);
    int n = XC_DEBUG_MAX_CULPRITS + 6, found[XC_DEBUG_MAX_CULPRITS], n_found = 0, explained = 1;
    CHECK(xc_debug_search(&s, n, "switched", all_needed, &n, found, &n_found, &explained) == XC_ERR_USAGE);
    char want[32];
    snprintf(want, sizeof want, "more than %d", XC_DEBUG_MAX_CULPRITS);
    CHECK(strstr(xc_error_message(), want) != NULL);
    xc_error_clear();
}

/* test_session.c — the on-demand reference session (per-layer comparison's oracle): same values
 * as a full run in any request order, memory bounded by the live set, recomputation of freed
 * values, clean errors. */
#include "backend.h"
#include "onnx_io.h"
#include "test.h"
#include <string.h>

typedef struct kept {
    int n;
    xc_tensor *t[64];
} kept;

static xc_status keep(void *user, const char *name, const xc_tensor *t, const char *layer)
{
    (void)name;
    (void)layer;
    kept *k = user;
    return k->n < 64 ? xc_tensor_clone(t, &k->t[k->n++]) : XC_OK;
}

static int same(const xc_tensor *a, const xc_tensor *b)
{
    return a && b && a->nbytes == b->nbytes && !memcmp(a->data, b->data, a->nbytes);
}

TEST(ref_session_matches_full_run_in_any_order)
{
    xc_model *m = NULL;
    xc_backend *b = NULL;
    xc_tensor *x = NULL, *y = NULL;
    kept k = {0, {0}};
    CHECK_OK(xc_model_load("models/small_cnn/model.onnx", &m));
    CHECK_OK(xc_tensor_load_pb("models/small_cnn/test_data_set_0/input_0.pb", &x));
    if (!m || !x) goto out;
    CHECK_OK(xc_ref_backend_create(m, &b));
    const xc_tensor *in[] = {x};
    xc_observer obs = {keep, &k};
    CHECK_OK(xc_backend_run(b, in, &y, &obs));
    const xc_graph *g = m->graph;
    /* forwards, backwards (the output first: everything evaluated on demand), and twice */
    for (int order = 0; order < 3; order++) {
        xc_ref_session *s = NULL;
        CHECK_OK(xc_ref_session_create(m, in, &s));
        if (!s) break;
        for (int i = 0; i < k.n; i++) {
            int j = order == 1 ? k.n - 1 - i : i;
            const xc_tensor *v = NULL;
            CHECK_OK(xc_ref_session_get(s, k.t[j]->name, &v));
            CHECK(same(v, k.t[j]));
            xc_ref_session_release(s, k.t[j]->name);
            if (order == 2) { /* asked again after release: recomputed if freed, same bits */
                CHECK_OK(xc_ref_session_get(s, k.t[j]->name, &v));
                CHECK(same(v, k.t[j]));
                xc_ref_session_release(s, k.t[j]->name);
            }
        }
        const xc_tensor *v = NULL;
        CHECK(xc_ref_session_get(s, "no_such_tensor", &v) == XC_ERR_USAGE && !v);
        CHECK(strstr(xc_error_message(), "no_such_tensor") != NULL);
        CHECK_OK(xc_ref_session_get(s, g->outputs[0].name, &v));
        CHECK(same(v, y));
        xc_ref_session_free(s);
    }
out:
    for (int i = 0; i < k.n; i++) xc_tensor_free(k.t[i]);
    xc_tensor_free(x);
    xc_tensor_free(y);
    xc_backend_destroy(b);
    xc_model_free(m);
}

TEST(ref_session_memory_is_the_live_set)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/chain.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    xc_model *m = NULL;
    xc_tensor *x = NULL;
    CHECK_OK(xc_model_load(path, &m));
    int64_t dims[] = {256, 1024};
    CHECK_OK(xc_tensor_new(XC_FLOAT, 2, dims, &x));
    if (!m || !x) goto out;
    const size_t mib = 256 * 1024 * 4, base = xc_tensor_live_bytes();
    xc_tensor_reset_peak();
    const xc_tensor *in[] = {x};
    xc_ref_session *s = NULL;
    CHECK_OK(xc_ref_session_create(m, in, &s));
    /* walk the 40-node chain as a per-layer comparison would: get, compare, release */
    for (int k = 0; s && k < m->graph->n_nodes; k++) {
        const xc_tensor *v = NULL;
        CHECK_OK(xc_ref_session_get(s, m->graph->nodes[k].outputs[0], &v));
        xc_ref_session_release(s, m->graph->nodes[k].outputs[0]);
    }
    CHECK(xc_tensor_peak_bytes() - base <= 2 * mib);
    xc_ref_session_free(s);
    CHECK(xc_tensor_live_bytes() == base);
out:
    xc_tensor_free(x);
    xc_model_free(m);
}

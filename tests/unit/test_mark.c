/* test_mark.c — resolving --outputs patterns (src/mark.c) and keeping marked tensors from a
 * reference run through the mark watch, on the chain fixture (t1..t39 -> y). */
#include "backend.h"
#include "inputs.h"
#include "mark.h"
#include "onnx_io.h"
#include "test.h"
#include <stdlib.h>
#include <string.h>

static xc_model *chain(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/chain.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    xc_model *m = NULL;
    CHECK(xc_model_load(path, &m) == XC_OK);
    return m;
}

TEST(mark_resolves_names_globs_and_mark_all)
{
    xc_model *m = chain();
    if (!m) return;
    xc_marks k;
    const char *glob[] = {"t1?", "t2"};
    CHECK(xc_marks_resolve(m->graph, glob, 2, &k) == XC_OK);
    CHECK(k.n == 11 && xc_marks_has(&k, "t2") && xc_marks_has(&k, "t15") && !xc_marks_has(&k, "t1"));
    xc_marks_free(&k);
    const char *all[] = {"mark", "all"};
    CHECK(xc_marks_resolve(m->graph, all, 2, &k) == XC_OK);
    CHECK(k.n == 39 && !xc_marks_has(&k, "y")); /* graph outputs are kept anyway, not marked */
    xc_marks_free(&k);
    const char *bad[] = {"t3", "nope", "q*"};
    CHECK(xc_marks_resolve(m->graph, bad, 3, &k) == XC_ERR_USAGE);
    CHECK(strstr(xc_error_message(), "'nope', 'q*'") && !strstr(xc_error_message(), "'t3'"));
    xc_model_free(m);
}

TEST(mark_watch_keeps_marked_reference_tensors)
{
    xc_model *m = chain();
    if (!m) return;
    xc_marks k;
    const char *names[] = {"t5", "t6"};
    xc_tensor_list in = {0, NULL}, kept = {0, NULL};
    xc_backend *b = NULL;
    xc_tensor *out[1] = {NULL};
    CHECK(xc_marks_resolve(m->graph, names, 2, &k) == XC_OK);
    xc_input_spec spec = xc_input_spec_default();
    CHECK(xc_generate_inputs(m->graph, &spec, &in) == XC_OK);
    CHECK(xc_ref_backend_create(m, &b) == XC_OK);
    xc_mark_watch w = {&k, &kept, NULL};
    xc_observer o = xc_mark_watch_observer(&w);
    CHECK(b && xc_backend_run(b, (const xc_tensor *const *)in.t, out, &o) == XC_OK);
    CHECK(kept.n == 2 && !strcmp(kept.t[0]->name, "t5") && !strcmp(kept.t[1]->name, "t6"));
    /* t5 = -relu(-relu(...)) is <= 0 and t6 = relu(t5) is 0: the chain alternates Neg and Relu */
    for (size_t i = 0; kept.n == 2 && i < xc_tensor_numel(kept.t[1]); i++)
        CHECK(xc_load_f64(kept.t[1]->dtype, kept.t[1]->data, i) == 0);
    CHECK(xc_marks_report_missing(&k, &kept, NULL, m->graph, "ref") == 0);
    xc_tensor_free(out[0]);
    xc_tensor_list_free(&kept);
    xc_tensor_list_free(&in);
    xc_backend_destroy(b);
    xc_marks_free(&k);
    xc_model_free(m);
}

/* conformance.c — the ONNX backend-test runner behind `crosscheck conformance`: each data set
 * goes through the pipeline's check (runners/pipeline.h) on the runner asked for. */
#include "conformance.h"
#include "backend.h"
#include "dataset.h"
#include "onnx_io.h"
#include "runners/exec.h"
#include "runners/pipeline.h"
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct xfail_entry {
    char *name, *reason;
    int seen, line;
} xfail_entry;
typedef struct xfail_list {
    xfail_entry *e;
    int n;
} xfail_list;

xc_conformance_opts xc_conformance_defaults(void)
{
    xc_conformance_opts o;
    memset(&o, 0, sizeof o);
    o.tol = xc_tolerance_default();
    o.tol.rule = XC_RULE_ALLCLOSE;
    o.tol.rtol = 1e-3;
    o.tol.atol = 1e-5;
    o.tol.ulp_tol = 2; /* half-precision outputs: two roundings of slack (compare.h) */
    o.exec_timeout = XC_EXEC_TIMEOUT_DEFAULT;
    return o;
}

static void xfail_free(xfail_list *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->e[i].name);
        free(l->e[i].reason);
    }
    free(l->e);
}

static xc_status xfail_load(const char *path, xfail_list *l)
{
    memset(l, 0, sizeof *l);
    if (!path) return XC_OK;
    FILE *f = fopen(path, "r");
    if (!f) return xc_fail(XC_ERR_IO, "%s: cannot open expected-failures file", path);
    char line[2048];
    int line_no = 0;
    while (fgets(line, sizeof line, f)) {
        line_no++;
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || !*p) continue;
        size_t nl = strcspn(p, " \t\n");
        char *reason = p + nl + strspn(p + nl, " \t");
        reason[strcspn(reason, "\n")] = 0;
        xfail_entry *bigger = realloc(l->e, sizeof *l->e * (l->n + 1));
        if (!bigger) {
            fclose(f);
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
        l->e = bigger;
        l->e[l->n].name = strndup(p, nl);
        l->e[l->n].reason = strdup(reason);
        l->e[l->n].seen = 0;
        l->e[l->n].line = line_no;
        l->n++;
    }
    fclose(f);
    return XC_OK;
}

static xfail_entry *xfail_find(xfail_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->e[i].name, name)) return &l->e[i];
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names of the entries of dir that satisfy keep(). */
static char **list_dir(const char *dir, int (*keep)(const char *dir, const char *name), int *count)
{
    DIR *d = opendir(dir);
    *count = 0;
    if (!d) return NULL;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !keep(dir, e->d_name)) continue;
        char **bigger = realloc(names, sizeof(char *) * (*count + 1));
        if (!bigger) break;
        names = bigger;
        names[(*count)++] = strdup(e->d_name);
    }
    closedir(d);
    if (names) qsort(names, *count, sizeof(char *), cmp_str);
    return names;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
}

static int is_case(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s/model.onnx", dir, name);
    return stat(path, &st) == 0;
}

static int is_dataset(const char *dir, const char *name)
{
    (void)dir;
    return !strncmp(name, "test_data_set_", 14);
}

/* The runner a data set runs on: o->runner, else the reference or an OpenCL engine, prepared
 * for the data set's input shapes (engines have static shapes). */
static xc_status dataset_runner(const xc_model *m, const char *model_path, const xc_conformance_opts *o, const xc_tensor **fed,
                                xc_runner **out)
{
    const xc_graph *g = m->graph;
    xc_input_shape *shapes = calloc((size_t)g->n_inputs + 1, sizeof *shapes);
    if (!shapes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_ocl_build_options bo = xc_ocl_build_defaults();
    bo.timing_iterations = 1; /* conformance checks results, not speed */
    for (int i = 0, k = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        shapes[bo.n_shapes].name = g->inputs[i].name;
        shapes[bo.n_shapes].rank = fed[k]->rank;
        memcpy(shapes[bo.n_shapes].dims, fed[k]->dims, sizeof fed[k]->dims);
        bo.n_shapes++;
        k++;
    }
    bo.shapes = shapes;
    xc_runner_spec plain = {.kind = o->ocl ? "ocl" : "ref"};
    xc_runner_env env = {m, model_path, &bo, 1, 0, o->exec_timeout};
    xc_status s = xc_runner_open(o->runner ? o->runner : &plain, &env, out);
    free(shapes); /* the runner keeps no pointer into the options (the array was on the stack before) */
    return s;
}

/* Runs one data set: XC_CASE_PASS, or FAIL / UNSUPPORTED (an op refusing a value known only at
 * run time, e.g. Dropout's training_mode input) with the reason written. */
static xc_case_verdict run_dataset(const xc_model *m, const char *model_path, const xc_conformance_opts *o, const char *ds_dir,
                                   char *reason, size_t rlen)
{
    xc_runner *r = NULL;
    const xc_graph *g = m->graph;
    xc_tensor_list ins = {0}, outs = {0};
    int n_in = xc_graph_runtime_input_count(g);
    const xc_tensor **fed = calloc(n_in + 1, sizeof *fed), **want = calloc(g->n_outputs + 1, sizeof *want);
    xc_status s = !fed || !want ? xc_fail(XC_ERR_NOMEM, "out of memory") : XC_OK;
    if (s == XC_OK) s = xc_dataset_load(ds_dir, &ins, &outs);
    if (s == XC_OK) s = xc_match_inputs(g, &ins, fed);
    if (s == XC_OK) s = xc_match_outputs(g, &outs, want);
    if (s == XC_OK) s = dataset_runner(m, model_path, o, fed, &r);
    xc_check_tolerance tol = {.fixed = o->tol};
    xc_check_verdict v = {0};
    const xc_tensor *const *fed1[] = {fed}, *const * want1[] = {want};
    if (s == XC_OK) s = xc_pipeline_check(r, g, 1, fed1, want1, &tol, &v);
    xc_case_verdict verdict = s != XC_OK ? (s == XC_ERR_UNSUPPORTED ? XC_CASE_UNSUPPORTED : XC_CASE_FAIL)
                              : v.passed ? XC_CASE_PASS
                                         : XC_CASE_FAIL;
    if (s != XC_OK)
        snprintf(reason, rlen, "%s", xc_error_message());
    else if (!v.passed && v.r.shape_mismatch)
        snprintf(reason, rlen, "output '%s': got %s, expected %s", g->outputs[v.output].name, v.desc_got, v.desc_want);
    else if (!v.passed && want[v.output] && want[v.output]->dtype == XC_STRING) /* compare.c words string mismatches */
        snprintf(reason, rlen, "output '%s': %zu of %zu strings differ, %s", g->outputs[v.output].name, v.r.n_failed, v.r.count,
                 xc_error_message());
    else if (!v.passed)
        snprintf(reason, rlen,
                 "output '%s': %zu of %zu elements differ, max abs error %.3g at index %zu (got %.9g, expected %.9g)",
                 g->outputs[v.output].name, v.r.n_failed, v.r.count, v.r.max_abs, v.r.worst_index, v.r.worst_out, v.r.worst_ref);
    xc_runner_free(r);
    free(fed);
    free(want);
    xc_tensor_list_free(&ins);
    xc_tensor_list_free(&outs);
    return verdict;
}

static void run_case(const char *root, const char *name, const xc_conformance_opts *o, xc_case_result *r)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    xc_model *m = NULL;
    xc_backend *b = NULL;
    xc_status s = xc_model_load(path, &m);
    if (s == XC_OK) s = xc_ref_backend_create(m, &b); /* what the reference cannot run is unsupported, on every runner */
    if (s != XC_OK) {
        r->verdict = s == XC_ERR_UNSUPPORTED ? XC_CASE_UNSUPPORTED : XC_CASE_FAIL;
        snprintf(r->reason, sizeof r->reason, "%s", xc_error_message());
        goto out;
    }
    int n_ds = 0;
    char **ds = list_dir(dir, is_dataset, &n_ds);
    r->verdict = XC_CASE_PASS;
    for (int i = 0; i < n_ds && r->verdict == XC_CASE_PASS; i++) {
        char ds_path[4200];
        snprintf(ds_path, sizeof ds_path, "%s/%s", dir, ds[i]);
        r->verdict = run_dataset(m, path, o, ds_path, r->reason, sizeof r->reason);
        if (r->verdict != XC_CASE_PASS) {
            char tmp[1024];
            snprintf(tmp, sizeof tmp, "%s: %s", ds[i], r->reason);
            snprintf(r->reason, sizeof r->reason, "%s", tmp);
        }
    }
    free_names(ds, n_ds);
out:
    xc_backend_destroy(b);
    xc_model_free(m);
}

/* Every listed name must be a case under one of the roots: a file of anything else (a README
 * given by mistake) would otherwise expect nothing, silently. */
static xc_status xfail_check(const xfail_list *l, const char *path, const char *const *roots, int n_roots)
{
    for (int i = 0; i < l->n; i++) {
        int found = 0;
        for (int k = 0; k < n_roots && !found; k++) found = !strchr(l->e[i].name, '/') && is_case(roots[k], l->e[i].name);
        if (!found)
            return xc_fail(XC_ERR_USAGE,
                           "%s line %d: '%s' is not a test case under the roots given (the file lists case folder names, one per "
                           "line, each with an optional reason)",
                           path, l->e[i].line, l->e[i].name);
    }
    return XC_OK;
}

xc_status xc_conformance_run(const char *const *roots, int n_roots, const xc_conformance_opts *o, xc_conformance_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    regex_t re;
    if (o->filter && regcomp(&re, o->filter, REG_EXTENDED | REG_NOSUB))
        return xc_fail(XC_ERR_USAGE, "--filter '%s' is not a valid regular expression", o->filter);
    xfail_list xf;
    xc_status s = xfail_load(o->expected_failures, &xf);
    if (s == XC_OK) s = xfail_check(&xf, o->expected_failures, roots, n_roots);
    for (int k = 0; k < n_roots && s == XC_OK; k++) {
        int n = 0;
        char **cases = list_dir(roots[k], is_case, &n);
        if (!cases) {
            s = xc_fail(XC_ERR_IO, "%s: no test cases (expected <case>/model.onnx folders)", roots[k]);
            break;
        }
        for (int i = 0; i < n; i++) {
            if (o->filter && regexec(&re, cases[i], 0, NULL, 0)) continue;
            xc_case_result r;
            memset(&r, 0, sizeof r);
            r.name = cases[i];
            r.root = roots[k];
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            run_case(roots[k], cases[i], o, &r);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            r.seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
            xfail_entry *x = xfail_find(&xf, cases[i]);
            if (x) {
                x->seen = 1;
                if (r.verdict == XC_CASE_FAIL) {
                    r.verdict = XC_CASE_XFAIL;
                    char tmp[1024];
                    snprintf(tmp, sizeof tmp, "expected: %s (%s)", x->reason, r.reason);
                    snprintf(r.reason, sizeof r.reason, "%s", tmp);
                } else if (r.verdict == XC_CASE_PASS) {
                    r.verdict = XC_CASE_XPASS;
                    snprintf(r.reason, sizeof r.reason, "listed as an expected failure (%s) but passes: remove it from the list",
                             x->reason);
                }
            } else if (o->expected_failures && r.verdict == XC_CASE_UNSUPPORTED) {
                /* with a list, every case that does not pass is in it, with its reason: the list
                 * is the complete account of what crosscheck cannot do yet */
                char tmp[1024];
                snprintf(tmp, sizeof tmp, "unsupported and not listed in %s: %s", o->expected_failures, r.reason);
                snprintf(r.reason, sizeof r.reason, "%s", tmp);
                r.verdict = XC_CASE_FAIL;
            }
            switch (r.verdict) {
            case XC_CASE_PASS: sum->passed++; break;
            case XC_CASE_FAIL: sum->failed++; break;
            case XC_CASE_UNSUPPORTED: sum->skipped++; break;
            case XC_CASE_XFAIL: sum->xfailed++; break;
            case XC_CASE_XPASS: sum->xpassed++; break;
            }
            if (o->on_case) o->on_case(&r, o->user);
        }
        free_names(cases, n);
    }
    xfail_free(&xf);
    if (o->filter) regfree(&re);
    return s;
}

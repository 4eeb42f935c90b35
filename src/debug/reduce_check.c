/* reduce_check.c — one verdict of `debug reduce` on a candidate: the built-in check (the debug
 * session's build-run-compare on the candidate's model and data) or an external command, taken
 * from the replay file when it already holds this candidate's verdict. The built-in check
 * compares the engine with the reference, or with the runner given (--exec-runner ...), which
 * then runs on each candidate.
 *
 * The replay file is JSON {"format": "crosscheck-reduce-replay-1", "checks": [{"key", "passed",
 * "iteration"}...]}, rewritten after every check (atomically), so an interrupted run loses at
 * most the check in flight. The key hashes the candidate (its nodes and outputs) and what judges
 * it (the check command, or the tolerance, data and build options): the search is
 * deterministic, so a rerun asks for the same candidates in the same order and finds them all. */
#include "debug/reduce.h"
#include "file_io.h"
#include "onnx_io.h"
#include "runners/pipeline.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPLAY_FORMAT "crosscheck-reduce-replay-1"

uint64_t rd_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull; /* FNV-1a */
    return h;
}

static xc_status push_record(rd_state *st, rd_record r)
{
    if (st->n_records == st->cap_records) {
        int cap = st->cap_records ? st->cap_records * 2 : 32;
        rd_record *v = realloc(st->records, sizeof *v * cap);
        if (!v) return xc_fail(XC_ERR_NOMEM, "out of memory");
        st->records = v;
        st->cap_records = cap;
    }
    st->records[st->n_records++] = r;
    return XC_OK;
}

xc_status rd_replay_load(rd_state *st)
{
    const char *path = st->cfg->replay;
    if (!path || access(path, F_OK) != 0) return XC_OK; /* a new replay file */
    xc_mapping *map;
    XC_TRY(xc_read_file(path, &map));
    cJSON *root = cJSON_ParseWithLength(map->addr, map->len);
    xc_mapping_release(map);
    cJSON *fmt = cJSON_GetObjectItem(root, "format"), *checks = cJSON_GetObjectItem(root, "checks"), *it;
    xc_status s = XC_OK;
    if (!root || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, REPLAY_FORMAT) || !cJSON_IsArray(checks))
        s = xc_fail(XC_ERR_USAGE, "%s: not a debug reduce replay file (format %s)", path, REPLAY_FORMAT);
    cJSON *list = s == XC_OK ? checks : NULL;
    cJSON_ArrayForEach(it, list)
    {
        cJSON *key = cJSON_GetObjectItem(it, "key"), *passed = cJSON_GetObjectItem(it, "passed"),
              *iter = cJSON_GetObjectItem(it, "iteration");
        unsigned long long k;
        if (!cJSON_IsString(key) || sscanf(key->valuestring, "%16llx", &k) != 1 || !cJSON_IsBool(passed)
            || !cJSON_IsNumber(iter)) {
            s = xc_fail(XC_ERR_USAGE, "%s: check %d is malformed (key, passed, iteration)", path, cJSON_GetArraySize(checks));
            break;
        }
        s = push_record(st, (rd_record){k, cJSON_IsTrue(passed), iter->valueint});
        if (s != XC_OK) break;
    }
    cJSON_Delete(root);
    return s;
}

static xc_status replay_save(const rd_state *st)
{
    if (!st->cfg->replay) return XC_OK;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", REPLAY_FORMAT);
    cJSON_AddStringToObject(root, "model", st->cfg->base.model_path);
    cJSON *checks = cJSON_AddArrayToObject(root, "checks");
    for (int i = 0; i < st->n_records; i++) {
        char key[32];
        snprintf(key, sizeof key, "%016llx", (unsigned long long)st->records[i].key);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "key", key);
        cJSON_AddBoolToObject(r, "passed", st->records[i].passed);
        cJSON_AddNumberToObject(r, "iteration", st->records[i].iteration);
        cJSON_AddItemToArray(checks, r);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return xc_fail(XC_ERR_NOMEM, "out of memory");
    /* read at the start and updated after every check, like a timing cache */
    xc_status s = xc_write_file_flags(st->cfg->replay, text, strlen(text), XC_OUT_REPLACE_INPUT);
    free(text);
    return s;
}

xc_status rd_check_argv(const rd_state *st, const char *model, const char *inputs, char ***argv)
{
    xc_check_subst subst[2] = {{"{model}", model}, {"{inputs}", inputs}};
    return xc_check_command_argv(&st->cfg->base.command, subst, 2, 1, argv); /* the model appended without {model} */
}

/* Removes what a check left in the session folder (folders of test_data_set files included). */
static void remove_tree(const char *dir)
{
    char path[8192];
    for (int k = 0;; k++) {
        snprintf(path, sizeof path, "%s/test_data_set_%d", dir, k);
        int any = 0;
        for (int i = 0;; i++) {
            char f[8300];
            snprintf(f, sizeof f, "%s/input_%d.pb", path, i);
            int a = unlink(f) == 0;
            snprintf(f, sizeof f, "%s/output_%d.pb", path, i);
            int b = unlink(f) == 0;
            if (!a && !b) break;
            any = 1;
        }
        if (rmdir(path) != 0 && !any) break;
    }
    rmdir(dir);
}

static xc_status external(rd_state *st, const rd_data *d, const char *what, int *passed, char *why, size_t len)
{
    char model[4200], inputs[4200];
    int n = st->s.report->n_checks + 1;
    snprintf(model, sizeof model, "%s/check_%02d_model.onnx", st->s.dir, n);
    snprintf(inputs, sizeof inputs, "%s/check_%02d_inputs", st->s.dir, n);
    const xc_check_command *cmd = &st->cfg->base.command; /* the user is shown the inputs too */
    int want_inputs = cmd->interactive || xc_check_command_uses(cmd, "{inputs}");
    XC_TRY(xc_model_save(d->model, model));
    xc_status s = want_inputs ? rd_data_save(d, inputs) : XC_OK;
    char *out = NULL, set[4300];
    snprintf(set, sizeof set, "%s/test_data_set_0", inputs);
    xc_check_subst subst[2] = {{"{model}", model}, {"{inputs}", want_inputs ? set : NULL}};
    if (s == XC_OK) s = xc_check_command_run(cmd, what, subst, 2, 1, passed, why, len, &out);
    if (want_inputs) remove_tree(inputs);
    unlink(model); /* --artifacts-dir keeps its own copy, named for the verdict */
    if (s == XC_OK && cmd->show_output) xc_debug_show_output(&st->s, out);
    free(out);
    st->last_iteration = 0;
    return s;
}

/* With a golden other than the reference (--exec-runner ...), the candidate's expected outputs
 * are the golden's on the candidate model itself (saved for it to read), fed the same values. */
static xc_status golden_outputs(rd_state *st, rd_data *d)
{
    char model[4200];
    snprintf(model, sizeof model, "%s/check_%02d_golden.onnx", st->s.dir, st->s.report->n_checks + 1);
    XC_TRY(xc_model_save(d->model, model));
    xc_runner *golden = NULL;
    xc_status s = xc_debug_open_golden(&st->s, d->model, model, &golden);
    for (int k = 0; k < d->n_iter && s == XC_OK; k++) {
        xc_tensor **out = NULL;
        s = xc_pipeline_outputs(golden, d->model->graph, k, d->fed[k], &out);
        if (s != XC_OK) break;
        xc_pipeline_outputs_free(d->model->graph, d->ref[k]);
        d->ref[k] = out;
    }
    free(d->golden_depth);
    d->golden_depth = NULL;
    if (s == XC_OK) s = xc_pipeline_rounding_depths(golden, d->model->graph, &d->golden_depth);
    xc_runner_free(golden);
    unlink(model);
    return s == XC_OK ? XC_OK : xc_error_prefix(s, "golden run: ");
}

static xc_status builtin(rd_state *st, rd_data *d, const char *what, int *passed)
{
    if (st->cfg->base.n_against) XC_TRY(golden_outputs(st, d));
    xc_debug_session sub = st->s; /* the same counter, tolerance and progress; the candidate's data */
    sub.model = d->model;
    sub.n_iter = d->n_iter;
    sub.inputs = NULL;
    sub.fed = d->fed;
    sub.ref = d->ref;
    sub.golden_depth = d->golden_depth;
    xc_ocl_build_options o;
    XC_TRY(rd_build_options(st, d->model, &o));
    xc_status s = xc_debug_check(&sub, &o, what, passed, NULL);
    xc_ocl_options_free(&o);
    XC_TRY(s);
    st->last_iteration = sub.failed_iteration < 0 ? 0 : sub.failed_iteration;
    return XC_OK;
}

/* Keeps the candidate as good_NN_tag.onnx or bad_NN_tag.onnx in --artifacts-dir. */
static xc_status keep_artifact(rd_state *st, const rd_cand *c, const rd_data *d, int passed)
{
    if (!st->cfg->base.artifacts_dir) return XC_OK;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s_%02d_%s.onnx", st->s.dir, passed ? "good" : "bad", st->s.report->n_checks, c->tag);
    return xc_model_save(d->model, path);
}

int rd_replayed(rd_state *st, uint64_t key, const char *what, int *passed)
{
    for (int i = 0; i < st->n_records; i++) {
        if (st->records[i].key != key) continue;
        *passed = st->records[i].passed;
        st->last_iteration = st->records[i].iteration;
        st->rep->n_replayed += st->cfg->replay != NULL; /* debugfix D5: without --replay, a repeat of this run's own check */
        xc_debug_say(&st->s, "check %d: %s: %s (%s%s)", ++st->s.report->n_checks, what, *passed ? "PASSED" : "FAILED",
                     st->cfg->replay ? "replayed from " : "the verdict of an identical earlier candidate",
                     st->cfg->replay ? st->cfg->replay : "");
        return 1;
    }
    return 0;
}

xc_status rd_record_verdict(rd_state *st, uint64_t key, int passed)
{
    XC_TRY(push_record(st, (rd_record){key, passed, st->last_iteration}));
    return replay_save(st);
}

xc_status rd_check(rd_state *st, const rd_cand *c, int *passed)
{
    uint64_t key = rd_cand_key(st, c);
    if (rd_replayed(st, key, c->what, passed)) return XC_OK;
    rd_data d;
    XC_TRY(rd_data_make(st, c, &d));
    xc_status s;
    if (xc_check_external(&st->cfg->base.command)) {
        char why[512] = "";
        s = external(st, &d, c->what, passed, why, sizeof why);
        if (s == XC_OK)
            xc_debug_say(&st->s, "check %d: %s: %s (%s)", ++st->s.report->n_checks, c->what, *passed ? "PASSED" : "FAILED", why);
    } else {
        s = builtin(st, &d, c->what, passed);
    }
    if (s == XC_OK) s = keep_artifact(st, c, &d, *passed);
    rd_data_free(&d);
    return s == XC_OK ? rd_record_verdict(st, key, *passed) : s;
}

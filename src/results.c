/* results.c — the streaming results writer (see results.h): one .pb per tensor as it comes, the
 * index kept in memory (a few hundred bytes per tensor) and written by xc_results_close. */
#include "results.h"
#include "compare_json.h"
#include "compare.h"
#include "onnx_io.h"
#include "value_stats.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ITERATION 100000
#define PATH_CAP 4400

/* What has been written for one runner: its file-name stem and, per iteration and role, how
 * many tensors, which numbers the next file. */
typedef struct runner_files {
    char *name;
    char stem[72];
    int n_iters;
    int (*counts)[3];
} runner_files;

struct xc_results_writer {
    char *dir;
    cJSON *root, *list;
    runner_files *runners;
    int n_runners;
    int dataset_count[2]; /* input_K.pb / output_K.pb linked so far (first runner, iteration 0) */
};

/* A runner name reduced to [A-Za-z0-9_.-] (Polygraphy's names hold '/' and ':'), never
 * starting with '.', made unique by the runner's index when two names reduce alike. */
static void make_stem(const xc_results_writer *w, const char *name, char *stem, size_t cap)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 12 < cap; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
                 (*p == '.' && n > 0);
        stem[n++] = ok ? *p : '_';
    }
    stem[n] = 0;
    if (!n) snprintf(stem, cap, "runner");
    for (int i = 0; i < w->n_runners; i++)
        if (!strcmp(w->runners[i].stem, stem)) {
            snprintf(stem + strlen(stem), cap - strlen(stem), "_r%d", w->n_runners);
            break;
        }
}

static xc_status runner_slot(xc_results_writer *w, const char *name, int iteration, runner_files **out)
{
    runner_files *r = NULL;
    for (int i = 0; i < w->n_runners && !r; i++)
        if (!strcmp(w->runners[i].name, name)) r = &w->runners[i];
    if (!r) {
        runner_files *bigger = realloc(w->runners, sizeof *bigger * (w->n_runners + 1));
        if (!bigger) return xc_fail(XC_ERR_NOMEM, "out of memory");
        w->runners = bigger;
        r = &w->runners[w->n_runners];
        memset(r, 0, sizeof *r);
        make_stem(w, name, r->stem, sizeof r->stem);
        if (!(r->name = strdup(name))) return xc_fail(XC_ERR_NOMEM, "out of memory");
        w->n_runners++;
    }
    if (iteration >= r->n_iters) {
        int (*bigger)[3] = realloc(r->counts, sizeof *bigger * (iteration + 1));
        if (!bigger) return xc_fail(XC_ERR_NOMEM, "out of memory");
        memset(bigger + r->n_iters, 0, sizeof *bigger * (iteration + 1 - r->n_iters));
        r->counts = bigger;
        r->n_iters = iteration + 1;
    }
    *out = r;
    return XC_OK;
}

/* A previous crosscheck results set in dir: its files go, so none outlives the new index. */
static void remove_previous(const char *dir)
{
    char path[PATH_CAP];
    snprintf(path, sizeof path, "%s/index.json", dir);
    xc_mapping *m;
    if (access(path, F_OK) || xc_read_file(path, &m) != XC_OK) return;
    cJSON *root = cJSON_ParseWithLength(m->addr, m->len), *e;
    xc_mapping_release(m);
    const cJSON *fmt = cJSON_GetObjectItem(root, "format");
    if (cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "crosscheck-results-1")) {
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(root, "tensors")) {
            const char *keys[] = {"file", "dataset_file"};
            for (int k = 0; k < 2; k++) {
                const cJSON *f = cJSON_GetObjectItem(e, keys[k]);
                /* only plain names inside dir: the old index may have been edited by anyone */
                if (!cJSON_IsString(f) || strchr(f->valuestring, '/') || f->valuestring[0] == '.') continue;
                snprintf(path, sizeof path, "%s/%s", dir, f->valuestring);
                unlink(path);
            }
        }
    }
    cJSON_Delete(root);
    xc_error_clear();
}

xc_status xc_results_open(const char *dir, xc_results_writer **out)
{
    *out = NULL;
    if (!dir || !*dir) return xc_fail(XC_ERR_USAGE, "no results folder given");
    if (strlen(dir) > 4096) return xc_fail(XC_ERR_USAGE, "%.64s...: path too long", dir);
    if (mkdir(dir, 0777) && errno != EEXIST) return xc_fail(XC_ERR_IO, "%s: cannot create folder (%s)", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) return xc_fail(XC_ERR_IO, "%s: not a folder", dir);
    remove_previous(dir);
    xc_results_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->dir = strdup(dir)) || !(w->root = cJSON_CreateObject())) {
        if (w) free(w->dir);
        free(w);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    cJSON_AddStringToObject(w->root, "format", "crosscheck-results-1");
    w->list = cJSON_AddArrayToObject(w->root, "tensors");
    *out = w;
    return XC_OK;
}

/* input_K.pb / output_K.pb for the test_data_set view: a hard link to the tensor's own file
 * (no second copy of a large tensor), or a copy where the file system has no links. */
static xc_status link_dataset_file(xc_results_writer *w, xc_result_role role, const char *file, const xc_tensor *t,
                                   cJSON *entry)
{
    char alias[64], from[PATH_CAP], to[PATH_CAP];
    snprintf(alias, sizeof alias, "%s_%d.pb", xc_result_role_name(role), w->dataset_count[role]++);
    snprintf(from, sizeof from, "%s/%s", w->dir, file);
    snprintf(to, sizeof to, "%s/%s", w->dir, alias);
    unlink(to);
    if (link(from, to)) XC_TRY(xc_tensor_save_pb(t, to));
    cJSON_AddStringToObject(entry, "dataset_file", alias);
    return XC_OK;
}

xc_status xc_results_add(xc_results_writer *w, const char *runner, int iteration, const char *role,
                         const xc_tensor *t, const struct xc_compare_result *stats)
{
    int r = xc_result_role_from_name(role ? role : "");
    if (r < 0) return xc_fail(XC_ERR_USAGE, "results: unknown role '%s' (input, output or layer)", role ? role : "");
    if (!runner || !*runner) return xc_fail(XC_ERR_USAGE, "results: no runner name");
    if (iteration < 0 || iteration > MAX_ITERATION) return xc_fail(XC_ERR_USAGE, "results: iteration %d out of range", iteration);
    runner_files *rf = NULL;
    XC_TRY(runner_slot(w, runner, iteration, &rf));
    char file[128], path[PATH_CAP];
    snprintf(file, sizeof file, "%s_it%d_%s_%d.pb", rf->stem, iteration, role, rf->counts[iteration][r]++);
    snprintf(path, sizeof path, "%s/%s", w->dir, file);
    xc_status s = xc_tensor_save_pb(t, path);
    if (s != XC_OK) return xc_error_prefix(s, "tensor '%s': ", t->name ? t->name : "");
    xc_value_stats vs;
    xc_value_stats_compute(t, &vs);
    cJSON *e = cJSON_CreateObject(), *shape = cJSON_CreateArray();
    if (!e || !shape) {
        cJSON_Delete(e);
        cJSON_Delete(shape);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    cJSON_AddItemToArray(w->list, e);
    for (int d = 0; d < t->rank; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->dims[d]));
    cJSON_AddStringToObject(e, "runner", runner);
    cJSON_AddNumberToObject(e, "iteration", iteration);
    cJSON_AddStringToObject(e, "role", role);
    cJSON_AddStringToObject(e, "tensor", t->name ? t->name : "");
    cJSON_AddStringToObject(e, "dtype", xc_dtype_name(t->dtype));
    cJSON_AddItemToObject(e, "shape", shape);
    cJSON_AddStringToObject(e, "file", file);
    cJSON_AddItemToObject(e, "stats", xc_value_stats_json(&vs, 0));
    if (stats) cJSON_AddItemToObject(e, "compare", xc_compare_json(stats, NULL, t));
    if (rf == w->runners && iteration == 0 && r != XC_ROLE_LAYER) XC_TRY(link_dataset_file(w, r, file, t, e));
    return XC_OK;
}

xc_status xc_results_close(xc_results_writer *w)
{
    if (!w) return XC_OK;
    char path[PATH_CAP], *text = cJSON_Print(w->root);
    snprintf(path, sizeof path, "%s/index.json", w->dir);
    xc_status s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    for (int i = 0; i < w->n_runners; i++) {
        free(w->runners[i].name);
        free(w->runners[i].counts);
    }
    free(w->runners);
    cJSON_Delete(w->root);
    free(w->dir);
    free(w);
    return s;
}

xc_status xc_results_save(const char *dir, const char *runner, int iteration, const xc_tensor_list *inputs,
                          xc_tensor *const *outputs, int n_outputs)
{
    xc_results_writer *w;
    XC_TRY(xc_results_open(dir, &w));
    xc_status s = XC_OK;
    for (int i = 0; inputs && i < inputs->n && s == XC_OK; i++) s = xc_results_add(w, runner, iteration, "input", inputs->t[i], NULL);
    for (int o = 0; o < n_outputs && s == XC_OK; o++) s = xc_results_add(w, runner, iteration, "output", outputs[o], NULL);
    if (s != XC_OK) {
        xc_results_close(w);
        return s;
    }
    return xc_results_close(w);
}

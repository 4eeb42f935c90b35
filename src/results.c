/* results.c — the streaming results writer (see results.h): one .pb per tensor as it comes, the
 * index kept in memory (a few hundred bytes per tensor) and written by xc_results_close. */
#include "results.h"
#include "compare_json.h"
#include "compare.h"
#include "file_io.h"
#include "onnx_io.h"
#include "polygraphy_json.h"
#include <dirent.h>
#include <strings.h>
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
    char *dest;        /* the folder (or .json file) asked for */
    char *dir;         /* folder mode: the new folder being filled, swapped in at close */
    int json;          /* a Polygraphy JSON file: arrays kept in `polygraphy` until close */
    cJSON *polygraphy; /*   {runner: [iteration dicts]} for outputs; "inputs" for inputs */
    int has_outputs;
    xc_status failed; /* the first error of an add: close then keeps the old results */
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
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'
                 || (*p == '.' && n > 0);
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
        int(*bigger)[3] = realloc(r->counts, sizeof *bigger * (iteration + 1));
        if (!bigger) return xc_fail(XC_ERR_NOMEM, "out of memory");
        memset(bigger + r->n_iters, 0, sizeof *bigger * (iteration + 1 - r->n_iters));
        r->counts = bigger;
        r->n_iters = iteration + 1;
    }
    *out = r;
    return XC_OK;
}

/* Names this writer gives files: index.json and [A-Za-z0-9_.-]+.pb not starting with '.'. */
static int is_results_name(const char *n)
{
    if (!strcmp(n, "index.json")) return 1;
    size_t len = strlen(n);
    if (len < 4 || n[0] == '.' || strcmp(n + len - 3, ".pb")) return 0;
    return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

/* An existing dest may be replaced only when it is empty or holds nothing but files named as
 * this writer names them (a results folder, whose index.json must then be ours, or a
 * test_data_set). Anything
 * else is the user's, and no results are written over it. */
static xc_status check_replaceable(const char *dest)
{
    DIR *d = opendir(dest);
    if (!d) return xc_fail(XC_ERR_IO, "%s: cannot read folder (%s)", dest, strerror(errno));
    struct dirent *e;
    int entries = 0;
    char foreign[256] = "";
    while ((e = readdir(d)) && !foreign[0]) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        entries++;
        if (!is_results_name(e->d_name) || (e->d_type != DT_REG && e->d_type != DT_UNKNOWN))
            snprintf(foreign, sizeof foreign, "%s", e->d_name);
        char path[PATH_CAP];
        snprintf(path, sizeof path, "%s/%s", dest, e->d_name);
        const char *in = foreign[0] ? NULL : xc_input_named_by(path);
        if (in) { /* e lives in d: the message is made before closing it */
            xc_status s = xc_fail(XC_ERR_USAGE, "%s: holds '%s', an input of this command; give another folder", dest, e->d_name);
            closedir(d);
            return s;
        }
    }
    closedir(d);
    if (foreign[0])
        return xc_fail(XC_ERR_USAGE, "%s: holds '%s', which crosscheck did not write; give a new or empty folder", dest, foreign);
    if (!entries) return XC_OK;
    char path[PATH_CAP];
    snprintf(path, sizeof path, "%s/index.json", dest);
    xc_mapping *m;
    if (access(path, F_OK) != 0) return XC_OK; /* .pb files named as ours: a test_data_set */
    if (xc_read_file(path, &m) != XC_OK) return xc_error_prefix(XC_ERR_USAGE, "results folder: ");
    cJSON *root = cJSON_ParseWithLength(m->addr, m->len);
    xc_mapping_release(m);
    const cJSON *fmt = cJSON_GetObjectItem(root, "format");
    int ours = cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "crosscheck-results-1");
    cJSON_Delete(root);
    if (!ours) return xc_fail(XC_ERR_USAGE, "%s: index.json is not a crosscheck results index; give a new or empty folder", dest);
    return XC_OK;
}

/* Removes a folder this writer made or replaced: only the files it names, then the folder
 * (left in place if anything else appeared in it). */
static void remove_results_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[PATH_CAP];
    while ((e = readdir(d)))
        if (is_results_name(e->d_name)) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
    rmdir(dir);
}

static int ends_with_json(const char *p)
{
    size_t n = strlen(p);
    return n > 5 && !strcasecmp(p + n - 5, ".json");
}

xc_status xc_results_open(const char *dir, xc_results_writer **out)
{
    *out = NULL;
    if (!dir || !*dir) return xc_fail(XC_ERR_USAGE, "no results folder given");
    if (strlen(dir) > 4096) return xc_fail(XC_ERR_USAGE, "%.64s...: path too long", dir);
    int json = ends_with_json(dir);
    struct stat st;
    if (!json && stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return xc_fail(XC_ERR_IO, "%s: not a folder", dir);
        XC_TRY(check_replaceable(dir));
    }
    xc_results_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->dest = strdup(dir)) || !(w->root = cJSON_CreateObject())
        || (json && !(w->polygraphy = cJSON_CreateObject()))) {
        if (w) {
            free(w->dest);
            cJSON_Delete(w->root);
        }
        free(w);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    w->json = json;
    cJSON_AddStringToObject(w->root, "format", "crosscheck-results-1");
    w->list = cJSON_AddArrayToObject(w->root, "tensors");
    xc_status s = json ? XC_OK : xc_dir_begin(dir, &w->dir); /* a new folder, swapped in by close */
    if (s != XC_OK) {
        cJSON_Delete(w->root);
        cJSON_Delete(w->polygraphy);
        free(w->dest);
        free(w);
        return s;
    }
    *out = w;
    return XC_OK;
}

/* JSON mode: t goes into iteration `iteration` of runner's list (inputs: the list "inputs"). */
static xc_status keep_polygraphy(xc_results_writer *w, const char *runner, int iteration, int role, const xc_tensor *t)
{
    if (role == XC_ROLE_LAYER) return XC_OK;                         /* Polygraphy files hold inputs and outputs only */
    const char *key = role == XC_ROLE_INPUT ? "\x01inputs" : runner; /* no runner is named "\x01inputs" */
    if (role == XC_ROLE_OUTPUT) w->has_outputs = 1;
    cJSON *iters = cJSON_GetObjectItemCaseSensitive(w->polygraphy, key);
    if (!iters && !(iters = cJSON_AddArrayToObject(w->polygraphy, key))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    while (cJSON_GetArraySize(iters) <= iteration)
        if (!cJSON_AddItemToArray(iters, cJSON_CreateObject())) return xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON *arr;
    XC_TRY(xc_polygraphy_ndarray(t, &arr));
    cJSON *it = cJSON_GetArrayItem(iters, iteration);
    const char *name = t->name ? t->name : "";
    cJSON_DeleteItemFromObjectCaseSensitive(it, name);
    cJSON_AddItemToObject(it, name, arr);
    return XC_OK;
}

/* The Polygraphy file: RunResults when outputs were added, else the input data (a list of
 * feed dicts, one per iteration), as `polygraphy run --save-outputs/--save-inputs` write them. */
static xc_status write_polygraphy(xc_results_writer *w)
{
    cJSON *doc, *e;
    cJSON *inputs = cJSON_DetachItemFromObjectCaseSensitive(w->polygraphy, "\x01inputs");
    if (!w->has_outputs) {
        doc = inputs ? inputs : cJSON_CreateArray();
    } else {
        cJSON_Delete(inputs);
        doc = cJSON_CreateObject();
        cJSON *lst = cJSON_AddArrayToObject(doc, "lst");
        cJSON_AddStringToObject(doc, "polygraphy_class", "RunResults");
        while ((e = w->polygraphy->child)) {
            cJSON_DetachItemViaPointer(w->polygraphy, e);
            cJSON *pair = cJSON_CreateArray(), *iters = cJSON_CreateArray(), *it;
            cJSON_AddItemToArray(pair, cJSON_CreateString(e->string));
            while ((it = e->child)) {
                cJSON_DetachItemViaPointer(e, it);
                cJSON *ir = cJSON_CreateObject();
                cJSON_AddItemToObject(ir, "outputs", it);
                cJSON_AddNullToObject(ir, "runtime");
                cJSON_AddStringToObject(ir, "runner_name", e->string);
                cJSON_AddStringToObject(ir, "polygraphy_class", "IterationResult");
                cJSON_AddItemToArray(iters, ir);
            }
            cJSON_AddItemToArray(pair, iters);
            cJSON_AddItemToArray(lst, pair);
            cJSON_Delete(e);
        }
    }
    char *text = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    xc_status s = text ? xc_write_file(w->dest, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    return s;
}

/* input_K.pb / output_K.pb for the test_data_set view: a hard link to the tensor's own file
 * (no second copy of a large tensor), or a copy where the file system has no links. */
static xc_status link_dataset_file(xc_results_writer *w, xc_result_role role, const char *file, const xc_tensor *t, cJSON *entry)
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

xc_status xc_results_add(xc_results_writer *w, const char *runner, int iteration, const char *role, const xc_tensor *t,
                         const struct xc_compare_result *stats)
{
    int r = xc_result_role_from_name(role ? role : "");
    if (r < 0) return xc_fail(XC_ERR_USAGE, "results: unknown role '%s' (input, output or layer)", role ? role : "");
    if (!runner || !*runner) return xc_fail(XC_ERR_USAGE, "results: no runner name");
    if (iteration < 0 || iteration > MAX_ITERATION) return xc_fail(XC_ERR_USAGE, "results: iteration %d out of range", iteration);
    if (w->failed) return w->failed;
    if (w->json) return w->failed = keep_polygraphy(w, runner, iteration, r, t);
    runner_files *rf = NULL;
    XC_TRY(runner_slot(w, runner, iteration, &rf));
    char file[128], path[PATH_CAP];
    snprintf(file, sizeof file, "%s_it%d_%s_%d.pb", rf->stem, iteration, role, rf->counts[iteration][r]++);
    snprintf(path, sizeof path, "%s/%s", w->dir, file);
    xc_status s = xc_tensor_save_pb(t, path);
    if (s != XC_OK) return w->failed = xc_error_prefix(s, "tensor '%s': ", t->name ? t->name : "");
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
    if (t->value != XC_VALUE_TENSOR) { /* dtype is its tensors'; the file is a SequenceProto/OptionalProto */
        cJSON_AddStringToObject(e, "value", xc_value_kind_name(t->value));
        cJSON_AddNumberToObject(e, "items", t->n_items);
    }
    cJSON_AddStringToObject(e, "file", file);
    cJSON_AddItemToObject(e, "stats", xc_value_stats_json(&vs, 0));
    if (stats) cJSON_AddItemToObject(e, "compare", xc_compare_json(stats, NULL, t));
    if (rf == w->runners && iteration == 0 && r != XC_ROLE_LAYER) {
        s = link_dataset_file(w, r, file, t, e);
        if (s != XC_OK) return w->failed = s;
    }
    return XC_OK;
}

/* Folder mode: index.json last, then the new folder takes the old one's place in one rename
 * (or exchange), so a reader (or a kill) sees the complete old results or the complete new. */
static xc_status commit_folder(xc_results_writer *w)
{
    char path[PATH_CAP], *text = cJSON_Print(w->root);
    snprintf(path, sizeof path, "%s/index.json", w->dir);
    xc_status s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    int exchanged = 0;
    if (s == XC_OK) s = xc_dir_commit(w->dir, w->dest, &exchanged);
    if (s != XC_OK || exchanged) remove_results_dir(w->dir); /* the failed new one, or the old one */
    return s;
}

xc_status xc_results_close(xc_results_writer *w)
{
    if (!w) return XC_OK;
    xc_status s = w->failed;
    if (w->failed) {
        if (w->dir) remove_results_dir(w->dir); /* the old results stay as they were */
    } else {
        s = w->json ? write_polygraphy(w) : commit_folder(w);
    }
    for (int i = 0; i < w->n_runners; i++) {
        free(w->runners[i].name);
        free(w->runners[i].counts);
    }
    free(w->runners);
    cJSON_Delete(w->root);
    cJSON_Delete(w->polygraphy);
    free(w->dir);
    free(w->dest);
    free(w);
    return s;
}

xc_status xc_results_save(const char *dir, const char *runner, int iteration, const xc_tensor_list *inputs,
                          xc_tensor *const *outputs, int n_outputs)
{
    xc_results_writer *w;
    XC_TRY(xc_results_open(dir, &w));
    xc_status s = XC_OK;
    for (int i = 0; inputs && i < inputs->n && s == XC_OK; i++)
        s = xc_results_add(w, runner, iteration, "input", inputs->t[i], NULL);
    for (int o = 0; o < n_outputs && s == XC_OK; o++) s = xc_results_add(w, runner, iteration, "output", outputs[o], NULL);
    if (s != XC_OK) {
        xc_results_close(w);
        return s;
    }
    return xc_results_close(w);
}

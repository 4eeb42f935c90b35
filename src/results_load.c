/* results_load.c — reading results sets (see results.h): crosscheck results folders, ONNX
 * test_data_set folders, .pb and .npy files and Polygraphy JSON, into one list of entries;
 * and the look-ups a runner needs (runners present, tensors of a runner's iteration). */
#include "results.h"
#include "npy.h"
#include "onnx_io.h"
#include "polygraphy_json.h"
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ITERATION 100000

static const char *role_names[] = {"input", "output", "layer"};

const char *xc_result_role_name(xc_result_role r) { return (unsigned)r < 3 ? role_names[r] : "?"; }

int xc_result_role_from_name(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, role_names[i])) return i;
    return -1;
}

xc_status xc_results_new(const char *source, const char *format, xc_results **out)
{
    xc_results *r = calloc(1, sizeof *r);
    if (!r || !(r->source = strdup(source))) {
        free(r);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    r->format = format;
    *out = r;
    return XC_OK;
}

static void entry_free(xc_result_entry *e)
{
    free(e->runner);
    xc_tensor_free(e->t);
    cJSON_Delete(e->compare);
}

void xc_results_free(xc_results *r)
{
    if (!r) return;
    for (int i = 0; i < r->n; i++) entry_free(&r->e[i]);
    free(r->e);
    free(r->source);
    free(r);
}

xc_status xc_results_append(xc_results *r, const char *runner, int iteration, xc_result_role role, xc_tensor *t)
{
    xc_result_entry *bigger = realloc(r->e, sizeof *bigger * (r->n + 1));
    char *name = strdup(runner);
    if (!bigger || !name || (!t->name && xc_tensor_set_name(t, "") != XC_OK)) {
        if (bigger) r->e = bigger;
        free(name);
        xc_tensor_free(t);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    r->e = bigger;
    r->e[r->n++] = (xc_result_entry){name, iteration, role, t, NULL};
    return XC_OK;
}

/* ---- crosscheck results folders ---- */

/* only_role >= 0: entries of other roles are checked but their files are not read (a per-layer
 * dump may be far larger than the outputs --load-outputs wants). */
static xc_status index_entry(const char *dir, const cJSON *e, int k, int only_role, xc_results *r)
{
    const cJSON *runner = cJSON_GetObjectItem(e, "runner"), *it = cJSON_GetObjectItem(e, "iteration"),
                *role = cJSON_GetObjectItem(e, "role"), *file = cJSON_GetObjectItem(e, "file"),
                *tname = cJSON_GetObjectItem(e, "tensor"), *dtype = cJSON_GetObjectItem(e, "dtype"),
                *shape = cJSON_GetObjectItem(e, "shape");
    const char *what = cJSON_IsString(tname) ? tname->valuestring : "?";
    if (!cJSON_IsString(runner) || !cJSON_IsNumber(it) || !cJSON_IsString(role) || !cJSON_IsString(file))
        return xc_fail(XC_ERR_MODEL, "entry %d (tensor '%s'): needs string runner, role, file and a number iteration", k, what);
    int rl = xc_result_role_from_name(role->valuestring);
    if (rl < 0) return xc_fail(XC_ERR_MODEL, "entry %d (tensor '%s'): unknown role '%s'", k, what, role->valuestring);
    if (it->valuedouble < 0 || it->valuedouble > MAX_ITERATION || it->valuedouble != (int)it->valuedouble)
        return xc_fail(XC_ERR_MODEL, "entry %d (tensor '%s'): bad iteration", k, what);
    const char *f = file->valuestring;
    if (only_role >= 0 && rl != only_role) return XC_OK;
    /* the index names files inside this folder only; anything else could read elsewhere */
    if (!*f || strchr(f, '/') || f[0] == '.')
        return xc_fail(XC_ERR_MODEL, "entry %d (tensor '%s'): file '%s' is not a plain name in the folder", k, what, f);
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, f);
    xc_tensor *t;
    XC_TRY(xc_tensor_load_pb(path, &t));
    char desc[160], want[160] = "", dims_buf[120];
    xc_tensor_desc(t, desc, sizeof desc);
    if (cJSON_IsString(dtype) && cJSON_IsArray(shape)) {
        int64_t dims[XC_MAX_RANK];
        int rank = 0, ok = cJSON_GetArraySize(shape) <= XC_MAX_RANK;
        const cJSON *d;
        cJSON_ArrayForEach(d, shape) if (ok) dims[rank++] =
            cJSON_IsNumber(d) && d->valuedouble >= 0 && d->valuedouble < 9e18 ? (int64_t)d->valuedouble : -1;
        int dt = xc_dtype_from_name(dtype->valuestring);
        if (!ok || dt != (int)t->dtype || !xc_shape_equal(rank, dims, t->rank, t->dims))
            snprintf(want, sizeof want, "%s%s", dtype->valuestring,
                     ok ? xc_dims_str(rank, dims, dims_buf, sizeof dims_buf) : "[...]");
    }
    xc_status s = XC_OK;
    if (*want)
        s = xc_fail(XC_ERR_MODEL, "%s: holds %s but the index says %s", f, desc, want);
    else if (cJSON_IsString(tname) && t->name && *t->name && strcmp(t->name, tname->valuestring))
        s = xc_fail(XC_ERR_MODEL, "%s: holds tensor '%s' but the index says '%s'", f, t->name, tname->valuestring);
    else if (cJSON_IsString(tname) && (!t->name || !*t->name))
        s = xc_tensor_set_name(t, tname->valuestring);
    if (s != XC_OK) {
        xc_tensor_free(t);
        return s;
    }
    XC_TRY(xc_results_append(r, runner->valuestring, (int)it->valuedouble, (xc_result_role)rl, t));
    cJSON *cmp = cJSON_GetObjectItem(e, "compare");
    if (cJSON_IsObject(cmp)) r->e[r->n - 1].compare = cJSON_Duplicate(cmp, 1);
    return XC_OK;
}

static xc_status load_index(const char *dir, const char *index_path, int only_role, xc_results *r)
{
    xc_mapping *m;
    XC_TRY(xc_read_file(index_path, &m));
    cJSON *root = cJSON_ParseWithLength(m->addr, m->len);
    xc_mapping_release(m);
    const cJSON *fmt = cJSON_GetObjectItem(root, "format"), *list = cJSON_GetObjectItem(root, "tensors"), *e;
    xc_status s = XC_OK;
    if (!root)
        s = xc_fail(XC_ERR_MODEL, "not valid JSON");
    else if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "crosscheck-results-1"))
        s = xc_fail(XC_ERR_MODEL, "not a crosscheck results index (format is not \"crosscheck-results-1\")");
    else if (!cJSON_IsArray(list))
        s = xc_fail(XC_ERR_MODEL, "'tensors' is not a list");
    int k = 0;
    cJSON_ArrayForEach(e, list) if (s == XC_OK) s = index_entry(dir, e, k++, only_role, r);
    cJSON_Delete(root);
    if (s != XC_OK) return xc_error_prefix(s, "%s: ", index_path);
    r->format = "crosscheck-results-1";
    return XC_OK;
}

/* ---- everything else ---- */

static const char *base_name(const char *path, char *buf, size_t cap)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    size_t b = n;
    while (b > 0 && path[b - 1] != '/') b--;
    snprintf(buf, cap, "%.*s", (int)(n - b), path + b);
    return buf;
}

/* Is name a Polygraphy per-iteration file ("0000000007.json": ten digits)? Its number, or -1. */
static long iteration_file(const char *name)
{
    size_t n = strlen(name);
    if (n != 15 || strcmp(name + 10, ".json")) return -1;
    long k = 0;
    for (int i = 0; i < 10; i++) {
        if (name[i] < '0' || name[i] > '9') return -1;
        k = k * 10 + (name[i] - '0');
    }
    return k;
}

/* Polygraphy 0.53's per-iteration folder: 0000000000.json .. N-1, nothing skipped. Returns
 * XC_OK with *found 0 when dir is not one. */
static xc_status load_iteration_files(const char *dir, xc_results *r, int *found)
{
    *found = 0;
    DIR *d = opendir(dir);
    if (!d) return xc_fail(XC_ERR_IO, "%s: cannot read the folder: %s", dir, strerror(errno));
    long n = 0, max = -1;
    for (struct dirent *e; (e = readdir(d));) {
        long k = iteration_file(e->d_name);
        if (k < 0) continue;
        n++;
        if (k > max) max = k;
    }
    closedir(d);
    if (!n) return XC_OK;
    *found = 1;
    if (max + 1 != n || n > INT32_MAX)
        return xc_fail(XC_ERR_MODEL, "%s: per-iteration files 0000000000.json .. %010ld are not all there (%ld found)", dir, max,
                       n);
    for (long k = 0; k < n; k++) {
        size_t len = strlen(dir) + 17;
        char *path = malloc(len);
        if (!path) return xc_fail(XC_ERR_NOMEM, "out of memory");
        snprintf(path, len, "%s/%010ld.json", dir, k);
        xc_mapping *m;
        xc_status s = xc_read_file(path, &m);
        if (s == XC_OK) {
            s = xc_polygraphy_json_parse_iteration(m->addr, m->len, (int)k, r);
            xc_mapping_release(m);
        }
        if (s != XC_OK) s = xc_error_prefix(s, "%s: ", path);
        free(path);
        XC_TRY(s);
    }
    return XC_OK;
}

static xc_status load_folder(const char *dir, int only_role, xc_results *r)
{
    char index[4400];
    snprintf(index, sizeof index, "%s/index.json", dir);
    DIR *d = opendir(dir); /* an unreadable folder must not read as an empty test_data_set */
    if (!d) return xc_fail(XC_ERR_IO, "%s: cannot read the folder: %s", dir, strerror(errno));
    closedir(d);
    if (!access(index, F_OK)) return load_index(dir, index, only_role, r);
    if (errno != ENOENT) return xc_fail(XC_ERR_IO, "%s: %s", index, strerror(errno));
    int per_iteration;
    XC_TRY(load_iteration_files(dir, r, &per_iteration));
    if (per_iteration) return XC_OK;
    xc_tensor_list lists[2] = {{0}};
    xc_status s = xc_dataset_load(dir, &lists[0], &lists[1]);
    char name[256];
    base_name(dir, name, sizeof name);
    for (int role = 0; role < 2; role++)
        for (int i = 0; i < lists[role].n; i++) {
            if (s == XC_OK)
                s = xc_results_append(r, name, 0, (xc_result_role)role, lists[role].t[i]);
            else
                xc_tensor_free(lists[role].t[i]);
        }
    free(lists[0].t);
    free(lists[1].t);
    r->format = "test_data_set";
    return s;
}

static int looks_like_json(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) i++;
    return i < len && (p[i] == '{' || p[i] == '[');
}

/* A crosscheck index.json given by name reads as its folder. */
static int is_crosscheck_index(const char *path)
{
    char name[64];
    return !strcmp(base_name(path, name, sizeof name), "index.json");
}

/* One file, recognised by its content: .npy magic, JSON, else a TensorProto. role < 0: from
 * the file's name (input_K.pb is an input, anything else an output). */
static xc_status load_file(const char *path, int role, xc_results *r)
{
    char name[256];
    base_name(path, name, sizeof name);
    if (role < 0) role = strncmp(name, "input", 5) ? XC_ROLE_OUTPUT : XC_ROLE_INPUT;
    xc_mapping *m;
    XC_TRY(xc_read_file(path, &m));
    xc_status s;
    xc_tensor *t = NULL;
    if (m->len >= 6 && !memcmp(m->addr, "\x93NUMPY", 6)) {
        s = xc_npy_parse(m->addr, m->len, &t);
        if (s == XC_OK) {
            char *dot = strrchr(name, '.');
            if (dot && dot != name) *dot = 0; /* x.npy holds the tensor "x" */
            s = xc_tensor_set_name(t, name);
        }
        r->format = "npy";
    } else if (looks_like_json(m->addr, m->len)) {
        s = xc_polygraphy_json_parse(m->addr, m->len, r);
    } else {
        s = xc_tensor_load_pb_buffer(m->addr, m->len, &t);
        r->format = "pb";
    }
    xc_mapping_release(m);
    if (s == XC_OK && t) return xc_results_append(r, "files", 0, (xc_result_role)role, t);
    xc_tensor_free(t);
    return s == XC_OK ? XC_OK : xc_error_prefix(s, "%s: ", path);
}

static xc_status load_one(const char *path, int role, xc_results *r)
{
    struct stat st;
    if (stat(path, &st)) return xc_fail(XC_ERR_IO, "%s: no such file or folder", path);
    if (S_ISDIR(st.st_mode)) return load_folder(path, role, r);
    if (is_crosscheck_index(path)) {
        char dir[4400];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        else
            snprintf(dir, sizeof dir, ".");
        return load_index(dir, path, role, r);
    }
    return load_file(path, role, r);
}

static xc_status load_paths(const char *const *paths, int n, int role, xc_results **out)
{
    *out = NULL;
    if (n < 1) return xc_fail(XC_ERR_USAGE, "no results path given");
    xc_results *r;
    XC_TRY(xc_results_new(paths[0], "mixed", &r));
    const char *format = NULL;
    for (int i = 0; i < n; i++) {
        xc_status s = load_one(paths[i], role, r);
        if (s != XC_OK) {
            xc_results_free(r);
            return s;
        }
        format = !format || !strcmp(format, r->format) ? r->format : "mixed";
    }
    r->format = format;
    *out = r;
    return XC_OK;
}

xc_status xc_results_load(const char *path, xc_results **out) { return load_paths(&path, 1, -1, out); }

xc_status xc_results_load_paths(const char *const *paths, int n, xc_result_role role, xc_results **out)
{
    return load_paths(paths, n, (int)role, out);
}

/* ---- look-ups ---- */

xc_status xc_results_runners(const xc_results *r, const char ***names, int *n)
{
    *n = 0;
    *names = malloc(sizeof(char *) * (r->n + 1));
    if (!*names) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < r->n; i++) {
        int seen = 0;
        for (int j = 0; j < *n && !seen; j++) seen = !strcmp((*names)[j], r->e[i].runner);
        if (!seen) (*names)[(*n)++] = r->e[i].runner;
    }
    return XC_OK;
}

int xc_results_iterations(const xc_results *r, const char *runner)
{
    int n = 0;
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->e[i].runner, runner) && r->e[i].iteration >= n) n = r->e[i].iteration + 1;
    return n;
}

const xc_tensor *xc_results_find(const xc_results *r, const char *runner, int iteration, xc_result_role role, const char *name)
{
    for (int i = 0; i < r->n; i++) {
        const xc_result_entry *e = &r->e[i];
        if (e->iteration == iteration && e->role == role && !strcmp(e->runner, runner) && !strcmp(e->t->name, name)) return e->t;
    }
    return NULL;
}

/* The runner selected by name, or the first with tensors of (iteration, role); NULL if none. */
static const char *pick_runner(const xc_results *r, const char *runner, int iteration, xc_result_role role)
{
    for (int i = 0; i < r->n; i++)
        if (r->e[i].iteration == iteration && r->e[i].role == role && (!runner || !strcmp(r->e[i].runner, runner)))
            return r->e[i].runner;
    return NULL;
}

static xc_status none_found(const xc_results *r, const char *runner, int iteration, xc_result_role role)
{
    return xc_fail(XC_ERR_USAGE, "%s: no %s tensors%s%s at iteration %d (it holds %s)", r->source, xc_result_role_name(role),
                   runner ? " of runner " : "", runner ? runner : "", iteration, r->format);
}

xc_status xc_results_select(const xc_results *r, const char *runner, int iteration, xc_result_role role, xc_tensor_list *out)
{
    const char *pick = pick_runner(r, runner, iteration, role);
    if (!pick) return none_found(r, runner, iteration, role);
    for (int i = 0; i < r->n; i++) {
        const xc_result_entry *e = &r->e[i];
        if (e->iteration != iteration || e->role != role || strcmp(e->runner, pick)) continue;
        xc_tensor *t;
        XC_TRY(xc_tensor_clone(e->t, &t));
        XC_TRY(xc_tensor_list_push(out, t));
    }
    return XC_OK;
}

xc_status xc_results_take(xc_results *r, const char *runner, int iteration, xc_result_role role, xc_tensor_list *out)
{
    const char *found = pick_runner(r, runner, iteration, role);
    if (!found) return none_found(r, runner, iteration, role);
    char *pick = strdup(found); /* entries (and their runner strings) leave r as we go */
    if (!pick) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    int kept = 0;
    for (int i = 0; i < r->n; i++) {
        xc_result_entry *e = &r->e[i];
        if (s != XC_OK || e->iteration != iteration || e->role != role || strcmp(e->runner, pick)) {
            r->e[kept++] = *e;
            continue;
        }
        s = xc_tensor_list_push(out, e->t);
        e->t = NULL;
        entry_free(e);
    }
    r->n = kept;
    free(pick);
    return s;
}

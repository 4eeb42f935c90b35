/* qdq_calibrate.c — the min-max calibrator and its cache (qdq_calibrate.h). */
#include "qdq_calibrate.h"
#include "backend.h"
#include <cjson/cJSON.h>
#include "file_io.h"
#include "onnx_io.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_FORMAT "crosscheck-calibration-1"

static xc_status read_cache(const char *path, const char *const *names, int n, float *amax)
{
    xc_mapping *m;
    XC_TRY(xc_read_file(path, &m));
    cJSON *root = cJSON_ParseWithLength(m->addr, m->len);
    xc_mapping_release(m);
    const cJSON *fmt = cJSON_GetObjectItem(root, "format"), *ranges = cJSON_GetObjectItem(root, "ranges");
    xc_status s = XC_OK;
    if (!root || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, CACHE_FORMAT) || !cJSON_IsObject(ranges))
        s = xc_fail(XC_ERR_MODEL, "%s: not a crosscheck calibration cache (format %s)", path, CACHE_FORMAT);
    /* JSON lets a key repeat and cJSON would answer the first: a hand-edited cache with two
     * ranges for one tensor is refused rather than half-read */
    const cJSON *a, *b;
    if (s == XC_OK)
        for (a = ranges->child; a && s == XC_OK; a = a->next)
            for (b = a->next; b && s == XC_OK; b = b->next)
                if (!strcmp(a->string, b->string)) s = xc_fail(XC_ERR_MODEL, "%s: tensor '%s' has two ranges", path, a->string);
    for (int i = 0; s == XC_OK && i < n; i++) {
        /* tensor names are case-sensitive; cJSON_GetObjectItem is not */
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(ranges, names[i]);
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || !isfinite(v->valuedouble))
            s = xc_fail(XC_ERR_MODEL, "%s: no range for tensor '%s' (calibrate again: remove the cache, give --calibration-data)",
                        path, names[i]);
        else
            amax[i] = (float)v->valuedouble;
    }
    cJSON_Delete(root);
    return s;
}

static xc_status write_cache(const char *path, const char *calibrator, const char *const *names, int n, const float *amax,
                             int sets)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", CACHE_FORMAT);
    cJSON_AddStringToObject(root, "calibrator", calibrator);
    cJSON_AddNumberToObject(root, "sets", sets);
    cJSON *ranges = cJSON_AddObjectToObject(root, "ranges");
    for (int i = 0; i < n; i++) /* a tensor feeding several int8 layers is listed once per layer */
        if (!cJSON_GetObjectItemCaseSensitive(ranges, names[i])) cJSON_AddNumberToObject(ranges, names[i], amax[i]);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    xc_status s = text ? xc_write_file_flags(path, text, strlen(text), 0) : xc_fail(XC_ERR_NOMEM, "out of memory");
    free(text);
    return s;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The calibration sets of dir: its sub-folders in name order, or dir itself when it has none. */
static xc_status list_sets(const char *dir, char ***sets, int *n)
{
    *sets = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return xc_fail(XC_ERR_IO, "--calibration-data %s: cannot open the folder", dir);
    int cap = 16;
    *n = 0;
    *sets = malloc(sizeof **sets * cap);
    xc_status s = *sets ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    struct dirent *ent;
    while (s == XC_OK && (ent = readdir(d))) {
        if (ent->d_name[0] == '.') continue;
        size_t len = strlen(dir) + strlen(ent->d_name) + 2;
        char *path = malloc(len);
        struct stat st;
        if (!path) {
            s = xc_fail(XC_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s", dir, ent->d_name);
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
            free(path);
            continue;
        }
        if (*n == cap) {
            char **grown = realloc(*sets, sizeof **sets * (cap *= 2));
            if (!grown) {
                free(path);
                s = xc_fail(XC_ERR_NOMEM, "out of memory");
                break;
            }
            *sets = grown;
        }
        (*sets)[(*n)++] = path;
    }
    closedir(d);
    if (s == XC_OK && !*n) {
        (*sets)[0] = strdup(dir);
        *n = (*sets)[0] ? 1 : 0;
        if (!*n) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    if (s == XC_OK) {
        qsort(*sets, (size_t)*n, sizeof **sets, by_name);
        return XC_OK;
    }
    for (int k = 0; k < *n; k++) free((*sets)[k]);
    free(*sets);
    *sets = NULL;
    *n = 0;
    return s;
}

#define HIST_BINS 2048   /* |x| histogram of the entropy calibrator, over [0, amax] */
#define QUANT_LEVELS 128 /* int8 magnitudes the candidate thresholds are quantized to */

/* hist == NULL: widens amax[] by each tensor's max |value|; else adds |value| to tensor i's
 * histogram hist[i * HIST_BINS ...] over [0, amax[i]]. */
static void observe(const xc_tensor *t, int i, float *amax, double *hist)
{
    size_t count = t->dtype == XC_FLOAT ? t->nbytes / sizeof(float) : 0;
    for (size_t j = 0; j < count; j++) {
        float v = fabsf(((const float *)t->data)[j]);
        if (!isfinite(v)) continue;
        if (!hist) {
            if (v > amax[i]) amax[i] = v;
            continue;
        }
        int b = amax[i] > 0 ? (int)(v / amax[i] * HIST_BINS) : 0;
        hist[(size_t)i * HIST_BINS + (b < HIST_BINS ? b : HIST_BINS - 1)] += 1;
    }
}

/* KL(p || q) of two unnormalized distributions over n bins (q > 0 wherever p > 0). */
static double kl_divergence(const double *p, const double *q, int n)
{
    double sp = 0, sq = 0, kl = 0;
    for (int k = 0; k < n; k++) sp += p[k], sq += q[k];
    for (int k = 0; k < n; k++)
        if (p[k] > 0) kl += p[k] / sp * log((p[k] / sp) / (q[k] / sq));
    return kl;
}

/* TensorRT's entropy calibration on one |x| histogram: for each candidate threshold of i bins
 * (128..2048), the reference distribution p is the first i bins with everything beyond folded
 * into the last; q is p merged into 128 levels and spread back evenly over each level's
 * non-empty bins; the threshold with the smallest KL(p || q) wins, at its last bin's upper edge. */
static float entropy_threshold(const double *hist, float amax, double *p, double *q)
{
    double tail = 0, best = INFINITY;
    int best_i = HIST_BINS;
    for (int k = 0; k < HIST_BINS; k++) tail += hist[k];
    for (int k = 0; k < QUANT_LEVELS; k++) tail -= hist[k];
    for (int i = QUANT_LEVELS; i <= HIST_BINS; i++) {
        if (i > QUANT_LEVELS) tail -= hist[i - 1];
        memcpy(p, hist, sizeof *p * (size_t)i);
        p[i - 1] += tail;
        int merged = i / QUANT_LEVELS;
        for (int j = 0; j < QUANT_LEVELS; j++) {
            int start = j * merged, stop = j == QUANT_LEVELS - 1 ? i : start + merged, nonzero = 0;
            double sum = 0;
            for (int k = start; k < stop; k++) sum += p[k], nonzero += p[k] > 0;
            for (int k = start; k < stop; k++) q[k] = p[k] > 0 ? sum / nonzero : 0;
        }
        double kl = kl_divergence(p, q, i);
        if (kl < best) best = kl, best_i = i;
    }
    return (float)((double)best_i * amax / HIST_BINS);
}

/* The runtime inputs of m from set/input_K.pb (K = 0, 1, ...), matched by tensor name, else by
 * position; given[] holds what was loaded (caller frees each), ordered[] one per runtime input. */
static xc_status load_set(const xc_model *m, const char *set, xc_tensor **given, const xc_tensor **ordered, int k)
{
    size_t len = strlen(set) + 32;
    char *path = malloc(len);
    if (!path) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    for (int i = 0; s == XC_OK && i < k; i++) {
        snprintf(path, len, "%s/input_%d.pb", set, i);
        s = access(path, F_OK) == 0
                ? xc_tensor_load_pb(path, &given[i])
                : xc_fail(XC_ERR_IO, "--calibration-data %s: no %s (the model takes %d inputs)", set, path, k);
    }
    free(path);
    const xc_graph *g = m->graph;
    for (int gi = 0, r = 0; s == XC_OK && gi < g->n_inputs; gi++) {
        if (!xc_graph_is_runtime_input(g, gi)) continue;
        ordered[r] = given[r];
        for (int i = 0; i < k; i++)
            if (xc_tensor_name(given[i]) && !strcmp(xc_tensor_name(given[i]), g->inputs[gi].name)) ordered[r] = given[i];
        r++;
    }
    return s;
}

/* Runs the reference on one input set and observes the tensors (observe()). */
static xc_status calibrate_set(const xc_model *m, const char *set, const char *const *names, int n, float *amax, double *hist)
{
    int k = 0;
    for (int gi = 0; gi < m->graph->n_inputs; gi++) k += xc_graph_is_runtime_input(m->graph, gi);
    const xc_tensor **ordered = calloc((size_t)k + 1, sizeof *ordered);
    xc_tensor **given = calloc((size_t)k + 1, sizeof *given);
    xc_status s = ordered && given ? load_set(m, set, given, ordered, k) : xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_ref_session *ref = NULL;
    if (s == XC_OK) s = xc_ref_session_create(m, ordered, &ref);
    for (int i = 0; s == XC_OK && i < n; i++) {
        const xc_tensor *t;
        s = xc_ref_session_get(ref, names[i], &t);
        if (s != XC_OK) break;
        observe(t, i, amax, hist);
        xc_ref_session_release(ref, names[i]);
    }
    if (s != XC_OK) xc_error_prefix(s, "--calibration-data %s: ", set);
    xc_ref_session_free(ref);
    for (int i = 0; given && i < k; i++) xc_tensor_free(given[i]);
    free(given);
    free(ordered);
    return s;
}

/* The second pass of the entropy calibrator: histograms over [0, amax], then thresholds. */
static xc_status entropy_pass(const xc_model *m, char *const *sets, int n_sets, const char *const *names, int n, float *amax)
{
    double *hist = calloc((size_t)n * HIST_BINS + 1, sizeof *hist), *p = malloc(sizeof *p * HIST_BINS),
           *q = malloc(sizeof *q * HIST_BINS);
    xc_status s = hist && p && q ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; s == XC_OK && k < n_sets; k++) s = calibrate_set(m, sets[k], names, n, amax, hist);
    for (int i = 0; s == XC_OK && i < n; i++)
        if (amax[i] > 0) amax[i] = entropy_threshold(hist + (size_t)i * HIST_BINS, amax[i], p, q);
    free(hist);
    free(p);
    free(q);
    return s;
}

xc_status xq_calibration_ranges(const xc_model *m, const xc_ocl_build_options *o, const char *const *names, int n, float *amax)
{
    if (o->calibration_cache && access(o->calibration_cache, F_OK) == 0) return read_cache(o->calibration_cache, names, n, amax);
    if (!o->calibration_data)
        return xc_fail(XC_ERR_USAGE,
                       "--int8 needs activation ranges: give --calibration-data DIR (or an existing --calibration-cache)");
    char **sets = NULL;
    int n_sets = 0;
    XC_TRY(list_sets(o->calibration_data, &sets, &n_sets));
    for (int i = 0; i < n; i++) amax[i] = 0.0f;
    xc_status s = XC_OK;
    for (int k = 0; s == XC_OK && k < n_sets; k++) s = calibrate_set(m, sets[k], names, n, amax, NULL);
    if (s == XC_OK && o->calibrator_entropy)
        s = entropy_pass(/* amax was its first pass: the histograms' range */ m, sets, n_sets, names, n, amax);
    for (int k = 0; k < n_sets; k++) free(sets[k]);
    free(sets);
    if (s == XC_OK && o->calibration_cache)
        s = write_cache(o->calibration_cache, o->calibrator_entropy ? "entropy" : "minmax", names, n, amax, n_sets);
    return s;
}

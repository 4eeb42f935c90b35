/* inspect_tactics.c — `inspect tactics` and `inspect diff-tactics` (see inspect_tactics.h).
 * Files are read through the replay-file reader the builder uses (ocl/tactics_file.c), so a
 * file the builder would refuse to replay is refused here with the same message. */
#include "inspect_tactics.h"
#include "ocl/tactics_file.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

xc_status xc_inspect_tactics(const char *path, cJSON **out)
{
    xc_tactics_file *f;
    *out = NULL;
    XC_TRY(xc_tactics_load(path, NULL, &f));
    cJSON *root = cJSON_CreateObject(), *list = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "file", path);
    const char *name, *tactic;
    for (int i = 0; xc_tactics_entry(f, i, &name, &tactic); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "tactic", tactic);
        cJSON_AddItemToArray(list, o);
    }
    cJSON_AddItemToObject(root, "layers", list);
    xc_tactics_free(f);
    *out = root;
    return XC_OK;
}

static int is_json_name(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

/* Appends path to files, or the .json files in it (sorted) when it is a folder. */
static xc_status expand(const char *path, cJSON *files)
{
    struct stat st;
    if (stat(path, &st) != 0) return xc_fail(XC_ERR_IO, "%s: no such file or folder", path);
    if (!S_ISDIR(st.st_mode)) {
        cJSON_AddItemToArray(files, cJSON_CreateString(path));
        return XC_OK;
    }
    struct dirent **list;
    int n = scandir(path, &list, is_json_name, alphasort);
    if (n < 0) return xc_fail(XC_ERR_IO, "%s: cannot list the folder", path);
    for (int i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, list[i]->d_name);
        cJSON_AddItemToArray(files, cJSON_CreateString(full));
        free(list[i]);
    }
    free(list);
    return n ? XC_OK : xc_fail(XC_ERR_USAGE, "%s: a folder with no .json replay file", path);
}

/* seen: {layer: {tactic: [good builds, bad builds]}} in order of first appearance. */
static xc_status count_file(const char *path, int side, cJSON *seen)
{
    xc_tactics_file *f;
    XC_TRY(xc_tactics_load(path, NULL, &f));
    const char *name, *tactic;
    for (int i = 0; xc_tactics_entry(f, i, &name, &tactic); i++) {
        cJSON *layer = cJSON_GetObjectItemCaseSensitive(seen, name);
        if (!layer) layer = cJSON_AddObjectToObject(seen, name);
        cJSON *counts = cJSON_GetObjectItemCaseSensitive(layer, tactic);
        if (!counts) {
            const double zero[2] = {0, 0};
            counts = cJSON_CreateDoubleArray(zero, 2);
            cJSON_AddItemToObject(layer, tactic, counts);
        }
        cJSON *c = cJSON_GetArrayItem(counts, side);
        cJSON_SetNumberValue(c, c->valuedouble + 1);
    }
    xc_tactics_free(f);
    return XC_OK;
}

static cJSON *tactic_count(const char *tactic, const char *key, double n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tactic", tactic);
    cJSON_AddNumberToObject(o, key, n);
    return o;
}

/* The suspects of one layer, or NULL when every tactic its bad builds used also ran in a good one. */
static cJSON *suspects_of(const cJSON *layer)
{
    cJSON *suspects = cJSON_CreateArray(), *good = cJSON_CreateArray();
    const cJSON *t;
    int in_good = 0;
    cJSON_ArrayForEach(t, layer)
    {
        double g = cJSON_GetArrayItem(t, 0)->valuedouble, b = cJSON_GetArrayItem(t, 1)->valuedouble;
        if (g > 0) {
            in_good = 1;
            cJSON_AddItemToArray(good, tactic_count(t->string, "good_builds", g));
        } else if (b > 0) {
            cJSON_AddItemToArray(suspects, tactic_count(t->string, "bad_builds", b));
        }
    }
    if (!cJSON_GetArraySize(suspects)) {
        cJSON_Delete(suspects);
        cJSON_Delete(good);
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", layer->string);
    cJSON_AddBoolToObject(o, "in_good_builds", in_good);
    cJSON_AddItemToObject(o, "suspects", suspects);
    cJSON_AddItemToObject(o, "good_tactics", good);
    return o;
}

xc_status xc_diff_tactics(const char *const *good, int n_good, const char *const *bad, int n_bad, cJSON **out)
{
    *out = NULL;
    cJSON *root = cJSON_CreateObject(), *seen = cJSON_CreateObject(), *f;
    cJSON *sides[2] = {cJSON_AddArrayToObject(root, "good_files"), cJSON_AddArrayToObject(root, "bad_files")};
    xc_status s = XC_OK;
    for (int i = 0; s == XC_OK && i < n_good; i++) s = expand(good[i], sides[0]);
    for (int i = 0; s == XC_OK && i < n_bad; i++) s = expand(bad[i], sides[1]);
    if (s == XC_OK && (!cJSON_GetArraySize(sides[0]) || !cJSON_GetArraySize(sides[1])))
        s = xc_fail(XC_ERR_USAGE, "diff-tactics needs at least one good and one bad replay file");
    for (int side = 0; side < 2; side++)
        cJSON_ArrayForEach(f, sides[side]) if (s == XC_OK) s = count_file(f->valuestring, side, seen);
    if (s == XC_OK) {
        cJSON *layers = cJSON_AddArrayToObject(root, "layers"), *l, *sus;
        cJSON_AddNumberToObject(root, "layers_compared", cJSON_GetArraySize(seen));
        cJSON_ArrayForEach(l, seen) if ((sus = suspects_of(l))) cJSON_AddItemToArray(layers, sus);
        *out = root;
    } else {
        cJSON_Delete(root);
    }
    cJSON_Delete(seen);
    return s;
}

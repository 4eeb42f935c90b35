/* plan_open.c — opening what a user names as "the engine": a model (built now) or a plan (with
 * the model it was built from, found through the plan unless named). Used by bench, inspect
 * engine and the public xc_engine_open_plan. */
#include "ocl/ocl.h"
#include "file_io.h"
#include "onnx_io.h"
#include "tensor_proto.h" /* xc_external_path */
#include <cjson/cJSON.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The model a plan was built from: the one the user named (--model), else the plan's "model",
 * which must name a file inside the plan's folder (a plan is data: it never makes crosscheck
 * open /etc/shadow, a FIFO or anything outside its folder). */
xc_status xc_plan_model_path(const char *plan, char **out)
{
    xc_mapping *map;
    *out = NULL;
    XC_TRY(xc_read_file(plan, &map));
    cJSON *root = cJSON_ParseWithLength(map->addr, map->len);
    xc_mapping_release(map);
    const cJSON *m = cJSON_GetObjectItem(root, "model");
    xc_status s = XC_OK;
    if (!cJSON_IsString(m) || !m->valuestring[0]) {
        s = xc_fail(XC_ERR_MODEL, "%s: not a crosscheck plan (no \"model\")", plan);
    } else {
        char *dir = strdup(plan);
        s = dir ? xc_external_path(dirname(dir), m->valuestring, out) : xc_fail(XC_ERR_NOMEM, "out of memory");
        free(dir);
        if (s != XC_OK)
            s = xc_error_prefix(s,
                                "%s: the model the plan names cannot be used (give it: bench --model FILE, refit --model FILE, "
                                "inspect engine MODEL --plan PLAN): ",
                                plan);
    }
    cJSON_Delete(root);
    return s;
}

/* A plan is JSON; a model is protobuf, which never starts with '{'. */
static xc_status is_plan(const char *path, int *plan)
{
    int fd;
    struct stat st;
    XC_TRY(xc_open_input(path, &fd, &st));
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    ssize_t i = 0;
    while (i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r')) i++;
    *plan = i < n && buf[i] == '{';
    return XC_OK;
}

xc_status xc_engine_open(const char *path, const char *model_path, const xc_ocl_build_options *o, xc_model **m, xc_engine **e)
{
    *m = NULL;
    *e = NULL;
    int plan;
    XC_TRY(is_plan(path, &plan));
    if (!plan && model_path) /* a model of a model would be silently dropped */
        return xc_fail(XC_ERR_USAGE, "%s is a model, not a plan: the model of a plan (%s) is given with a plan only", path,
                       model_path);
    if (!plan) {
        XC_TRY(xc_model_load(path, m));
        return xc_ocl_build(*m, o, e);
    }
    char *model = NULL;
    if (model_path)
        model = strdup(model_path);
    else
        XC_TRY(xc_plan_model_path(path, &model));
    if (!model) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_model_load(model, m);
    free(model);
    return s == XC_OK ? xc_ocl_plan_load(*m, path, o, e) : s;
}

xc_status xc_engine_open_plan(const char *plan, const xc_engine_config *c, xc_model **m, xc_engine **e)
{
    char *model = NULL;
    *m = NULL;
    *e = NULL;
    XC_TRY(xc_plan_model_path(plan, &model));
    xc_status s = xc_model_load(model, m);
    free(model);
    if (s == XC_OK) s = xc_engine_load_plan(*m, plan, c, e);
    if (s != XC_OK) xc_model_free(*m), *m = NULL;
    return s;
}

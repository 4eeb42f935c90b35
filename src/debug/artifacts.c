/* artifacts.c — --artifacts-dir for the bisecting tools: every check's file (the replay file a
 * tactics check pinned, the fp32 layers of a precision check, the options of a fusions check)
 * is kept as good/check_NN_* or bad/check_NN_* by its verdict, so the last good and first bad
 * candidates can be rebuilt and diffed. Without --artifacts-dir nothing is written here. */
#include "debug/session.h"
#include "file_io.h"
#include "ocl/tactics_file.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int xc_debug_keeps(const xc_debug_session *s) { return s->cfg->artifacts_dir != NULL; }

/* s->dir/good/check_NN_suffix (or bad/), the folder made; NN is the check just made. */
static xc_status kept_path(const xc_debug_session *s, int passed, const char *suffix, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", s->dir, passed ? "good" : "bad");
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return xc_fail(XC_ERR_IO, "%s: cannot create the folder (%s)", buf, strerror(errno));
    snprintf(buf, len, "%s/%s/check_%02d_%s", s->dir, passed ? "good" : "bad", s->report->n_checks, suffix);
    return XC_OK;
}

xc_status xc_debug_keep_file(const xc_debug_session *s, const char *file, const char *suffix, int passed)
{
    if (!xc_debug_keeps(s)) return XC_OK;
    char to[8400];
    XC_TRY(kept_path(s, passed, suffix, to, sizeof to));
    if (rename(file, to) != 0) return xc_fail(XC_ERR_IO, "%s: cannot move it to %s (%s)", file, to, strerror(errno));
    return XC_OK;
}

xc_status xc_debug_keep_options(const xc_debug_session *s, const char *what, const char *const *args, int n, const char *tactics,
                                int passed)
{
    if (!xc_debug_keeps(s)) return XC_OK;
    char to[8400];
    XC_TRY(kept_path(s, passed, "options.json", to, sizeof to));
    cJSON *root = cJSON_CreateObject(), *list;
    cJSON_AddStringToObject(root, "format", "crosscheck-debug-check-1");
    cJSON_AddNumberToObject(root, "check", s->report->n_checks);
    cJSON_AddStringToObject(root, "what", what);
    cJSON_AddBoolToObject(root, "passed", passed);
    if (!passed && s->why[0]) cJSON_AddStringToObject(root, "why", s->why); /* the mismatch, or "crashed: SIGSEGV" */
    list = cJSON_AddArrayToObject(root, "build_options");                   /* added to the failing build's options */
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(list, cJSON_CreateString(args[i]));
    if (tactics) cJSON_AddStringToObject(root, "tactics", tactics); /* pinned; layers it does not name ran their baseline */
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    xc_status st = text ? xc_write_file_flags(to, text, strlen(text), 0) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    return st;
}

xc_status xc_debug_keep_failing(const xc_debug_session *s, const xc_engine *e)
{
    if (!xc_debug_keeps(s)) return XC_OK;
    char to[8400];
    XC_TRY(kept_path(s, 0, "tactics.json", to, sizeof to));
    return xc_tactics_save_engine(e, to);
}

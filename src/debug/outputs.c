/* outputs.c — every path a debug tool or reduce will write, checked before any work: a typo in
 * -o (a missing folder, a read-only place) must cost nothing, not the whole search. */
#include "debug/session.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The folder holding path ("." when it names none), in a malloc'd string. */
static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    size_t n = (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (dir) memcpy(dir, path, n), dir[n] = 0;
    return dir;
}

/* A file at path (is_dir 0) or a folder (1) can be created or replaced there. */
static xc_status writable(const char *path, const char *option, int is_dir)
{
    struct stat st;
    if (!path) return XC_OK;
    if (!path[0]) return xc_fail(XC_ERR_USAGE, "%s: an empty path", option);
    if (stat(path, &st) == 0) {
        if (!is_dir && S_ISDIR(st.st_mode)) return xc_fail(XC_ERR_USAGE, "%s %s: is a folder, not a file", option, path);
        if (is_dir && !S_ISDIR(st.st_mode)) return xc_fail(XC_ERR_USAGE, "%s %s: exists and is not a folder", option, path);
        if (is_dir && access(path, W_OK | X_OK) != 0)
            return xc_fail(XC_ERR_IO, "%s %s: the folder is not writable (%s)", option, path, strerror(errno));
        if (is_dir || S_ISREG(st.st_mode)) return XC_OK; /* a regular file is replaced, not written in place */
        return access(path, W_OK) == 0 ? XC_OK : xc_fail(XC_ERR_IO, "%s %s: not writable (%s)", option, path, strerror(errno));
    }
    char *dir = parent_of(path);
    if (!dir) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    if (stat(dir, &st) != 0)
        s = xc_fail(XC_ERR_IO, "%s %s: folder '%s' does not exist", option, path, dir);
    else if (!S_ISDIR(st.st_mode))
        s = xc_fail(XC_ERR_IO, "%s %s: '%s' is not a folder", option, path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        s = xc_fail(XC_ERR_IO, "%s %s: folder '%s' is not writable (%s)", option, path, dir, strerror(errno));
    free(dir);
    return s;
}

xc_status xc_debug_check_file_writable(const char *path, const char *option) { return writable(path, option, 0); }

xc_status xc_debug_check_outputs(const xc_debug_config *c, const char *default_output)
{
    XC_TRY(writable(c->output ? c->output : default_output, "-o", 0));
    XC_TRY(writable(c->artifacts_dir, "--artifacts-dir", 1));
    XC_TRY(writable(c->ocl.save_tactics, "--save-tactics", 0));
    return writable(c->ocl.timing_cache, "--timing-cache", 0);
}

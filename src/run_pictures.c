/* run_pictures.c — heat maps and error plots of a run's comparisons (see run_pictures.h). */
#include "run_pictures.h"
#include "error_plot.h"
#include "heatmap.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_NAME 96

char *xc_safe_file_name(const char *name, char *buf, size_t len)
{
    size_t n = 0, src = strlen(name);
    int changed = src > MAX_NAME || !src;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = name; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    for (size_t i = 0; i < src && i < MAX_NAME && n + 1 < len; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                 || (c == '.' && i > 0);
        buf[n++] = ok ? c : '_';
        changed |= !ok;
    }
    buf[n] = 0;
    if (changed) snprintf(buf + n, len - n, "-%08x", h);
    return buf;
}

static xc_status make_dir(const char *dir)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) return XC_OK;
    }
    return xc_fail(XC_ERR_IO, "%s: cannot create the folder", dir);
}

/* "output 'y': ocl vs ref, iteration 0", malloc'd (output names have no length limit). */
static char *title_of(const xc_run_report *r, const xc_comparison *cmp, int o)
{
    const char *fmt = "output '%s': %s vs %s, iteration %d";
    const char *name = r->model->graph->outputs[o].name, *a = r->runners[cmp->runner].name, *b = r->runners[cmp->against].name;
    int n = snprintf(NULL, 0, fmt, name, a, b, cmp->iteration);
    char *t = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (t) snprintf(t, (size_t)n + 1, fmt, name, a, b, cmp->iteration);
    return t;
}

/* The pair a comparison saw, or 0 when there is nothing to draw (a shape mismatch). */
static int pair_of(const xc_run_report *r, const xc_comparison *cmp, int o, const xc_tensor **out, const xc_tensor **ref)
{
    const xc_output_comparison *oc = &cmp->outputs[o];
    if (!oc->present || oc->r.shape_mismatch) return 0;
    *out = xc_checked_out(&oc->checks, xc_run_output(r, cmp->runner, cmp->iteration, o));
    *ref = xc_checked_ref(&oc->checks, xc_run_output(r, cmp->against, cmp->iteration, o));
    return xc_tensor_numel(*ref) > 0;
}

xc_status xc_run_save_heatmaps(const xc_run_report *r, const char *dir, int *written)
{
    *written = 0;
    XC_TRY(make_dir(dir));
    for (int i = 0; i < r->n_comparisons; i++) {
        const xc_comparison *cmp = &r->comparisons[i];
        for (int o = 0; o < r->n_outputs; o++) {
            const xc_tensor *out, *ref;
            if (!pair_of(r, cmp, o, &out, &ref)) continue;
            char a[128], b[64], c[64];
            size_t len = strlen(dir) + 300;
            char *path = malloc(len), *title = title_of(r, cmp, o);
            if (!path || !title) {
                free(path);
                free(title);
                return xc_fail(XC_ERR_NOMEM, "out of memory");
            }
            snprintf(path, len, "%s/%s.%s-vs-%s.it%d.png", dir, xc_safe_file_name(r->model->graph->outputs[o].name, a, sizeof a),
                     xc_safe_file_name(r->runners[cmp->runner].name, b, sizeof b),
                     xc_safe_file_name(r->runners[cmp->against].name, c, sizeof c), cmp->iteration);
            xc_status s = xc_heatmap_write(path, out, ref, &cmp->outputs[o].tol, title);
            free(path);
            free(title);
            XC_TRY(s);
            (*written)++;
        }
    }
    return XC_OK;
}

xc_status xc_run_save_error_plot(const xc_run_report *r, const char *path, int *panels)
{
    *panels = 0;
    size_t cap = (size_t)r->n_comparisons * (size_t)r->n_outputs + 1;
    xc_error_panel *p = calloc(cap, sizeof *p);
    if (!p) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int n = 0, nomem = 0;
    for (int i = 0; i < r->n_comparisons; i++)
        for (int o = 0; o < r->n_outputs; o++) {
            const xc_comparison *cmp = &r->comparisons[i];
            if (!pair_of(r, cmp, o, &p[n].out, &p[n].ref)) continue;
            p[n].tol = &cmp->outputs[o].tol;
            char *t = title_of(r, cmp, o);
            nomem |= !t;
            p[n++].title = t;
        }
    xc_status s = nomem ? xc_fail(XC_ERR_NOMEM, "out of memory") : xc_error_plot_write(path, p, n);
    for (int i = 0; i < n; i++) free((char *)p[i].title);
    free(p);
    *panels = n;
    return s;
}

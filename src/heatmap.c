/* heatmap.c — drawing |error| heat maps (see heatmap.h). */
#include "heatmap.h"
#include "bitmap_font.h"
#include "png_write.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SLICE 512   /* cells a side before pooling */
#define MAX_PIXELS 4096 /* grid pixels a side before more pooling */
#define MARGIN 8
#define GAP 2
#define BAR_W 16
#define MISMATCH (-1.0) /* marks a non-finite mismatch in the error buffer */

static const uint8_t stops[5][3] = {{0, 0, 4}, {87, 16, 110}, {188, 55, 84}, {249, 142, 9}, {252, 255, 164}};
static const uint8_t cyan[3] = {0, 255, 255}, black[3] = {0, 0, 0};

static void colour_of(double t, uint8_t *px)
{
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double pos = t * 4;
    int i = pos >= 4 ? 3 : (int)pos;
    double f = pos - i;
    for (int c = 0; c < 3; c++) px[c] = (uint8_t)lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]));
}

static void fill(uint8_t *img, int w, int x, int y, int fw, int fh, const uint8_t *c)
{
    for (int j = 0; j < fh; j++)
        for (int i = 0; i < fw; i++) memcpy(img + ((size_t)(y + j) * w + x + i) * 3, c, 3);
}

/* |o - r| per element; MISMATCH where a non-finite pair fails whatever the tolerance. */
static double element_error(const xc_tolerance *tol, double o, double r)
{
    if (isfinite(o) && isfinite(r)) return fabs(o - r);
    if (isnan(o) && isnan(r) && tol->equal_nan) return 0;
    if (tol->equal_inf && isinf(o) && o == r) return 0;
    return MISMATCH;
}

typedef struct layout {
    int64_t slices, h, w; /* slices of h x w elements */
    int pool;             /* elements per cell side */
    int ph, pw;           /* pooled slice size in cells */
    int cell_w, cell_h;   /* pixels per cell */
    int cols, rows;       /* grid of slices */
    int grid_w, grid_h;   /* pixels */
} layout;

static void plan(layout *L)
{
    int64_t big = L->h > L->w ? L->h : L->w;
    L->pool = (int)((big + MAX_SLICE - 1) / MAX_SLICE);
    if (L->pool < 1) L->pool = 1;
    for (;;) {
        L->ph = (int)((L->h + L->pool - 1) / L->pool);
        L->pw = (int)((L->w + L->pool - 1) / L->pool);
        int side = L->ph > L->pw ? L->ph : L->pw;
        int cell = side ? 256 / side : 1;
        cell = cell < 1 ? 1 : cell > 16 ? 16 : cell;
        L->cell_w = L->cell_h = cell;
        if (L->ph * L->cell_h < 16) L->cell_h = (16 + L->ph - 1) / (L->ph ? L->ph : 1); /* thin slices stay visible */
        if (L->pw * L->cell_w < 16) L->cell_w = (16 + L->pw - 1) / (L->pw ? L->pw : 1);
        int tw = L->pw * L->cell_w, th = L->ph * L->cell_h;
        /* a roughly square grid of slices */
        L->cols = (int)ceil(sqrt((double)L->slices * th / (tw ? tw : 1)));
        if (L->cols < 1) L->cols = 1;
        if (L->cols > L->slices) L->cols = (int)L->slices;
        L->rows = (int)((L->slices + L->cols - 1) / L->cols);
        L->grid_w = L->cols * tw + (L->cols - 1) * GAP;
        L->grid_h = L->rows * th + (L->rows - 1) * GAP;
        if ((L->grid_w <= MAX_PIXELS && L->grid_h <= MAX_PIXELS) || (L->ph <= 1 && L->pw <= 1)) return;
        L->pool *= 2;
    }
}

xc_status xc_heatmap_write(const char *path, const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol,
                           const char *title)
{
    layout L = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    int rank = ref->rank;
    if (rank >= 1) L.w = ref->dims[rank - 1];
    if (rank >= 2) L.h = ref->dims[rank - 2];
    for (int d = 0; d < rank - 2; d++) L.slices *= ref->dims[d];
    size_t n = xc_tensor_numel(ref);
    if (!n) return xc_fail(XC_ERR_USAGE, "%s: the tensor is empty, no heat map", path);
    plan(&L);
    /* pooled errors: the largest |error| in each cell, a mismatch wins */
    size_t cells = (size_t)L.slices * L.ph * L.pw;
    double *cell = malloc(sizeof(double) * cells), max = 0;
    if (!cell) return xc_fail(XC_ERR_NOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < cells; i++) cell[i] = 0;
    size_t mismatches = 0;
    for (size_t i = 0; i < n; i++) {
        double e = element_error(tol, xc_load_f64(out->dtype, out->data, i), xc_load_f64(ref->dtype, ref->data, i));
        size_t s = i / (size_t)(L.h * L.w), y = i / (size_t)L.w % (size_t)L.h, x = i % (size_t)L.w;
        size_t c = (s * L.ph + y / L.pool) * L.pw + x / L.pool;
        if (e == MISMATCH)
            mismatches++, cell[c] = MISMATCH;
        else if (cell[c] != MISMATCH && e > cell[c])
            cell[c] = e;
        if (e > max) max = e;
    }
    char lmax[32], lmid[32];
    snprintf(lmax, sizeof lmax, "%.3g", max);
    snprintf(lmid, sizeof lmid, "%.3g", max / 2);
    int scale = 2, label_w = 6 * scale * 10, bar_h = L.grid_h < 128 ? 128 : L.grid_h > 512 ? 512 : L.grid_h;
    int legend_x = MARGIN + L.grid_w + 16;
    int width = legend_x + BAR_W + 6 + label_w + MARGIN;
    int legend_h = bar_h + 7 * scale + (mismatches ? 24 : 0);
    int height = 2 * MARGIN + (L.grid_h > legend_h ? L.grid_h : legend_h);
    uint8_t *img = malloc((size_t)width * height * 3);
    if (!img) {
        free(cell);
        return xc_fail(XC_ERR_NOMEM, "%s: out of memory for a %dx%d picture", path, width, height);
    }
    memset(img, 255, (size_t)width * height * 3);
    uint8_t px[3];
    for (int64_t s = 0; s < L.slices; s++) {
        int gx = MARGIN + (int)(s % L.cols) * (L.pw * L.cell_w + GAP), gy = MARGIN + (int)(s / L.cols) * (L.ph * L.cell_h + GAP);
        for (int y = 0; y < L.ph; y++)
            for (int x = 0; x < L.pw; x++) {
                double e = cell[((size_t)s * L.ph + y) * L.pw + x];
                if (e == MISMATCH)
                    memcpy(px, cyan, 3);
                else
                    colour_of(max > 0 ? e / max : 0, px);
                fill(img, width, gx + x * L.cell_w, gy + y * L.cell_h, L.cell_w, L.cell_h, px);
            }
    }
    free(cell);
    /* the colour scale: the maximum at the top, 0 at the bottom */
    int by = MARGIN + 3;
    for (int j = 0; j < bar_h; j++) {
        colour_of(1.0 - (double)j / (bar_h - 1), px);
        fill(img, width, legend_x, by + j, BAR_W, 1, px);
    }
    int lx = legend_x + BAR_W + 6;
    xc_font_draw(img, width, height, lx, by - 3, lmax, scale, black);
    xc_font_draw(img, width, height, lx, by + bar_h / 2 - 7, lmid, scale, black);
    xc_font_draw(img, width, height, lx, by + bar_h - 11, "0", scale, black);
    if (mismatches) {
        fill(img, width, legend_x, by + bar_h + 10, BAR_W, 14, cyan);
        xc_font_draw(img, width, height, lx, by + bar_h + 10, "nan/inf", scale, black);
    }
    char lay[256], desc[160];
    snprintf(lay, sizeof lay, "slices=%lld cols=%d slice=%lldx%lld pool=%d cell=%dx%d origin=%d,%d gap=%d legend_x=%d",
             (long long)L.slices, L.cols, (long long)L.h, (long long)L.w, L.pool, L.cell_w, L.cell_h, MARGIN, MARGIN, GAP,
             legend_x);
    snprintf(desc, sizeof desc, "|out - ref|, linear colour scale over [0, %.6g]; %zu NaN/Inf mismatches in cyan", max,
             mismatches);
    xc_png_text text[] = {{"Title", title ? title : ""}, {"Description", desc}, {"crosscheck:layout", lay}};
    xc_status st = xc_png_write(path, img, width, height, text, 3);
    free(img);
    return st;
}

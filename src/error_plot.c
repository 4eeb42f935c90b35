/* error_plot.c — the |error| vs |reference| scatter plot in SVG (see error_plot.h). */
#include "error_plot.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PANEL_W 640
#define PANEL_H 400
#define PLOT_X 80 /* plot area inside a panel */
#define PLOT_Y 50
#define PLOT_W 520
#define PLOT_H 290
#define MAX_POINTS 20000

static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
        }
    }
}

static double boundary(const xc_tolerance *t, double x)
{
    if (t->rule == XC_RULE_ALLCLOSE) return t->atol + t->rtol * x;
    double r = t->rtol * x;
    return r > t->atol ? r : t->atol;
}

static int fails(const xc_tolerance *t, double a, double x)
{
    if (t->rule == XC_RULE_ALLCLOSE) return a > t->atol + t->rtol * x;
    double rel = x > 0 ? a / x : (a > 0 ? INFINITY : 0);
    return a > t->atol && rel > t->rtol;
}

/* Decade range covering the positive values in [lo, hi] (defaults when there are none). */
static void decades(double lo, double hi, int *d0, int *d1)
{
    if (!(hi > 0)) lo = hi = 1;
    if (!(lo > 0)) lo = hi;
    *d0 = (int)floor(log10(lo));
    *d1 = (int)ceil(log10(hi));
    if (*d1 <= *d0) *d1 = *d0 + 1;
    if (*d1 - *d0 > 40) *d0 = *d1 - 40;
}

static double map(double v, int d0, int d1, double len)
{
    double l = v > 0 ? log10(v) : d0;
    if (l < d0) l = d0;
    if (l > d1) l = d1;
    return (l - d0) / (d1 - d0) * len;
}

static void panel(FILE *f, const xc_error_panel *p, int oy)
{
    size_t n = xc_tensor_numel(p->ref), finite = 0, failing = 0, zeros = 0;
    double xlo = INFINITY, xhi = 0, ylo = INFINITY, yhi = 0;
    for (size_t i = 0; i < n; i++) {
        double o = xc_load_f64(p->out->dtype, p->out->data, i), r = xc_load_f64(p->ref->dtype, p->ref->data, i);
        if (!isfinite(o) || !isfinite(r)) continue;
        double a = fabs(o - r), x = fabs(r);
        finite++;
        failing += fails(p->tol, a, x);
        zeros += a == 0 || x == 0;
        if (x > 0) xlo = x < xlo ? x : xlo, xhi = x > xhi ? x : xhi;
        if (a > 0) ylo = a < ylo ? a : ylo, yhi = a > yhi ? a : yhi;
    }
    /* the tolerance line must show: widen the error axis to the boundary over the x range */
    if (p->tol->atol > 0) ylo = p->tol->atol < ylo ? p->tol->atol : ylo, yhi = p->tol->atol > yhi ? p->tol->atol : yhi;
    int x0, x1, y0, y1;
    decades(xlo, xhi, &x0, &x1);
    decades(ylo, yhi, &y0, &y1);
    size_t good = finite - failing;
    size_t stride = good > MAX_POINTS ? (good + MAX_POINTS - 1) / MAX_POINTS : 1;
    size_t bad_stride = failing > MAX_POINTS ? (failing + MAX_POINTS - 1) / MAX_POINTS : 1;
    fprintf(f, "<g transform=\"translate(0,%d)\">\n<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">", oy, PLOT_X);
    put_escaped(f, p->title);
    fprintf(f,
            "</text>\n<text x=\"%d\" y=\"40\" font-size=\"11\">%zu points, %zu beyond the elementwise tolerance, %zu with a zero "
            "on an axis drawn at its edge, %zu non-finite left out%s</text>\n",
            PLOT_X, finite, failing, zeros, n - finite,
            bad_stride > 1 ? "; a sample of each kind is drawn"
            : stride > 1   ? "; a sample is drawn (every failing point kept)"
                           : "");
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"white\" stroke=\"black\"/>\n", PLOT_X, PLOT_Y, PLOT_W,
            PLOT_H);
    for (int d = x0; d <= x1; d++) {
        double x = PLOT_X + (double)(d - x0) / (x1 - x0) * PLOT_W;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>", x, PLOT_Y, x, PLOT_Y + PLOT_H);
        if ((x1 - x0) <= 12 || (d - x0) % 2 == 0)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">1e%d</text>\n", x, PLOT_Y + PLOT_H + 14,
                    d);
    }
    for (int d = y0; d <= y1; d++) {
        double y = PLOT_Y + PLOT_H - (double)(d - y0) / (y1 - y0) * PLOT_H;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>", PLOT_X, y, PLOT_X + PLOT_W, y);
        if ((y1 - y0) <= 12 || (d - y0) % 2 == 0)
            fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">1e%d</text>\n", PLOT_X - 4, y + 3, d);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">|reference|</text>\n", PLOT_X + PLOT_W / 2,
            PLOT_Y + PLOT_H + 32);
    fprintf(
        f, "<text x=\"20\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 20 %d)\">|out - ref|</text>\n",
        PLOT_Y + PLOT_H / 2, PLOT_Y + PLOT_H / 2);
    fprintf(f, "<g class=\"points\">\n");
    size_t k = 0, kb = 0;
    for (size_t i = 0; i < n; i++) {
        double o = xc_load_f64(p->out->dtype, p->out->data, i), r = xc_load_f64(p->ref->dtype, p->ref->data, i);
        if (!isfinite(o) || !isfinite(r)) continue;
        double a = fabs(o - r), x = fabs(r);
        int bad = fails(p->tol, a, x);
        if (bad ? kb++ % bad_stride : k++ % stride) continue;
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\" fill-opacity=\"0.6\" data-index=\"%zu\"/>\n",
                PLOT_X + map(x, x0, x1, PLOT_W), PLOT_Y + PLOT_H - map(a, y0, y1, PLOT_H), bad ? "#d62728" : "#1f77b4", i);
    }
    fprintf(f, "</g>\n<polyline class=\"tolerance\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\" points=\"");
    for (int s = 0; s <= 200; s++) {
        double lx = x0 + (x1 - x0) * s / 200.0, x = pow(10, lx), b = boundary(p->tol, x);
        double py = b > 0 ? PLOT_Y + PLOT_H - map(b, y0, y1, PLOT_H) : PLOT_Y + PLOT_H;
        fprintf(f, "%.1f,%.1f ", PLOT_X + (double)s / 200 * PLOT_W, py);
    }
    fprintf(
        f, "\"/>\n<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#2ca02c\">tolerance: %s(atol=%.3g%srtol=%.3g%s)</text>\n</g>\n",
        PLOT_X + 8, PLOT_Y + 14, p->tol->rule == XC_RULE_ALLCLOSE ? "" : "max", p->tol->atol,
        p->tol->rule == XC_RULE_ALLCLOSE ? " + " : ", ", p->tol->rtol,
        p->tol->rule == XC_RULE_ALLCLOSE ? " x |ref|" : " x |ref|");
}

xc_status xc_error_plot_write(const char *path, const xc_error_panel *panels, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) return xc_fail(XC_ERR_IO, "%s: cannot write", path);
    int h = n ? n * PANEL_H : 40;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            PANEL_W, h, PANEL_W, h);
    if (!n) fprintf(f, "<text x=\"10\" y=\"24\" font-size=\"14\">no comparisons</text>\n");
    for (int i = 0; i < n; i++) panel(f, &panels[i], i * PANEL_H);
    fprintf(f, "</svg>\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) return xc_fail(XC_ERR_IO, "%s: write failed", path);
    return XC_OK;
}

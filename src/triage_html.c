/* triage_html.c — the triage report as one self-contained HTML page: inline CSS, an inline SVG
 * bar chart of every layer's error relative to its tolerance (log scale), the engine graph with
 * the per-layer overlay (Graphviz's SVG, inlined), the culprit, the minimal model, the commands
 * and the steps with their timings. No script, no external resource: the file can be mailed. */
#include "triage.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Writes s with &, <, >, " escaped. */
static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

static const char *verdict_class(xc_verdict v) { return v == XC_VERDICT_FAIL ? "fail" : v == XC_VERDICT_NEAR ? "near" : "pass"; }

#define CH_W 1100.0
#define CH_H 300.0
#define CH_L 56.0
#define CH_R 12.0
#define CH_T 16.0
#define CH_B 28.0

/* Bars of score (error / tolerance) per layer on a log axis from the smallest nonzero score's
 * decade (at least 1e-6) to the largest's (at least 10); 0 sits on the axis, non-finite at the top. */
static void chart(FILE *f, const xc_triage_report *r)
{
    double lo = 1e-2, hi = 10;
    for (int i = 0; i < r->n_layers; i++) {
        double s = r->layers[i].score;
        if (isfinite(s) && s > 0 && s < lo) lo = s;
        if (isfinite(s) && s > hi) hi = s;
    }
    int d_lo = (int)floor(log10(lo)), d_hi = (int)ceil(log10(hi));
    if (d_lo < -6) d_lo = -6;
    double plot_h = CH_H - CH_T - CH_B, plot_w = CH_W - CH_L - CH_R;
#define Y(v) (CH_T + plot_h * (1.0 - (log10(v) - d_lo) / (double)(d_hi - d_lo)))
    fprintf(
        f,
        "<svg id=\"error-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
        "role=\"img\" aria-label=\"error relative to tolerance per layer\">\n",
        CH_W, CH_H, CH_W, CH_H);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", CH_W, CH_H);
    for (int d = d_lo; d <= d_hi; d++) {
        double y = Y(pow(10, d));
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">1e%d</text>\n",
                CH_L, CH_W - CH_R, y, y, CH_L - 4, y + 4, d);
    }
    double bw = plot_w / (r->n_layers ? r->n_layers : 1), gap = bw > 4 ? 1 : 0;
    for (int i = 0; i < r->n_layers; i++) {
        const xc_triage_layer *t = &r->layers[i];
        double s = t->score, top = !isfinite(s) ? CH_T : s > 0 ? Y(s < pow(10, d_lo) ? pow(10, d_lo) : s) : CH_H - CH_B - 1;
        double x = CH_L + i * bw;
        fprintf(f, "<rect class=\"bar %s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>",
                verdict_class(t->verdict), x + gap / 2, top, bw - gap, CH_H - CH_B - top);
        esc(f, t->name);
        fprintf(f, ": %.3g x tolerance (%s)</title></rect>\n", s, xc_verdict_name(t->verdict));
        if (i == r->first)
            fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" class=\"mark\" text-anchor=\"middle\">&#9660;</text>\n", x + bw / 2, top - 2);
    }
    double y1 = Y(1.0);
    fprintf(f,
            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"tol\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"start\">tolerance</text>\n",
            CH_L, CH_W - CH_R, y1, y1, CH_L + 4, y1 - 4);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">engine layers in execution order (%d)</text>\n",
            CH_L + plot_w / 2, CH_H - 8, r->n_layers);
#undef Y
    fputs("</svg>\n", f);
}

static void row(FILE *f, const char *key, const char *value)
{
    fputs("<tr><th>", f);
    esc(f, key);
    fputs("</th><td>", f);
    esc(f, value && value[0] ? value : "-");
    fputs("</td></tr>\n", f);
}

static void command(FILE *f, const char *title, const char *cmd)
{
    if (!cmd) return;
    fputs("<h3>", f);
    esc(f, title);
    fputs("</h3><pre class=\"cmd\">", f);
    esc(f, cmd);
    fputs("</pre>\n", f);
}

static const char *css =
    "body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:1200px}"
    "h1{font-size:20px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}h3{font-size:14px;margin:12px 0 4px}"
    ".banner{padding:10px 14px;border-radius:4px;font-weight:bold}.banner.bad{background:#fde2e1;color:#8a1c14}"
    ".banner.good{background:#e2f5e4;color:#1d5e27}"
    "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}pre.cmd{background:#f6f6f6;padding:8px;white-space:pre-wrap;word-break:break-all}"
    "tr.fail td{background:#fde2e1}tr.near td{background:#fff3d9}"
    ".bar.pass{fill:#3b9a4a}.bar.near{fill:#e59a1b}.bar.fail{fill:#d0342c}.grid{stroke:#e6e6e6}"
    ".tol{stroke:#000;stroke-dasharray:6 3}.axis{font-size:11px;fill:#555}.mark{font-size:12px;fill:#d0342c}"
    "#graph{overflow:auto;border:1px solid #ddd;max-height:1400px}#graph svg{max-width:100%;height:auto}";

xc_status xc_triage_write_html(const xc_triage_config *c, const xc_triage_report *r, const char *graph_svg, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return xc_fail(XC_ERR_IO, "%s: cannot write the report", path);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>crosscheck triage: ", f);
    esc(f, c->base.model_path);
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>crosscheck triage: ", css);
    esc(f, c->base.model_path);
    fputs("</h1>\n", f);
    const xc_triage_layer *first = r->first >= 0 ? &r->layers[r->first] : NULL;
    if (!r->diverged)
        fprintf(f,
                "<p class=\"banner good\" id=\"verdict\">No divergence: all %d engine layers and every output are within "
                "tolerance.</p>\n",
                r->n_layers);
    else {
        if (r->crashed[0])
            fputs("<p class=\"banner bad\" id=\"verdict\">Diverged: the first build or run ", f), esc(f, r->crashed);
        else
            fprintf(f, "<p class=\"banner bad\" id=\"verdict\">Diverged: %d of %d layers fail%s", r->n_failed, r->n_layers,
                    r->outputs_passed ? " (the outputs pass)" : ", and outputs fail");
        if (first) fputs("; first divergent layer ", f), esc(f, first->name);
        fputs(".</p>\n", f);
    }
    if (r->diverged) {
        fputs("<h2>Culprit</h2>\n<table id=\"culprit\">\n", f);
        row(f, "found by", r->culprit_known ? r->culprit_by : "not found");
        row(f, "layer", r->culprit_layer);
        row(f, "nodes", r->culprit_nodes);
        row(f, "what", r->culprit_what);
        row(f, "fix", r->fix_note);
        if (r->cut_model[0]) row(f, "the tools searched (outputs pass)", r->cut_model);
        row(f, "minimal model", r->minimal_model);
        if (r->minimal_model[0]) {
            char nodes[256];
            snprintf(nodes, sizeof nodes, "%d of %d", r->nodes_after, r->nodes_before);
            row(f, "minimal model's nodes", r->minimal_nodes);
            row(f, "nodes kept", nodes);
            row(f, "its inputs and reference outputs", r->minimal_data);
        }
        fputs("</table>\n<h2>Commands</h2>\n", f);
        command(f, "Reproduce the failure (the engine compared here, tactics pinned)", r->reproduce);
        command(f, "Apply the fix", r->fix);
        command(f, "Reproduce on the minimal model", r->reduce_command);
    }
    fputs(
        "<h2>Per-layer error</h2>\n<p>Each bar is a layer's worst error relative to its tolerance (log scale; above the dashed "
        "line "
        "fails). Hover for the layer.</p>\n",
        f);
    chart(f, r);
    fputs("<h2>Graph</h2>\n", f);
    if (r->graph_note[0]) fputs("<p>", f), esc(f, r->graph_note), fputs("</p>\n", f);
    fputs("<div id=\"graph\">\n", f);
    const char *svg = graph_svg ? strstr(graph_svg, "<svg") : NULL; /* without the XML prolog and doctype */
    if (svg)
        fputs(svg, f);
    else
        fputs("<p>(no graph picture)</p>", f);
    fputs(
        "</div>\n<h2>Steps</h2>\n<table "
        "id=\"steps\"><tr><th>step</th><th>why</th><th>result</th><th>checks</th><th>seconds</th></tr>\n",
        f);
    for (int i = 0; i < r->n_steps; i++) {
        const xc_triage_step *s = &r->steps[i];
        fputs("<tr><td>", f);
        esc(f, s->name);
        fputs("</td><td>", f);
        esc(f, s->why);
        fputs("</td><td>", f);
        esc(f, s->result);
        fprintf(f, "</td><td>%d</td><td>%.2f</td></tr>\n", s->n_checks, s->seconds);
    }
    fprintf(f, "<tr><th colspan=\"4\">total</th><td>%.2f</td></tr></table>\n", r->seconds);
    fputs(
        "<h2>Layers</h2>\n<table id=\"layers\"><tr><th>#</th><th>layer</th><th>kind</th><th>tactic</th><th>fusion</th>"
        "<th>precision</th><th>error / tolerance</th><th>max abs</th><th>verdict</th></tr>\n",
        f);
    for (int i = 0; i < r->n_layers; i++) {
        const xc_triage_layer *t = &r->layers[i];
        fprintf(f, "<tr class=\"%s\"><td>%d</td><td>", verdict_class(t->verdict), i);
        esc(f, t->name);
        fputs("</td><td>", f);
        esc(f, t->kind);
        fputs("</td><td>", f);
        esc(f, t->tactic);
        fputs(t->baseline ? " (baseline)" : "", f);
        fputs("</td><td>", f);
        esc(f, t->fusion ? t->fusion : "");
        fprintf(f, "</td><td>%s</td><td>%.3g</td><td>%.3g</td><td>%s</td></tr>\n", t->precision, t->score, t->max_abs,
                xc_verdict_name(t->verdict));
    }
    fputs("</table>\n</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) || bad) return xc_fail(XC_ERR_IO, "%s: write failed", path);
    return XC_OK;
}

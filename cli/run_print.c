/* run_print.c — prints a run's report: per iteration and output, each runner's value
 * statistics and each comparison's error statistics, histogram, minimum tolerance and verdict
 * (Polygraphy's report plus NMSE, cosine, max ULP and the worst element's coordinates); the
 * per-layer tables; first-NaN findings; one closing verdict line. */
#include "run_print.h"
#include "average_verdict.h"
#include "value_stats.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int colour = -1;

static const char *paint(const char *code)
{
    if (colour < 0) colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    return colour ? code : "";
}
#define RED paint("\033[31m")
#define GREEN paint("\033[32m")
#define YELLOW paint("\033[33m")
#define BOLD paint("\033[1m")
#define RESET paint("\033[0m")

static void print_values(const char *label, const xc_tensor *t)
{
    char desc[256];
    printf("    %-10s %s", label, xc_tensor_desc(t, desc, sizeof desc));
    xc_value_stats v;
    if (xc_value_stats_compute(t, &v) == XC_OK) {
        if (v.finite) printf("  mean=%.6g std=%.6g min=%.6g max=%.6g", v.mean, v.std, v.min, v.max);
        if (v.nan || v.inf) printf("  %s%zu NaN, %zu Inf%s", RED, v.nan, v.inf, RESET);
    }
    printf("\n");
}

static void print_histogram(const xc_compare_result *c)
{
    printf("    abs error histogram (10 bins over [0, %.3g]):", c->max_abs);
    for (int b = 0; b < XC_HIST_BINS; b++) printf(" %zu", c->abs_hist[b]);
    printf("\n");
}

/* "atol=X", saying how the auto preset derived it (which rule decided the verdict). */
static const char *atol_desc(const xc_tolerance *t, char *buf, size_t len)
{
    if (t->atol_base > 0 && t->atol_rms > 0 && t->rounded_layers > 1)
        snprintf(buf, len, "atol=%.3g (%g x RMS of reference %.3g; the rounding error of %d layers)", t->atol, t->atol_base,
                 t->atol_rms, t->rounded_layers);
    else if (t->atol_base > 0 && t->atol_rms > 0)
        snprintf(buf, len, "atol=%.3g (%g x RMS of reference %.3g)", t->atol, t->atol_base, t->atol_rms);
    else if (t->atol_base > 0)
        snprintf(buf, len, "atol=%.3g (all-zero reference)", t->atol);
    else
        snprintf(buf, len, "atol=%.3g", t->atol);
    return buf;
}

static void print_stat_line(const char *what, double mx, double mean, double med, const double *pct)
{
    printf("    %s error  max=%.4g mean=%.4g median=%.4g", what, mx, mean, med);
    for (int k = 0; k < XC_N_PCT; k++) printf(" p%.0f=%.4g", xc_report_percentiles[k] * 100, pct[k]);
    printf("\n");
}

/* The verdict line: what was checked, against which tolerance, and what decided it. */
static void print_verdict(const xc_compare_result *c, const xc_tolerance *t, int passed, const char *what)
{
    char at[128];
    printf("    %s%s%s  %s", passed ? GREEN : RED, passed ? "PASSED" : "FAILED", RESET, what);
    if (t->rule == XC_RULE_ALLCLOSE) {
        printf("%zu of %zu elements beyond %s + rtol=%.3g * |ref| (allclose)", c->n_failed, c->count, atol_desc(t, at, sizeof at),
               t->rtol);
    } else if (t->stat == XC_STAT_ELEMWISE) {
        printf("%zu of %zu elements beyond both %s and rtol=%.3g (elemwise)", c->n_failed, c->count, atol_desc(t, at, sizeof at),
               t->rtol);
    } else {
        char stat[48];
        if (t->stat == XC_STAT_QUANTILE)
            snprintf(stat, sizeof stat, "quantile(%g)", t->quantile);
        else
            snprintf(stat, sizeof stat, "%s", xc_check_stat_name(t->stat));
        int abs_ok = !(isnan(c->check_abs) || c->check_abs > t->atol);
        if (passed && abs_ok)
            printf("%s abs=%.4g <= %s", stat, c->check_abs, atol_desc(t, at, sizeof at));
        else if (passed)
            printf("%s rel=%.4g <= rtol=%.3g", stat, c->check_rel, t->rtol);
        else
            printf("%s abs=%.4g > %s and %s rel=%.4g > rtol=%.3g", stat, c->check_abs, atol_desc(t, at, sizeof at), stat,
                   c->check_rel, t->rtol);
        printf(" (check-error-stat %s)", xc_check_stat_name(t->stat));
    }
    if (c->n_nonfinite_mismatch) printf("; %zu NaN/Inf mismatches", c->n_nonfinite_mismatch);
    printf("\n");
    if (!passed && xc_tolerance_half_underflow(t))
        printf(
            "    hint: the reference's RMS %.3g is below half precision's smallest normal 6.1e-05, so fp16 storage "
            "loses these values; keep the layers that make them in fp32 (--layer-precision, 'debug precision')\n",
            t->ref_rms);
}

/* What output_check.h did before comparing: top-K, reshaping. */
static void print_preparation(const xc_check_result *k, const xc_tensor *out)
{
    char a[256];
    if (k->topk) printf("    postprocessed: top-%d indices along axis %d (both sides)\n", k->topk->k, k->topk->axis);
    if (k->reshaped)
        printf("    --no-shape-check: reference %s %s to %s\n", xc_dims_str(k->ref_rank, k->ref_dims, a, sizeof a),
               k->permuted ? "transposed" : "reshaped", xc_dims_str(out->rank, out->dims, a + 128, sizeof a - 128));
}

static void print_indices(const xc_indices_result *x, const xc_tensor *out)
{
    char a[256];
    printf("    %s%s%s  indices: %zu of %zu values checked in %zu batch%s", x->passed ? GREEN : RED,
           x->passed ? "PASSED" : "FAILED", RESET, x->n_missing + x->n_far, x->checked, x->batches, x->batches == 1 ? "" : "es");
    printf(" not within %ld position%s of the reference's (%zu missing, %zu too far; largest distance %ld)", x->index_tolerance,
           x->index_tolerance == 1 ? "" : "s", x->n_missing, x->n_far, x->max_distance);
    if (x->has_failure) {
        printf("; first at %s: %.9g ", xc_index_str(out->rank, out->dims, x->first_fail, a, sizeof a), x->first_value);
        if (x->first_distance < 0)
            printf("not in the reference");
        else
            printf("%ld positions away", x->first_distance);
    }
    printf(" (compare-func indices)\n");
}

/* A metric and its bound, the value with enough digits to differ visibly from the bound. */
static void print_metric_lines(const xc_metric_check *m, int n, const char *prefix)
{
    for (int i = 0; i < n; i++) {
        char v[40], t[40];
        for (int p = 6; p <= 17; p++) {
            snprintf(v, sizeof v, "%.*g", p, m[i].value);
            snprintf(t, sizeof t, "%.*g", p, m[i].threshold);
            if (m[i].value == m[i].threshold || strcmp(v, t) || isnan(m[i].value)) break;
        }
        snprintf(t, sizeof t, "%.10g", m[i].threshold);
        const char *unit = m[i].metric == XC_METRIC_SNR || m[i].metric == XC_METRIC_PSNR ? " dB" : "";
        const char *rel = xc_metric_higher_is_better(m[i].metric) ? (m[i].passed ? ">=" : "<") : (m[i].passed ? "<=" : ">");
        if (isnan(m[i].value)) rel = "vs";
        printf("    %s%s%s  %s%s=%s%s %s %s%s (check-metric)\n", m[i].passed ? GREEN : RED, m[i].passed ? "PASSED" : "FAILED",
               RESET, prefix, xc_metric_name(m[i].metric), v, unit, rel, t, unit);
    }
}

static void print_comparison(const xc_output_comparison *oc, const xc_tensor *out, const xc_tensor *ref, const char *out_name,
                             const char *ref_name)
{
    const xc_compare_result *c = &oc->r;
    char a[256], b[256];
    print_preparation(&oc->checks, out);
    out = xc_checked_out(&oc->checks, out);
    ref = xc_checked_ref(&oc->checks, ref);
    if (c->shape_mismatch) {
        printf("    %sFAILED%s   shape mismatch: got %s, expected %s\n", RED, RESET, xc_tensor_desc(out, a, sizeof a),
               xc_tensor_desc(ref, b, sizeof b));
        return;
    }
    size_t nonfinite = c->nan_out + c->inf_out + c->nan_ref + c->inf_ref;
    if (c->n_finite || !nonfinite) {
        print_stat_line("abs", c->max_abs, c->mean_abs, c->median_abs, c->pct_abs);
        print_stat_line("rel", c->max_rel, c->mean_rel, c->median_rel, c->pct_rel);
    } else /* zeros here would read as "no error" although every element differs */
        printf("    abs/rel error  n/a: no pair of finite values to measure\n");
    if (nonfinite)
        printf(
            "    %snon-finite%s %s: %zu NaN, %zu Inf; %s: %zu NaN, %zu Inf; %zu pairs differ, %zu match; statistics over the %zu "
            "finite pairs\n",
            c->n_nonfinite_mismatch ? RED : YELLOW, RESET, out_name, c->nan_out, c->inf_out, ref_name, c->nan_ref, c->inf_ref,
            c->n_nonfinite_mismatch, c->n_nonfinite_match, c->n_finite);
    snprintf(a, sizeof a, "%.0f", c->max_ulp);
    if (c->n_nonfinite_mismatch)
        printf("    nmse=n/a cosine=n/a (%zu NaN/Inf mismatches) max ulp=%s\n", c->n_nonfinite_mismatch, c->n_finite ? a : "n/a");
    else
        printf("    nmse=%.4g cosine=%.9g max ulp=%.0f\n", c->nmse, c->cosine, c->max_ulp);
    printf("    worst      at %s: got %.9g, expected %.9g\n", xc_index_str(out->rank, out->dims, c->worst_index, a, sizeof a),
           c->worst_out, c->worst_ref);
    if (c->n_finite) print_histogram(c);
    if (c->n_nonfinite_mismatch)
        printf("    minimum required tolerance: none (%zu NaN/Inf mismatches fail any)\n", c->n_nonfinite_mismatch);
    else
        printf("    minimum required tolerance: elemwise [abs=%.4g] OR [rel=%.4g]\n", c->min_atol, c->min_rtol);
    if (oc->checks.func == XC_COMPARE_INDICES)
        print_indices(&oc->checks.indices, out);
    else
        print_verdict(c, &oc->tol, oc->checks.tolerance_passed, "");
    print_metric_lines(oc->checks.metrics, oc->checks.n_metrics, "");
}

static void print_iteration(const xc_run_report *r, int it)
{
    const xc_graph *g = r->model->graph;
    printf("%s[iteration %d]%s", BOLD, it, RESET);
    for (int k = 0; k < r->n_runners; k++)
        if (r->runners[k].live) printf("  %s %.3f s", r->runners[k].name, r->runners[k].seconds[it]);
    printf("\n");
    for (int i = 0; i < r->inputs[it].n; i++) print_values(i ? "" : "inputs", r->inputs[it].t[i]);
    for (int o = 0; o < r->n_outputs; o++) {
        printf("  output '%s'\n", g->outputs[o].name);
        for (int k = 0; k < r->n_runners; k++) {
            const xc_tensor *t = xc_run_output(r, k, it, o);
            if (t) print_values(r->runners[k].name, t);
        }
        for (int i = 0; i < r->n_comparisons; i++) {
            const xc_comparison *cmp = &r->comparisons[i];
            if (cmp->iteration != it || !cmp->outputs[o].present) continue;
            printf("    %s vs %s\n", r->runners[cmp->runner].name, r->runners[cmp->against].name);
            print_comparison(&cmp->outputs[o], xc_run_output(r, cmp->runner, it, o), xc_run_output(r, cmp->against, it, o),
                             r->runners[cmp->runner].name, r->runners[cmp->against].name);
        }
    }
}

/* Fits s into width columns, eliding the middle (fused layer names get long). */
static const char *fit(const char *s, int width, char *buf)
{
    int n = (int)strlen(s);
    if (n <= width) return s;
    int head = (width - 3) / 2, tail = width - 3 - head;
    snprintf(buf, (size_t)width + 1, "%.*s...%s", head, s, s + n - tail);
    return buf;
}

static void print_per_layer(const xc_run_report *r, int k, int it, xc_per_layer_mode mode)
{
    const xc_per_layer *p = &r->runners[k].per_layer[it];
    char b1[64], b2[64];
    const char *golden = r->layers_against < 0 ? "reference" : r->runners[r->layers_against].name;
    printf("\n%sper-layer: %s vs %s, %s, iteration %d%s (%d layers)\n", BOLD, r->runners[k].name, golden,
           mode == XC_PER_LAYER_ISOLATED ? "isolated (each layer fed the golden's inputs)" : "accumulated", it, RESET, p->n_rows);
    printf("  %4s  %-44s %-28s %-12s %10s %10s %10s  %s\n", "#", "layer (ONNX nodes)", "tactic", "prec", "max abs", "max rel",
           "nmse", "verdict");
    for (int i = 0; i < p->n_rows; i++) {
        const xc_layer_row *row = &p->rows[i];
        const char *c = row->verdict == XC_VERDICT_FAIL ? RED : row->verdict == XC_VERDICT_NEAR ? YELLOW : GREEN;
        printf("  %4d  %-44s %-28s %-12s %10.3g %10.3g %10.3g  %s%s%s%s\n", i, fit(row->info.name, 44, b1),
               fit(row->info.tactic, 28, b2), xc_layer_info_precision(&row->info), row->max_abs, row->max_rel, row->nmse, c,
               xc_verdict_name(row->verdict), RESET, i == p->first_divergence ? "  <- first divergence" : "");
    }
    int deepest = xc_per_layer_rounded_layers(p);
    if (deepest > 1)
        printf(
            "  Tolerances grow with depth: a row after d rounding layers (TF32 products, or products on 16-bit storage)\n"
            "  allows sqrt(d) x one layer's error (%g; 16-bit storage's base covers %d layers), up to d = %d here\n",
            XC_TF32_RTOL, XC_HALF_FREE_LAYERS, deepest);
    if (p->first_divergence < 0) {
        printf("  %sno layer exceeds its tolerance%s\n", GREEN, RESET);
        return;
    }
    const xc_layer_row *row = &p->rows[p->first_divergence];
    printf("  %sfirst divergent layer: #%d '%s' (%s, tactic %s%s%s)%s\n", RED, p->first_divergence, row->info.name,
           row->info.kind, row->info.tactic, row->info.fusion ? ", fused by " : "", row->info.fusion ? row->info.fusion : "",
           RESET);
    if (mode == XC_PER_LAYER_ISOLATED) {
        printf("  layers whose local error exceeds tolerance (%d):", p->n_failed);
        for (int i = 0; i < p->n_rows; i++)
            if (p->rows[i].verdict == XC_VERDICT_FAIL) printf(" #%d '%s'", i, p->rows[i].info.name);
        printf("\n");
    }
}

static void print_first_nan(const xc_run_report *r)
{
    printf("\nfirst NaN/Inf per runner:\n");
    for (int k = 0; k < r->n_runners; k++)
        for (int it = 0; r->runners[k].first_nan && it < r->iterations; it++) {
            const xc_first_nan *f = &r->runners[k].first_nan[it];
            printf("  %-10s iteration %d: ", r->runners[k].name, it);
            if (!f->found)
                printf("%snone%s%s\n", GREEN, RESET, f->constant.found ? " depending on the inputs" : "");
            else
                printf("%slayer '%s', tensor '%s', element %zu = %g%s\n", RED, f->layer, f->tensor, f->index, f->value, RESET);
            if (f->constant.found) /* e.g. an attention mask's -inf: shown, marked, not the answer */
                printf("  %-10s   (constant-derived, not counted: layer '%s', tensor '%s', element %zu = %g)\n", "",
                       f->constant.layer, f->constant.tensor, f->constant.index, f->constant.value);
        }
}

/* --validate: every runner output holding NaN or Inf, by name. */
static void print_validate(const xc_run_report *r)
{
    for (int k = 0; k < r->n_runners; k++)
        for (int it = 0; r->runners[k].nonfinite && it < r->iterations; it++)
            for (int o = 0; o < r->n_outputs; o++) {
                size_t n = r->runners[k].nonfinite[(size_t)it * r->n_outputs + o];
                if (n)
                    printf("%s--validate: %s output '%s' (iteration %d) holds %zu NaN/Inf value%s%s\n", RED, r->runners[k].name,
                           r->model->graph->outputs[o].name, it, n, n == 1 ? "" : "s", RESET);
            }
    printf("%s--validate: %d output%s hold%s NaN or Inf%s\n", r->invalid ? RED : GREEN, r->invalid, r->invalid == 1 ? "" : "s",
           r->invalid == 1 ? "s" : "", RESET);
}

/* --check-average: the verdicts that decide, one per runner and output. */
static void print_averages(const xc_run_report *r)
{
    printf("\n%saverage over the iterations (--check-average: these verdicts decide)%s\n", BOLD, RESET);
    for (int i = 0; i < r->n_averages; i++) {
        const xc_average_verdict *a = &r->averages[i];
        printf("  output '%s': %s vs %s, %d iteration%s\n", r->model->graph->outputs[a->output].name, r->runners[a->runner].name,
               r->runners[r->against].name, a->iterations, a->iterations == 1 ? "" : "s");
        if (a->shape_mismatches) {
            printf("    %sFAILED%s  %d iteration%s had a shape mismatch: no average\n", RED, RESET, a->shape_mismatches,
                   a->shape_mismatches == 1 ? "" : "s");
            continue;
        }
        char stat[48];
        if (a->stat == XC_STAT_QUANTILE)
            snprintf(stat, sizeof stat, "quantile(%g)", a->quantile);
        else
            snprintf(stat, sizeof stat, "%s", xc_check_stat_name(a->stat));
        int abs_ok = !(isnan(a->check_abs) || a->check_abs > a->atol);
        printf("    %s%s%s  ", a->tolerance_passed ? GREEN : RED, a->tolerance_passed ? "PASSED" : "FAILED", RESET);
        if (a->tolerance_passed && abs_ok)
            printf("average %s abs=%.4g <= atol=%.3g", stat, a->check_abs, a->atol);
        else if (a->tolerance_passed)
            printf("average %s rel=%.4g <= rtol=%.3g", stat, a->check_rel, a->rtol);
        else
            printf("average %s abs=%.4g > atol=%.3g and average %s rel=%.4g > rtol=%.3g", stat, a->check_abs, a->atol, stat,
                   a->check_rel, a->rtol);
        printf(" (check-error-stat %s)\n", xc_check_stat_name(a->stat));
        print_metric_lines(a->metrics, a->n_metrics, "average ");
    }
}

void run_print_report(const xc_run_report *r, const xc_run_config *c)
{
    for (int it = 0; it < r->iterations; it++) print_iteration(r, it);
    for (int k = 0; k < r->n_runners; k++) {
        if (!r->runners[k].per_layer) continue;
        print_per_layer(r, k, 0, c->per_layer);
        for (int it = 1; it < r->iterations; it++) {
            const xc_per_layer *p = &r->runners[k].per_layer[it];
            printf("  iteration %d: %s%s\n", it, p->first_divergence < 0 ? "no divergent layer" : "first divergent layer: ",
                   p->first_divergence < 0 ? "" : p->rows[p->first_divergence].info.name);
        }
    }
    if (r->n_averages) print_averages(r);
    if (c->first_nan) print_first_nan(r);
    if (c->validate) print_validate(r);
    int failed = 0;
    for (int i = 0; i < r->n_comparisons; i++) failed += !r->comparisons[i].passed;
    if (c->save_outputs) printf("saved results to %s\n", c->save_outputs);
    if (!r->n_comparisons && !c->validate) {
        printf("ran %s on %d runner%s (nothing to compare)\n", c->model_path, r->n_runners, r->n_runners > 1 ? "s" : "");
        return;
    }
    printf("%s%s%s: ", r->passed ? GREEN : RED, r->passed ? "PASSED" : "FAILED", RESET);
    if (r->n_averages) {
        int ok = 0;
        for (int i = 0; i < r->n_averages; i++) ok += r->averages[i].passed;
        printf("%d of %d output%s passed on the average over %d iteration%s (against %s)", ok, r->n_averages,
               r->n_averages > 1 ? "s" : "", r->iterations, r->iterations > 1 ? "s" : "", r->runners[r->against].name);
        for (int i = 0, named = 0; i < r->n_averages; i++)
            if (!r->averages[i].passed)
                printf("%s %s '%s'", named++ ? "," : "; failed:", r->runners[r->averages[i].runner].name,
                       r->model->graph->outputs[r->averages[i].output].name);
        if (c->validate && r->invalid)
            printf("; --validate: %d output%s hold NaN or Inf", r->invalid, r->invalid == 1 ? "" : "s");
        printf("\n");
        return;
    }
    if (r->n_comparisons)
        printf("%d of %d comparison%s passed over %d iteration%s (against %s)", r->n_comparisons - failed, r->n_comparisons,
               r->n_comparisons > 1 ? "s" : "", r->iterations, r->iterations > 1 ? "s" : "", r->runners[r->against].name);
    else
        printf("nothing compared");
    /* name what failed, so the line alone says why */
    int named = 0;
    for (int i = 0; i < r->n_comparisons; i++) {
        const xc_comparison *cmp = &r->comparisons[i];
        for (int o = 0; !cmp->passed && o < r->n_outputs; o++) {
            const xc_output_comparison *oc = &cmp->outputs[o];
            if (!oc->present || (oc->r.passed && !oc->r.shape_mismatch)) continue;
            if (named++ < 4)
                printf("%s %s '%s' (iteration %d)", named == 1 ? "; failed:" : ",", r->runners[cmp->runner].name,
                       r->model->graph->outputs[o].name, cmp->iteration);
        }
    }
    if (named > 4) printf(" and %d more", named - 4);
    if (c->per_layer)
        printf("; per-layer: %d failing row%s%s", r->failed_layers, r->failed_layers == 1 ? "" : "s",
               c->per_layer_outputs_only ? " (not counted: --per-layer-verdict outputs)" : " (counted: rows and outputs decide)");
    if (c->validate && r->invalid)
        printf("; --validate: %d output%s hold%s NaN or Inf", r->invalid, r->invalid == 1 ? "" : "s", r->invalid == 1 ? "s" : "");
    printf("\n");
}

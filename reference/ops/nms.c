/* nms.c — reference NonMaxSuppression, written to select exactly what ONNX Runtime selects.
 *
 * Per (batch, class): the boxes whose score is above score_threshold (strictly; every box when
 * the input is omitted) are visited best score first, equal scores lower box index first (ORT's
 * priority queue order); a box is kept unless its IoU with an already kept box of the same class
 * is above iou_threshold (strictly), until max_output_boxes_per_class are kept (omitted or <= 0:
 * none). IoU is computed in float with ORT's rules: corners given in either order, and a zero or
 * negative intersection, area or union never suppresses. Rows come out batch-major, then class,
 * then in keeping order. */
#include "vision.h"
#include "ops/checked.h"
#include <math.h>
#include <stdlib.h>

typedef struct candidate {
    float score;
    int64_t box;
} candidate;

static int by_score(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    int na = isnan(a->score), nb = isnan(b->score);
    if (na != nb) return na - nb; /* NaN scores (kept only without score_threshold) rank last */
    if (!na && a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->box > b->box) - (a->box < b->box);
}

/* A box as [min, max] along y and x. */
typedef struct extent {
    float y0, x0, y1, x1;
} extent;

static extent box_extent(const float *b, int center_point_box)
{
    extent e;
    if (center_point_box) { /* [x_center, y_center, width, height] */
        float hw = b[2] / 2, hh = b[3] / 2;
        e.x0 = b[0] - hw, e.x1 = b[0] + hw, e.y0 = b[1] - hh, e.y1 = b[1] + hh;
    } else { /* [y1, x1, y2, x2], either corner first */
        e.y0 = b[0] < b[2] ? b[0] : b[2], e.y1 = b[0] < b[2] ? b[2] : b[0];
        e.x0 = b[1] < b[3] ? b[1] : b[3], e.x1 = b[1] < b[3] ? b[3] : b[1];
    }
    return e;
}

static int suppresses(extent a, extent b, float iou_threshold)
{
    float ix0 = a.x0 > b.x0 ? a.x0 : b.x0, ix1 = a.x1 < b.x1 ? a.x1 : b.x1;
    float iy0 = a.y0 > b.y0 ? a.y0 : b.y0, iy1 = a.y1 < b.y1 ? a.y1 : b.y1;
    if (ix1 <= ix0 || iy1 <= iy0) return 0;
    float inter = (ix1 - ix0) * (iy1 - iy0);
    if (inter <= 0.f) return 0;
    float area_a = (a.x1 - a.x0) * (a.y1 - a.y0), area_b = (b.x1 - b.x0) * (b.y1 - b.y0);
    float uni = area_a + area_b - inter;
    if (area_a <= 0.f || area_b <= 0.f || uni <= 0.f) return 0;
    return inter / uni > iou_threshold;
}

static float scalar_f32(const xc_tensor *t, float def) { return t && xc_tensor_numel(t) ? ((const float *)t->data)[0] : def; }

xc_status xc_ref_non_max_suppression(xc_ref_args *a)
{
    const xc_tensor *boxes = a->in[0], *scores = a->in[1];
    const xc_tensor *max_t = a->n_in > 2 ? a->in[2] : NULL, *iou_t = a->n_in > 3 ? a->in[3] : NULL;
    const xc_tensor *score_t = a->n_in > 4 ? a->in[4] : NULL;
    int cpb = (int)xc_attr_int(a->node, "center_point_box", 0);
    int64_t batches = scores->dims[0], classes = scores->dims[1], n = scores->dims[2];
    int64_t max_out = max_t && xc_tensor_numel(max_t) ? ((const int64_t *)max_t->data)[0] : 0;
    float iou_threshold = scalar_f32(iou_t, 0.f), score_threshold = scalar_f32(score_t, 0.f);
    if (max_out < 0) max_out = 0;
    if (max_out > n) max_out = n;
    int64_t bound;
    XC_TRY(xc_mul_i64(a->node, "selected box bound", batches * classes, max_out, &bound));
    candidate *cand = malloc(sizeof *cand * (size_t)(n + 1));
    extent *kept = malloc(sizeof *kept * (size_t)(max_out + 1));
    int64_t *rows = malloc(sizeof *rows * 3 * (size_t)(bound + 1)), count = 0;
    xc_status s = cand && kept && rows ? XC_OK : xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    const float *bx = boxes->data, *sc = scores->data;
    /* n == 0: no boxes, nothing selected (and empty scores may have no data pointer) */
    for (int64_t b = 0; b < batches && s == XC_OK && n > 0; b++)
        for (int64_t c = 0; c < classes; c++) {
            const float *cs = sc + (b * classes + c) * n;
            int64_t m = 0, nk = 0;
            for (int64_t i = 0; i < n; i++)
                if (!score_t || cs[i] > score_threshold) cand[m++] = (candidate){cs[i], i};
            qsort(cand, (size_t)m, sizeof *cand, by_score);
            for (int64_t i = 0; i < m && nk < max_out; i++) {
                extent e = box_extent(bx + (b * n + cand[i].box) * 4, cpb);
                int drop = 0;
                for (int64_t k = 0; k < nk && !drop; k++) drop = suppresses(kept[k], e, iou_threshold);
                if (drop) continue;
                kept[nk++] = e;
                rows[3 * count] = b, rows[3 * count + 1] = c, rows[3 * count + 2] = cand[i].box;
                count++;
            }
        }
    int64_t dims[2] = {count, 3};
    if (s == XC_OK) s = xc_tensor_new(XC_INT64, 2, dims, &a->out[0]);
    for (int64_t i = 0; s == XC_OK && i < 3 * count; i++) ((int64_t *)a->out[0]->data)[i] = rows[i];
    free(cand);
    free(kept);
    free(rows);
    return s;
}

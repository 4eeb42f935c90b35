/* test_fp16_math.c — the engine configuration's precision setters (crosscheck/engine.h): fp16
 * arithmetic, fp16 storage and fp16 accumulation (bf16 math and storage too) each reach every
 * layer, and the layer's precision is named for its math. Builds the pointwise fixture on
 * whatever OpenCL device there is; skips with a note when there is none. */
#include "crosscheck/engine.h"
#include "ocl/ocl.h"
#include "onnx_io.h"
#include "test.h"
#include <stdio.h>
#include <string.h>

typedef void (*setter)(xc_engine_config *c, int on);

/* Builds m with `set(c, 1)` (NULL: defaults) and checks every live layer's math. */
static void check_mode(const xc_model *m, setter set, const char *want, int want_math)
{
    xc_engine_config *c = NULL;
    xc_engine *e = NULL;
    CHECK_OK(xc_engine_config_create(&c));
    if (!c) return;
    if (set) set(c, 1);
    CHECK_OK(xc_engine_build(m, c, &e));
    for (int l = 0; e && l < xc_engine_layer_count(e); l++) {
        xc_engine_layer_info info;
        xc_engine_layer_info_get(e, l, &info);
        if (!info.name) continue;
        CHECK(!strcmp(xc_layer_info_precision(&info), want));
        CHECK(info.fp16_math == want_math);
        CHECK(!info.fp16 || info.half_format == (want[0] == 'b' ? XC_HALF_BF16 : XC_HALF_FP16)); /* bf16, bf16-storage */
    }
    xc_engine_free(e);
    xc_engine_config_free(c);
}

static void set_off(xc_engine_config *c, int on)
{
    xc_engine_config_set_fp16_accumulate(c, on);
    xc_engine_config_set_fp16(c, 0); /* clears accumulation too */
}

TEST(fp16_config_setters_reach_each_layers_math)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/pointwise.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    xc_model *m = NULL;
    CHECK_OK(xc_model_load(path, &m));
    if (!m) return;
    xc_engine_config *probe = NULL;
    xc_engine *e = NULL;
    CHECK_OK(xc_engine_config_create(&probe));
    if (probe && xc_engine_build(m, probe, &e) != XC_OK) {
        fprintf(stderr, "  (no OpenCL engine: %s)\n", xc_error_message());
        xc_engine_config_free(probe);
        xc_model_free(m);
        return;
    }
    xc_engine_free(e);
    xc_engine_config_free(probe);
    check_mode(m, NULL, "fp32", 0);
    check_mode(m, xc_engine_config_set_fp16, "fp16", 1);
    check_mode(m, xc_engine_config_set_fp16_storage, "fp16-storage", 0);
    check_mode(m, xc_engine_config_set_fp16_accumulate, "fp16", 2);
    check_mode(m, set_off, "fp32", 0);
    check_mode(m, xc_engine_config_set_bf16, "bf16", 1);
    check_mode(m, xc_engine_config_set_bf16_storage, "bf16-storage", 0);
    xc_model_free(m);
}

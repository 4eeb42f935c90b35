/* test_bf16.c — the reduced-precision formats and modes (ocl/ocl.h): bfloat16's rounding (nearest
 * even, NaN kept, fp32's range), the mode table behind --fp16, --bf16 and the rest (each option sets its mode,
 * names it back, and a second format is refused), and bf16's tolerance derived from its unit
 * roundoff. The bf16 setters of the engine configuration are checked with fp16's (test_fp16_math.c). */
#include "ocl/ocl.h"
#include "test.h"
#include "tolerance_spec.h"
#include <math.h>
#include <string.h>

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

TEST(bf16_format_rounds_to_nearest_even_and_keeps_nan)
{
    const xc_half_format_info *b = xc_half_format_get(XC_HALF_BF16), *h = xc_half_format_get(XC_HALF_FP16);
    CHECK(!strcmp(b->name, "bf16") && !strcmp(b->storage, "bf16-storage") && b->prec == XC_LAYER_PREC_BF16);
    CHECK(!strcmp(h->name, "fp16") && !strcmp(h->storage, "fp16-storage") && h->prec == XC_LAYER_PREC_FP16);
    CHECK(b->encode(1.0f) == 0x3f80);
    CHECK(b->encode(1.0f + 0x1p-8f) == 0x3f80);            /* a tie: down to the even 1.0 */
    CHECK(b->encode(1.0f + 3 * 0x1p-8f) == 0x3f82);        /* a tie: up to the even 1 + 2^-6 */
    CHECK(b->encode(1.0f + 0x1p-8f + 0x1p-20f) == 0x3f81); /* past the tie: up */
    CHECK(b->encode(-1.0f - 0x1p-8f) == 0xbf80);
    CHECK(b->decode(b->encode(1e6f)) == 999424.0f); /* fp32's range: no overflow where half has none */
    CHECK(isinf(h->decode(h->encode(1e6f))));
    CHECK(isinf(b->decode(b->encode(from_bits(0x7f7fffffu))))); /* FLT_MAX rounds past bf16's largest */
    CHECK(b->encode(from_bits(0x7f800001u)) != 0x7f80 && isnan(b->decode(b->encode(from_bits(0x7f800001u))))); /* NaN stays NaN */
    CHECK(b->decode(b->encode(from_bits(0x00012345u))) == from_bits(0x00010000u)); /* subnormals keep bf16's steps */
}

TEST(bf16_precision_modes_set_name_and_refuse_mixing)
{
    static const char *const options[] = {"--fp16", "--fp16-storage", "--fp16-accumulate", "--bf16", "--bf16-storage"};
    for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
        xc_ocl_build_options o = xc_ocl_build_defaults();
        CHECK(xc_ocl_precision_option(&o) == NULL);
        CHECK(xc_ocl_precision_mode(&o, options[i]) == 1);
        CHECK(o.fp16 && !strcmp(xc_ocl_precision_option(&o), options[i]));
        CHECK(o.half_format == (options[i][2] == 'b' ? XC_HALF_BF16 : XC_HALF_FP16));
    }
    xc_ocl_build_options o = xc_ocl_build_defaults();
    CHECK(xc_ocl_precision_mode(&o, "--no-fusion") == 0 && !o.fp16);
    CHECK(xc_ocl_precision_mode(&o, "--bf16") == 1 && o.fp16_math == 1 && !o.fp16_acc);
    /* storage alone and arithmetic are two answers to one question: refused, whatever the order */
    CHECK(xc_ocl_precision_mode(&o, "--bf16-storage") == -1 && o.fp16_math == 1);
    CHECK(strstr(xc_error_message(), "--bf16-storage cannot be combined with --bf16") != NULL);
    o = xc_ocl_build_defaults();
    CHECK(xc_ocl_precision_mode(&o, "--bf16-storage") == 1 && !o.fp16_math);
    CHECK(xc_ocl_precision_mode(&o, "--fp16") == -1);
    CHECK(strstr(xc_error_message(), "--fp16 cannot be combined with --bf16-storage") != NULL);
    CHECK(o.half_format == XC_HALF_BF16 && !o.fp16_math); /* unchanged by the refusal */
    /* --fp16 with --fp16-accumulate, in either order, rounds the sums too */
    const char *const orders[2][2] = {{"--fp16", "--fp16-accumulate"}, {"--fp16-accumulate", "--fp16"}};
    for (int k = 0; k < 2; k++) {
        o = xc_ocl_build_defaults();
        CHECK(xc_ocl_precision_mode(&o, orders[k][0]) == 1 && xc_ocl_precision_mode(&o, orders[k][1]) == 1);
        CHECK(o.fp16_math && o.fp16_acc && !strcmp(xc_ocl_precision_option(&o), "--fp16-accumulate"));
    }
    CHECK(xc_layer_prec_parse("bf16") == XC_LAYER_PREC_BF16 && !strcmp(xc_layer_prec_name(XC_LAYER_PREC_BF16), "bf16"));
}

TEST(bf16_tolerance_scales_fp16s_by_unit_roundoff)
{
    xc_tolerance_spec s = xc_tolerance_spec_default();
    int64_t d = 4;
    xc_tensor *x = NULL;
    CHECK_OK(xc_tensor_new(XC_FLOAT, 1, &d, &x));
    if (!x) return;
    for (int i = 0; i < 4; i++) ((float *)x->data)[i] = 2.0f;
    xc_tolerance h = xc_tolerance_for(&s, "y", x, XC_MATH_FP16, 0), b = xc_tolerance_for(&s, "y", x, XC_MATH_BF16, 0);
    CHECK_NEAR(h.rtol, 1e-2, 0);              /* fp16 as before */
    CHECK_NEAR(b.rtol, 1e-2 * 8, 1e-15);      /* 2^-8 / 2^-11 times fp16's */
    CHECK_NEAR(b.atol, 8e-2 * 2, 1e-15);      /* scaled by the RMS like every auto atol */
    CHECK(h.half_storage && !b.half_storage); /* no half-underflow hint: bf16 keeps fp32's range */
    CHECK(xc_math_half(1) == XC_MATH_BF16 && xc_math_half(0) == XC_MATH_FP16);
    xc_tensor_free(x);
}

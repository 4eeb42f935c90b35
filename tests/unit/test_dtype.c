/* test_dtype.c — half-precision conversions and checked shape arithmetic. */
#include "names.h"
#include "tensor.h"
#include "test.h"
#include <stdint.h>
#include <string.h>

TEST(float16_conversion_rounds_to_nearest_even)
{
    CHECK(xc_f32_to_f16(1.0f) == 0x3c00);
    CHECK(xc_f32_to_f16(-2.0f) == 0xc000);
    CHECK(xc_f32_to_f16(65504.0f) == 0x7bff);
    CHECK(xc_f32_to_f16(65519.0f) == 0x7bff); /* below the rounding midpoint to inf */
    CHECK(xc_f32_to_f16(65520.0f) == 0x7c00);
    CHECK(xc_f32_to_f16(0x1p-24f) == 0x0001);        /* smallest subnormal */
    CHECK(xc_f32_to_f16(0x1p-26f) == 0x0000);        /* below half of it */
    CHECK(xc_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00); /* tie: stays even */
    CHECK(xc_f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f) == 0x3c01);
    CHECK((xc_f32_to_f16(NAN) & 0x7c00) == 0x7c00 && (xc_f32_to_f16(NAN) & 0x3ff));
    for (uint32_t h = 0; h < 0x7c00; h++) /* every finite half survives a round trip */
        if (xc_f32_to_f16(xc_f16_to_f32((uint16_t)h)) != h) {
            CHECK(0);
            break;
        }
}

TEST(bfloat16_conversion)
{
    CHECK(xc_f32_to_bf16(1.0f) == 0x3f80);
    CHECK_NEAR(xc_bf16_to_f32(0x3f80), 1.0, 0);
    CHECK(xc_f32_to_bf16(1.0f + 0x1p-8f) == 0x3f80); /* tie to even */
    CHECK(xc_f32_to_bf16(1.0f + 0x1p-8f + 0x1p-16f) == 0x3f81);
}

TEST(shape_arithmetic_is_checked)
{
    size_t n;
    int64_t ok[] = {2, 3, 4}, neg[] = {2, -1}, huge[] = {INT64_MAX, INT64_MAX, 4}, zero[] = {0, INT64_MAX};
    CHECK(xc_shape_numel(3, ok, &n) == XC_OK && n == 24);
    CHECK(xc_shape_numel(2, neg, &n) == XC_ERR_MODEL);
    CHECK(xc_shape_numel(3, huge, &n) == XC_ERR_MODEL);
    CHECK(xc_shape_numel(2, zero, &n) == XC_OK && n == 0);
    int64_t big[] = {1 << 20, 1 << 20, 1 << 20};
    xc_tensor *t = NULL;
    CHECK(xc_tensor_new(XC_FLOAT, 3, big, &t) == XC_ERR_NOMEM && t == NULL);
    CHECK(strstr(xc_error_message(), "exceeds the limit") != NULL);
    CHECK(xc_tensor_new(XC_FLOAT, 9, ok, &t) == XC_ERR_UNSUPPORTED);
}

TEST(names_map)
{
    xc_names m;
    CHECK_OK(xc_names_init(&m, 2));
    char keys[100][8];
    for (int i = 0; i < 100; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        CHECK_OK(xc_names_put(&m, keys[i], i));
    }
    int all = 1;
    for (int i = 0; i < 100; i++) all &= xc_names_get(&m, keys[i]) == i;
    CHECK(all);
    CHECK(xc_names_get(&m, "missing") == -1);
    CHECK_OK(xc_names_put(&m, keys[5], 500));
    CHECK(xc_names_get(&m, "k5") == 500 && m.count == 100);
    xc_names_free(&m);
}

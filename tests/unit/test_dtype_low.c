/* test_dtype_low.c — float8/float4/int4/int2 codecs and file packing (src/dtype_low.c). The
 * expected codes are ml_dtypes' (what onnx.numpy_helper and onnx.reference use); the Python
 * section lowbit_dtypes compares all 256 patterns of each type against ml_dtypes itself. */
#include "dtype.h"
#include "test.h"
#include <stdint.h>
#include <string.h>

static const xc_dtype float8s[] = {XC_FLOAT8E4M3FN, XC_FLOAT8E4M3FNUZ, XC_FLOAT8E5M2, XC_FLOAT8E5M2FNUZ};

TEST(float8_every_code_round_trips)
{
    for (int k = 0; k < 4; k++) {
        xc_dtype t = float8s[k];
        int nans = 0;
        for (int c = 0; c < 256; c++) {
            float v = xc_low_to_f32(t, (uint8_t)c);
            if (isnan(v)) {
                nans++;
                CHECK(isnan(xc_low_to_f32(t, xc_f64_to_low(t, v, 0))));
                continue;
            }
            /* saturation maps e5m2's Inf to its largest finite value, so Inf round-trips unsaturated only */
            if (xc_f64_to_low(t, v, 0) != c || (!isinf(v) && xc_f64_to_low(t, v, 1) != c)) {
                fprintf(stderr, "  %s code 0x%02x (%g) does not round-trip\n", xc_dtype_name(t), c, v);
                CHECK(0);
            }
        }
        CHECK(nans == (t == XC_FLOAT8E4M3FN ? 2 : t == XC_FLOAT8E5M2 ? 6 : 1));
    }
}

TEST(float8_rounding_and_overflow_follow_ml_dtypes)
{
    /* e4m3fn: max 448; 464 is the tie between 448 and (NaN's) 480 and rounds to even 448 */
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, 448, 0) == 0x7e);
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, 464, 0) == 0x7e);
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, 465, 0) == 0x7f);  /* overflow: NaN */
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, -465, 1) == 0xfe); /* saturated: -448 */
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, INFINITY, 0) == 0x7f);
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, -0.0, 0) == 0x80);
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, -0.001, 0) == 0x81); /* to the smallest subnormal 2^-9 */
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, 7.5, 0) == 0x4f);
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FN, 17.5, 0) == 0x59);
    /* e5m2 has Inf: 61440 ties between 57344 and 65536 (Inf) and goes to even, Inf */
    CHECK(xc_f64_to_low(XC_FLOAT8E5M2, 61440, 0) == 0x7c);
    CHECK(xc_f64_to_low(XC_FLOAT8E5M2, 61440, 1) == 0x7b);
    CHECK(xc_f64_to_low(XC_FLOAT8E5M2, -INFINITY, 0) == 0xfc);
    CHECK(xc_f64_to_low(XC_FLOAT8E5M2, NAN, 0) == 0x7e);
    CHECK(xc_f64_to_low(XC_FLOAT8E5M2, 464, 0) == 0x5f);
    /* fnuz: one NaN (0x80) for NaN, Inf and overflow; no negative zero */
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FNUZ, -0.0, 0) == 0x00);
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FNUZ, -1e-10, 0) == 0x00);
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FNUZ, 464, 0) == 0x80);
    CHECK(xc_f64_to_low(XC_FLOAT8E4M3FNUZ, 464, 1) == 0x7f);
    CHECK(xc_f64_to_low(XC_FLOAT8E5M2FNUZ, -INFINITY, 0) == 0x80);
    CHECK(xc_f64_to_low(XC_FLOAT8E5M2FNUZ, -INFINITY, 1) == 0xff);
    CHECK(xc_f64_to_low(XC_FLOAT8E5M2FNUZ, 57344, 0) == 0x7f);
    CHECK(xc_low_to_f32(XC_FLOAT8E4M3FNUZ, 0x7f) == 240.0f);
    CHECK(xc_low_to_f32(XC_FLOAT8E5M2FNUZ, 0xff) == -57344.0f);
}

TEST(float4e2m1_values_saturate_and_nan)
{
    static const float values[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
    for (int c = 0; c < 16; c++) {
        CHECK(xc_low_to_f32(XC_FLOAT4E2M1, (uint8_t)c) == values[c]);
        CHECK(xc_f64_to_low(XC_FLOAT4E2M1, values[c], 0) == c);
    }
    CHECK(xc_f64_to_low(XC_FLOAT4E2M1, 2.5, 0) == 0x4); /* tie to even: 2 */
    CHECK(xc_f64_to_low(XC_FLOAT4E2M1, 5, 0) == 0x6);   /* tie between 4 and 6: 4 */
    CHECK(xc_f64_to_low(XC_FLOAT4E2M1, 1e10, 0) == 0x7);
    CHECK(xc_f64_to_low(XC_FLOAT4E2M1, -INFINITY, 0) == 0xf);
    CHECK(xc_f64_to_low(XC_FLOAT4E2M1, NAN, 0) == 0x8); /* what ml_dtypes gives */
    CHECK(xc_f64_to_low(XC_FLOAT4E2M1, -NAN, 0) == 0x0);
}

TEST(float8e8m0_follows_onnx_rounding)
{
    CHECK(xc_f32_to_e8m0(1.0f, 1, XC_E8M0_UP) == 127);
    CHECK(xc_f32_to_e8m0(1.5f, 1, XC_E8M0_UP) == 128);
    CHECK(xc_f32_to_e8m0(1.5f, 1, XC_E8M0_DOWN) == 127);
    CHECK(xc_f32_to_e8m0(1.25f, 1, XC_E8M0_NEAREST) == 127);
    CHECK(xc_f32_to_e8m0(1.5f, 1, XC_E8M0_NEAREST) == 128);
    CHECK(xc_f32_to_e8m0(0x1.8p127f, 1, XC_E8M0_UP) == 254);
    CHECK(xc_f32_to_e8m0(0x1.8p127f, 0, XC_E8M0_UP) == 255);
    CHECK(xc_f32_to_e8m0(INFINITY, 1, XC_E8M0_UP) == 255);
    CHECK(xc_low_to_f32(XC_FLOAT8E8M0, 127) == 1.0f && isnan(xc_low_to_f32(XC_FLOAT8E8M0, 255)));
}

TEST(int4_int2_conversions)
{
    CHECK((int8_t)xc_low_int_wrap(XC_INT4, 17) == 1);
    CHECK((int8_t)xc_low_int_wrap(XC_INT4, -9) == 7);
    CHECK((int8_t)xc_low_int_wrap(XC_INT4, 8) == -8);
    CHECK(xc_low_int_wrap(XC_UINT4, -1) == 15);
    CHECK((int8_t)xc_low_int_wrap(XC_INT2, 3) == -1);
    /* floats truncate; out of range (after truncation), NaN and Inf give 0 */
    CHECK((int8_t)xc_low_int_from_f64(XC_INT4, -8.5) == -8);
    CHECK(xc_low_int_from_f64(XC_INT4, 8.9) == 0);
    CHECK(xc_low_int_from_f64(XC_UINT4, 15.9) == 15);
    CHECK(xc_low_int_from_f64(XC_UINT4, -1) == 0);
    CHECK(xc_low_int_from_f64(XC_UINT2, 3.9) == 3);
    CHECK(xc_low_int_from_f64(XC_INT2, NAN) == 0);
    int8_t v = 0;
    xc_store_f64(XC_INT4, &v, 0, 7.9);
    CHECK(v == 7 && xc_load_i64(XC_INT4, &v, 0) == 7);
}

TEST(low_bit_packing_is_low_nibble_first)
{
    const int8_t s4[5] = {-8, 7, -1, 0, 3};
    uint8_t packed[3], back[5];
    CHECK(xc_dtype_file_bytes(XC_INT4, 5) == 3 && xc_dtype_file_bytes(XC_UINT2, 5) == 2);
    CHECK(xc_dtype_file_bytes(XC_FLOAT8E5M2, 5) == 5 && xc_dtype_file_bytes(XC_INT2, 0) == 0);
    xc_low_pack(XC_INT4, (const uint8_t *)s4, 5, packed);
    CHECK(packed[0] == 0x78 && packed[1] == 0x0f && packed[2] == 0x03);
    xc_low_unpack(XC_INT4, packed, 5, back);
    CHECK(!memcmp(back, s4, 5));
    const uint8_t u2[5] = {0, 1, 2, 3, 3};
    xc_low_pack(XC_UINT2, u2, 5, packed);
    CHECK(packed[0] == 0xe4 && packed[1] == 0x03);
    xc_low_unpack(XC_UINT2, packed, 5, back);
    CHECK(!memcmp(back, u2, 5));
    const int8_t s2[4] = {-2, -1, 0, 1};
    xc_low_pack(XC_INT2, (const uint8_t *)s2, 4, packed);
    CHECK(packed[0] == 0x4e);
    xc_low_unpack(XC_INT2, packed, 4, back);
    CHECK(!memcmp(back, s2, 4));
}

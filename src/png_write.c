/* png_write.c — PNG encoding with zlib (see png_write.h). */
#include "png_write.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One chunk: length, type, data, CRC over type and data. */
static int chunk(FILE *f, const char *type, const uint8_t *data, size_t len)
{
    uint8_t head[8], crc[4];
    put32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    uLong c = crc32(0L, head + 4, 4);
    if (len) c = crc32(c, data, (uInt)len);
    put32(crc, (uint32_t)c);
    return fwrite(head, 1, 8, f) == 8 && (!len || fwrite(data, 1, len, f) == len) && fwrite(crc, 1, 4, f) == 4;
}

xc_status xc_png_write(const char *path, const uint8_t *rgb, int width, int height, const xc_png_text *text, int n_text)
{
    if (width <= 0 || height <= 0) return xc_fail(XC_ERR_INTERNAL, "%s: empty picture", path);
    size_t row = (size_t)width * 3 + 1, raw_len = row * (size_t)height;
    uint8_t *raw = malloc(raw_len);
    uLongf z_len = compressBound((uLong)raw_len);
    uint8_t *z = malloc(z_len);
    if (!raw || !z) {
        free(raw);
        free(z);
        return xc_fail(XC_ERR_NOMEM, "%s: out of memory for a %dx%d picture", path, width, height);
    }
    for (int y = 0; y < height; y++) { /* filter type 0 (none) before each row */
        raw[(size_t)y * row] = 0;
        memcpy(raw + (size_t)y * row + 1, rgb + (size_t)y * width * 3, (size_t)width * 3);
    }
    int zok = compress2(z, &z_len, raw, (uLong)raw_len, 6) == Z_OK;
    free(raw);
    FILE *f = zok ? fopen(path, "wb") : NULL;
    if (!f) {
        free(z);
        return zok ? xc_fail(XC_ERR_IO, "%s: cannot write", path) : xc_fail(XC_ERR_NOMEM, "%s: zlib failed", path);
    }
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13];
    put32(ihdr, (uint32_t)width);
    put32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;                        /* bit depth */
    ihdr[9] = 2;                        /* colour type: RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filtering, no interlace */
    int ok = fwrite(sig, 1, 8, f) == 8 && chunk(f, "IHDR", ihdr, 13);
    for (int i = 0; ok && i < n_text; i++) {
        size_t kl = strlen(text[i].key), vl = strlen(text[i].value);
        uint8_t *t = malloc(kl + 1 + vl);
        ok = t != NULL;
        if (ok) {
            memcpy(t, text[i].key, kl + 1); /* keyword, NUL, text */
            memcpy(t + kl + 1, text[i].value, vl);
            ok = chunk(f, "tEXt", t, kl + 1 + vl);
        }
        free(t);
    }
    ok = ok && chunk(f, "IDAT", z, z_len) && chunk(f, "IEND", NULL, 0);
    free(z);
    if (fclose(f) != 0) ok = 0;
    return ok ? XC_OK : xc_fail(XC_ERR_IO, "%s: write failed", path);
}

/* png_write.h — a minimal PNG encoder (8-bit RGB, zlib-compressed, tEXt chunks) for pictures
 * crosscheck draws itself (heat maps); no libpng needed. */
#ifndef XC_PNG_WRITE_H
#define XC_PNG_WRITE_H
#include "error.h"
#include <stddef.h>
#include <stdint.h>

typedef struct xc_png_text {
    const char *key, *value; /* Latin-1 keyword (1-79 bytes) and text */
} xc_png_text;

/* Writes width x height pixels (rgb: 3 bytes each, row-major) to path. */
xc_status xc_png_write(const char *path, const uint8_t *rgb, int width, int height, const xc_png_text *text, int n_text);
#endif

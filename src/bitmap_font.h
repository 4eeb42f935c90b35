/* bitmap_font.h — a 5x7 pixel font for the few labels crosscheck's PNG pictures carry (numbers
 * on a colour scale): digits, . - + e, and the letters of "nan/inf". */
#ifndef XC_BITMAP_FONT_H
#define XC_BITMAP_FONT_H
#include <stdint.h>

/* Draws text at (x, y) (top left) into an RGB image, each font pixel scale x scale; characters
 * the font lacks are left blank. Returns the width drawn. */
int xc_font_draw(uint8_t *rgb, int width, int height, int x, int y, const char *text, int scale, const uint8_t colour[3]);
#endif

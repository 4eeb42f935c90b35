/* pb_write.c — see pb_write.h. */
#include "pb_write.h"
#include <stdlib.h>
#include <string.h>

static void put(pb_buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n) cap *= 2;
        uint8_t *d = realloc(b->d, cap);
        if (!d) abort();
        b->d = d;
        b->cap = cap;
    }
    if (n) memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void varint(pb_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put(b, tmp, n);
}

/* wire types: 0 varint, 2 length-delimited, 5 fixed 32-bit */
static void key(pb_buf *b, int field, int wire) { varint(b, ((uint64_t)field << 3) | (uint64_t)wire); }

void pb_varint_field(pb_buf *b, int field, uint64_t v)
{
    key(b, field, 0);
    varint(b, v);
}

void pb_bytes_field(pb_buf *b, int field, const void *p, size_t n)
{
    key(b, field, 2);
    varint(b, n);
    put(b, p, n);
}

void pb_string_field(pb_buf *b, int field, const char *s) { pb_bytes_field(b, field, s, strlen(s)); }

void pb_float_field(pb_buf *b, int field, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    uint8_t le[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
    key(b, field, 5);
    put(b, le, 4);
}

void pb_message_field(pb_buf *b, int field, pb_buf *sub)
{
    pb_bytes_field(b, field, sub->d, sub->n);
    pb_free(sub);
}

void pb_free(pb_buf *b)
{
    free(b->d);
    b->d = NULL;
    b->n = b->cap = 0;
}

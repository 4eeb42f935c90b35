/* graph_draw_render.c — writes a drawn graph by the file's extension: DOT text straight from
 * cgraph (the very graph that would be laid out), or SVG/PNG/PDF laid out by libgvc's "dot"
 * engine and rendered in-process into memory, then written by xc_write_file (never in place,
 * never by Graphviz, which exits the process on a write error); Graphviz's own messages are
 * routed into our error line instead of stderr. */
#include "graph_draw_internal.h"
#include "onnx_io.h"
#include "tensor.h"
#include <stdlib.h>
#include <errno.h>
#include <graphviz/gvc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char gv_message[512];

/* Graphviz reports warnings and errors through this; keep the last one, print nothing. */
static int keep_message(char *msg)
{
    snprintf(gv_message, sizeof gv_message, "%s", msg);
    size_t n = strlen(gv_message);
    while (n && (gv_message[n - 1] == '\n' || gv_message[n - 1] == ' ')) gv_message[--n] = 0;
    for (char *c = gv_message; *c; c++)
        if (*c == '\n') *c = ' '; /* our errors are one line */
    return 0;
}

/* Renders g in format into memory (*out, *len; free with free()), or fails with the reason
 * (Graphviz's own last message where it gave one). Graphviz calls exit(1) when a write to its
 * output file fails, so it never gets a file: the picture is written by us, atomically. */
static xc_status render(Agraph_t *g, const char *path, const char *format, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!strcmp(format, "dot")) {
        FILE *f = open_memstream(out, len);
        if (!f) return xc_fail(XC_ERR_NOMEM, "out of memory");
        int bad = agwrite(g, f) != 0;
        bad |= fclose(f) != 0;
        if (bad) {
            free(*out);
            *out = NULL;
            return xc_fail(XC_ERR_NOMEM, "%s: out of memory writing DOT", path);
        }
        return XC_OK;
    }
    /* Graphviz crashes when memory runs out (SIGSEGV in its allocator, or GLib aborting when
     * pango cannot start a font thread): under an address-space limit it is entered only with
     * room for that. Measured on small_cnn: crashes with 60 MiB of limit, draws with 80; this
     * asks 96 MiB plus 64 KiB a node or edge. */
    size_t room = ((size_t)96 << 20) + ((size_t)agnnodes(g) + (size_t)agnedges(g)) * ((size_t)64 << 10);
    xc_status room_ok = xc_need_address_space(room, "Graphviz");
    if (room_ok != XC_OK) return xc_error_prefix(room_ok, "%s: ", path);
    GVC_t *gvc = gvContext();
    if (!gvc) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    /* without its plugin configuration (made when libgvc6 is installed) Graphviz knows no layouts */
    if (gvLayout(gvc, g, "dot") != 0) {
        s = xc_fail(XC_ERR_RUNTIME,
                    "%s: Graphviz has no 'dot' layout (are its plugins installed and configured? "
                    "libgvc6-config-update -c)",
                    path);
    } else {
        char *data = NULL;
        unsigned int n = 0;
        if (gvRenderData(gvc, g, format, &data, &n) != 0 || !data) {
            s = xc_fail(XC_ERR_RUNTIME, "%s: Graphviz could not render %s%s%s", path, format, gv_message[0] ? ": " : "",
                        gv_message);
        } else if (!(*out = malloc(n ? n : 1))) {
            s = xc_fail(XC_ERR_NOMEM, "out of memory");
        } else {
            memcpy(*out, data, n);
            *len = n;
        }
        if (data) gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
    }
    gvFreeContext(gvc);
    return s;
}

xc_status xc_draw_write(Agraph_t *g, const char *path)
{
    const char *format = xc_draw_format(path);
    gv_message[0] = 0;
    agusererrf previous = agseterrf(keep_message);
    char *data;
    size_t len;
    xc_status s = render(g, path, format, &data, &len);
    agseterrf(previous);
    if (s == XC_OK) s = xc_write_file(path, data, len); /* the old picture stays whole until the new one is */
    free(data);
    return s;
}

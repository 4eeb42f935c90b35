/* graph_draw_render.c — writes a drawn graph by the file's extension: DOT text straight from
 * cgraph (the very graph that would be laid out), or SVG/PNG/PDF laid out by libgvc's "dot"
 * engine and rendered in-process. We open the file ourselves so an unwritable path is a clean
 * IO error, and route Graphviz's own messages into our error line instead of stderr. */
#include "graph_draw_internal.h"
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

/* Writes g to f in format, or fails with the reason (Graphviz's own last message where it gave one). */
static xc_status render(Agraph_t *g, const char *path, const char *format, FILE *f)
{
    if (!strcmp(format, "dot"))
        return agwrite(g, f) == 0 ? XC_OK : xc_fail(XC_ERR_IO, "%s: write failed", path);
    GVC_t *gvc = gvContext();
    if (!gvc) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    /* without its plugin configuration (made when libgvc6 is installed) Graphviz knows no layouts */
    if (gvLayout(gvc, g, "dot") != 0) {
        s = xc_fail(XC_ERR_RUNTIME, "%s: Graphviz has no 'dot' layout (are its plugins installed and configured? "
                                    "libgvc6-config-update -c)", path);
    } else {
        if (gvRender(gvc, g, format, f) != 0)
            s = xc_fail(XC_ERR_RUNTIME, "%s: Graphviz could not render %s%s%s", path, format, gv_message[0] ? ": " : "",
                        gv_message);
        gvFreeLayout(gvc, g);
    }
    gvFreeContext(gvc);
    return s;
}

xc_status xc_draw_write(Agraph_t *g, const char *path)
{
    const char *format = xc_draw_format(path);
    FILE *f = fopen(path, "wb");
    if (!f) return xc_fail(XC_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
    gv_message[0] = 0;
    agusererrf previous = agseterrf(keep_message);
    xc_status s = render(g, path, format, f);
    agseterrf(previous);
    int write_error = ferror(f);
    if (fclose(f) != 0) write_error = 1;
    if (s == XC_OK && write_error) s = xc_fail(XC_ERR_IO, "%s: write failed", path);
    if (s != XC_OK) unlink(path); /* no half-written picture left behind */
    return s;
}

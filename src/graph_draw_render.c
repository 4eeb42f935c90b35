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
    return 0;
}

static int render(Agraph_t *g, const char *format, FILE *f)
{
    if (!strcmp(format, "dot")) return agwrite(g, f);
    GVC_t *gvc = gvContext();
    if (!gvc) return -1;
    int rc = gvLayout(gvc, g, "dot");
    if (rc == 0) {
        rc = gvRender(gvc, g, format, f);
        gvFreeLayout(gvc, g);
    }
    gvFreeContext(gvc);
    return rc;
}

xc_status xc_draw_write(Agraph_t *g, const char *path)
{
    const char *format = xc_draw_format(path);
    FILE *f = fopen(path, "wb");
    if (!f) return xc_fail(XC_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
    gv_message[0] = 0;
    agusererrf previous = agseterrf(keep_message);
    int rc = render(g, format, f);
    agseterrf(previous);
    int write_error = ferror(f);
    if (fclose(f) != 0) write_error = 1;
    if (rc == 0 && !write_error) return XC_OK;
    unlink(path); /* no half-written picture left behind */
    if (rc != 0)
        return xc_fail(XC_ERR_RUNTIME, "%s: Graphviz could not render %s%s%s", path, format, gv_message[0] ? ": " : "",
                       gv_message);
    return xc_fail(XC_ERR_IO, "%s: write failed", path);
}

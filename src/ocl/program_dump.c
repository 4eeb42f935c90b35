/* program_dump.c — CROSSCHECK_DUMP_KERNELS (see program.h): each program's source as built. */
#include "log.h"
#include "ocl/program.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xc_ocl_program_dump(const char *label, const char *options, const char *const srcs[4], uint64_t key)
{
    const char *dir = getenv("CROSSCHECK_DUMP_KERNELS");
    if (!dir || !*dir) return;
    /* the label names a tactic variant or a layer, and a layer's ONNX name may hold '/' */
    char name[256];
    size_t n = 0;
    for (const char *c = label && *label ? label : "program"; *c && n + 1 < sizeof name; c++)
        name[n++] =
            (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("._-", *c) ? *c : '_';
    name[n] = 0;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.%016llx.cl", dir, name, (unsigned long long)key);
    FILE *f = fopen(path, "w");
    int ok = f != NULL;
    if (f) {
        /* the first line carries the build options, so the file builds again on its own */
        ok = fprintf(f, "// crosscheck program %s; build options: %s\n", label ? label : "", options ? options : "") > 0;
        for (int i = 0; i < 4 && ok; i++) ok = fputs(srcs[i], f) >= 0;
        ok = fclose(f) == 0 && ok;
    }
    if (!ok) xc_log(XC_LOG_WARNING, "CROSSCHECK_DUMP_KERNELS: could not write %s", path);
}

/* test_program_dump.c — CROSSCHECK_DUMP_KERNELS (ocl/program.h): a program's source lands in the
 * folder under its label (sanitized) and cache key, options on the first line; an unwritable
 * folder is a warning, not a failure; unset, nothing is written. */
#include "ocl/program.h"
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

TEST(program_dump_writes_label_key_options_and_sources)
{
    char dir[] = "/tmp/xc-dump-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *srcs[4] = {"#define P 1\n", "/* common */\n", "kernel void k(void) {}\n", ""};
    setenv("CROSSCHECK_DUMP_KERNELS", dir, 1);
    xc_ocl_program_dump("/layer1/conv 1", "-DBM=64 -DXC_PTX", srcs, 0xabcull);
    char path[256];
    snprintf(path, sizeof path, "%s/_layer1_conv_1.0000000000000abc.cl", dir);
    const char *text = slurp(path);
    CHECK(text
          && !strcmp(text,
                     "// crosscheck program /layer1/conv 1; build options: -DBM=64 -DXC_PTX\n"
                     "#define P 1\n/* common */\nkernel void k(void) {}\n"));
    unlink(path);
    /* a folder that is not there: a warning, and the caller goes on */
    setenv("CROSSCHECK_DUMP_KERNELS", "/nonexistent/xc-dump", 1);
    xc_ocl_program_dump("k", "", srcs, 1);
    unsetenv("CROSSCHECK_DUMP_KERNELS");
    xc_ocl_program_dump("k", "", srcs, 2);
    snprintf(path, sizeof path, "%s/k.0000000000000002.cl", dir);
    CHECK(access(path, F_OK) != 0);
    CHECK(rmdir(dir) == 0); /* empty: nothing else was written */
}

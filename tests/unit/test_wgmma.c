/* test_wgmma.c — gemm.tf32_wgmma's guard (compute capability 9.0 exactly: its code is sm_90a) and
 * the PTX patch that makes its instructions reach the driver (ocl/ptx_patch.h): the module is
 * retargeted to sm_90a and the marked lines uncommented, nothing else changes, and PTX the patch
 * cannot have come from is refused in one line naming the tactic. */
#include "ocl/engine.h"
#include "ocl/ptx_patch.h"
#include "test.h"
#include <stdlib.h>
#include <string.h>

extern const xc_layer_kind xc_kind_gemm; /* layers/gemm.c */

static xc_ocl_device device(const char *vendor, int is_gpu, int major, int minor)
{
    xc_ocl_device d;
    memset(&d, 0, sizeof d);
    snprintf(d.vendor, sizeof d.vendor, "%s", vendor);
    d.is_gpu = is_gpu;
    d.nv_cc_major = major;
    d.nv_cc_minor = minor;
    return d;
}

TEST(wgmma_offered_on_compute_capability_9_0_only)
{
    xc_ocl_device h100 = device("NVIDIA Corporation", 1, 9, 0), a100 = device("NVIDIA Corporation", 1, 8, 0),
                  b200 = device("NVIDIA Corporation", 1, 10, 0), other = device("Advanced Micro Devices, Inc.", 1, 9, 0),
                  pocl = device("The pocl project", 0, 0, 0);
    CHECK(xc_ocl_device_wgmma(&h100));
    CHECK(!xc_ocl_device_wgmma(&a100) && !xc_ocl_device_wgmma(&b200)); /* sm_90a code runs on 9.0 alone */
    CHECK(!xc_ocl_device_wgmma(&other) && !xc_ocl_device_wgmma(&pocl));
    const xc_tactic *t = NULL;
    for (int k = 0; xc_kind_gemm.tactics[k]; k++)
        if (!strcmp(xc_kind_gemm.tactics[k]->name, "gemm.tf32_wgmma")) t = xc_kind_gemm.tactics[k];
    CHECK(t && t->applicable && t->variants && xc_tactic_tf32(t));
    if (!t || getenv("CROSSCHECK_MMA_EMULATE")) return;
    xc_engine e;
    xc_layer l;
    memset(&e, 0, sizeof e);
    memset(&l, 0, sizeof l);
    e.opt = xc_ocl_build_defaults();
    e.dev = &a100;
    CHECK(!t->applicable(&e, &l));
    e.dev = &h100;
    e.opt.no_tf32 = 1;
    CHECK(!t->applicable(&e, &l)); /* --no-tf32 withdraws it as every TF32 tactic */
    e.opt.no_tf32 = 0;
    l.fp16 = 1;
    CHECK(!t->applicable(&e, &l)); /* it reads float storage only */
}

static char *patched(const char *ptx, size_t len, xc_status *s)
{
    char *out = NULL;
    size_t n = 0;
    *s = xc_ptx_sm90a.apply(ptx, len, "gemm.tf32_wgmma.x", &out, &n);
    if (*s == XC_OK && out && strlen(out) != n) *s = XC_ERR_INTERNAL; /* the length it reports is the text's */
    return out;
}

TEST(ptx_patch_retargets_and_uncomments_marked_lines)
{
    const char ptx[] =
        ".version 8.5\n.target sm_90\n.address_size 64\n\t// a plain comment stays\n"
        "\t" XC_PTX_MARK "wgmma.fence.sync.aligned;\n\tmov.u32 %r1, 0;\n" XC_PTX_MARK "wgmma.commit_group.sync.aligned;\n";
    xc_status s;
    char *out = patched(ptx, sizeof ptx, &s); /* with the NUL the driver's binary ends in */
    CHECK(s == XC_OK && out);
    if (!out) return;
    CHECK(strstr(out, ".target sm_90a\n") != NULL);
    CHECK(!strstr(out, XC_PTX_MARK) && !strstr(out, "//XCPTX"));
    CHECK(strstr(out, "\twgmma.fence.sync.aligned;\n\tmov.u32 %r1, 0;\nwgmma.commit_group.sync.aligned;\n") != NULL);
    CHECK(strstr(out, "// a plain comment stays") != NULL && !strncmp(out, ".version 8.5\n", 13));
    free(out);
}

TEST(ptx_patch_refuses_what_it_cannot_patch)
{
    const char *bad[] = {".version 8.5\n.target sm_80\n" XC_PTX_MARK "wgmma.fence.sync.aligned;\n",  /* another device */
                         ".version 8.5\n.target sm_90a\n" XC_PTX_MARK "wgmma.fence.sync.aligned;\n", /* already patched */
                         ".version 8.5\n.target sm_900\n" XC_PTX_MARK "wgmma.fence.sync.aligned;\n",
                         ".version 8.5\n.target sm_90\n\tret;\n", /* nothing marked: not our kernel */
                         ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xc_status s;
        char *out = patched(bad[i], strlen(bad[i]), &s);
        CHECK(s != XC_OK && !out);
        CHECK(strstr(xc_error_message(), "gemm.tf32_wgmma.x") != NULL && !strchr(xc_error_message(), '\n'));
        free(out);
    }
}

/* build_options.c — the build options' name lists treated alike (ocl.h): who owns their arrays. */
#include "ocl/ocl.h"

void xc_ocl_option_lists(xc_ocl_build_options *o, xc_name_list *lists[XC_OCL_OPTION_LISTS])
{
    xc_name_list *all[XC_OCL_OPTION_LISTS] = {&o->fp32_layers, &o->fp16_layers,   &o->bf16_layers, &o->int8_layers,
                                              &o->disabled,    &o->no_fuse_nodes, &o->faults,      &o->tactic_filter};
    for (int i = 0; i < XC_OCL_OPTION_LISTS; i++) lists[i] = all[i];
}

xc_status xc_ocl_options_own(xc_ocl_build_options *o)
{
    xc_name_list *lists[XC_OCL_OPTION_LISTS];
    xc_ocl_option_lists(o, lists);
    for (int i = 0; i < XC_OCL_OPTION_LISTS; i++) {
        xc_status s = xc_name_list_copy(lists[i], lists[i]);
        if (s == XC_OK) continue;
        for (int k = 0; k < i; k++) xc_name_list_free(lists[k]); /* the copies made so far */
        for (int k = i; k < XC_OCL_OPTION_LISTS; k++) *lists[k] = (xc_name_list){0};
        return s;
    }
    return XC_OK;
}

void xc_ocl_options_free(xc_ocl_build_options *o)
{
    xc_name_list *lists[XC_OCL_OPTION_LISTS];
    xc_ocl_option_lists(o, lists);
    for (int i = 0; i < XC_OCL_OPTION_LISTS; i++) xc_name_list_free(lists[i]);
}

/* crosscheck.h — the whole public API of libcrosscheck: load ONNX models, run them on the
 * reference interpreter and OpenCL engines, compare outputs with Polygraphy's rules.
 * Build with `cc prog.c $(pkg-config --cflags --libs crosscheck)`. */
#ifndef XC_PUBLIC_CROSSCHECK_H
#define XC_PUBLIC_CROSSCHECK_H
#include "api.h"
#include "backend.h"
#include "compare.h"
#include "dataset.h"
#include "dtype.h"
#include "engine.h"
#include "error.h"
#include "log.h"
#include "model.h"
#include "plugin.h"
#include "tensor.h"
#endif

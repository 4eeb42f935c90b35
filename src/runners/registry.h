/* registry.h — every runner type, one line each (see runner.h). The order is the order of the
 * runner options in --help. Adding a runner: its file in src/runners/ and one X(name) line here
 * (the type is `xc_runner_<name>`). */
#ifndef XC_RUNNERS_REGISTRY_H
#define XC_RUNNERS_REGISTRY_H
/* clang-format off */ /* a table: one entry per line or row, as written */
#define XC_RUNNER_TYPES \
    X(reference)        \
    X(engine)           \
    X(engine_fp16)      \
    X(engine_unfused)   \
    X(plan)             \
    X(loaded)           \
    X(exec)
/* clang-format on */
#endif

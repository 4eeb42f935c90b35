/* api.h — what every public header shares.
 *
 * XC_API marks the functions libcrosscheck.so exports: the library is built with
 * -fvisibility=hidden, so a function is part of the API exactly when its declaration in
 * include/crosscheck/ carries XC_API (a test compares `nm -D` with these headers). */
#ifndef XC_API_H
#define XC_API_H

#if defined(__GNUC__) || defined(__clang__)
#define XC_API __attribute__((visibility("default")))
#define XC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define XC_API
#define XC_PRINTF(fmt, args)
#endif

/* The one version string: `crosscheck --version`, the soname's major number, plans and timing
 * caches (a plan from another version is refused). */
#define XC_VERSION "0.1.0"

#endif

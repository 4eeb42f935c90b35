/* version.h — crosscheck's version: the one string `crosscheck --version` prints and plans and
 * timing caches record (a plan from another version is refused). */
#ifndef XC_VERSION_H
#define XC_VERSION_H
#define XC_VERSION "0.1.0"
#endif

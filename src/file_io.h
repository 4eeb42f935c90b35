/* file_io.h — the one place crosscheck opens files for reading and commits files it writes.
 *
 * Reading: only regular files, opened without blocking (a FIFO named as a model never hangs),
 * and every file read is remembered as an input of this process (device + inode), so no
 * writer can replace a file the same command read or maps.
 *
 * Writing: a regular (or new) destination is written under a unique name in its own folder
 * (mkstemp: nothing planted under a predictable name is followed), synced, then renamed over
 * the destination, so the destination is always the complete old file or the complete new one.
 * A destination that exists and is not a regular file (/dev/stdout, /dev/full, a FIFO, a
 * character device) is written directly and its errors reported, never replaced. */
#ifndef XC_FILE_IO_H
#define XC_FILE_IO_H
#include "error.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* From now on every file read is remembered as an input this process must not overwrite (the
 * CLI: one process is one command). Files mapped by a live model are protected regardless. */
void xc_protect_inputs(void);
/* The path of a live mapping of that file, or NULL. */
const char *xc_mapped_path(dev_t dev, ino_t ino);
/* Opens path read-only (O_CLOEXEC) and fstat()s it into *st; refuses, with a one-line error
 * naming it, anything that is not a regular file. Records it as an input of this process. */
xc_status xc_open_input(const char *path, int *fd, struct stat *st);
/* The same without recording it (a file read only to clean up after replacing it). */
xc_status xc_open_input_quiet(const char *path, int *fd, struct stat *st);
/* Records an already-open file as an input (for files opened elsewhere). */
void xc_note_input(const struct stat *st, const char *path);
/* The input of this process that path (existing, symlinks followed) is, or NULL. */
const char *xc_input_named_by(const char *path);

/* A file being written. Ownership: the caller's struct; commit or abort releases it. */
typedef struct xc_out_file {
    char *path; /* the destination */
    char *tmp;  /* the unique temporary name (NULL when written directly) */
    int fd;
    int direct; /* a special file written in place */
    int failed; /* a write failed (already reported) */
} xc_out_file;

enum {
    XC_OUT_REPLACE_INPUT = 1, /* the destination may be a file this process read (a timing cache) */
    XC_OUT_REGULAR_ONLY = 2,  /* refuse special files (files that must be read back, e.g. data) */
};

xc_status xc_out_begin(const char *path, int flags, xc_out_file *f);
/* Sequential write; on failure the file is marked failed and the error names the destination. */
xc_status xc_out_write(xc_out_file *f, const void *data, size_t len);
/* Writes at an offset (regular files only). */
xc_status xc_out_pwrite(xc_out_file *f, const void *data, size_t len, uint64_t offset);
/* Syncs and renames over the destination (or closes a special file), reporting any error;
 * on failure the destination is untouched and the temporary file gone. */
xc_status xc_out_commit(xc_out_file *f);
/* Drops what was written; the destination is untouched. Safe on a zeroed or failed writer. */
void xc_out_abort(xc_out_file *f);

/* Writes a whole file (xc_out_begin/write/commit). */
xc_status xc_write_file_flags(const char *path, const void *data, size_t len, int flags);

/* Makes an empty folder beside `path` (unique name, in path's parent folder) for building a
 * new version of the folder `path`; *out is malloc'd. */
xc_status xc_dir_begin(const char *path, char **out);
/* Makes the folder `tmp` (from xc_dir_begin) the folder `path`, atomically: renamed when path
 * does not exist or is an empty folder, else exchanged with it (renameat2 RENAME_EXCHANGE);
 * the old folder then lies at `tmp` for the caller to clear. */
xc_status xc_dir_commit(const char *tmp, const char *path, int *exchanged);

/* Mapped files (xc_mapping): a file that shrinks while mapped raises SIGBUS on access; the
 * guard turns that into zero pages and a recorded error instead of a crash. */
void xc_map_guard_add(void *addr, size_t len, const char *path);
/* Removes the guard; returns 1 when the mapping was hit by a shrunk file. */
int xc_map_guard_remove(void *addr);
/* Whether a read of the mapping at addr found its file shrunk (the guard stays). */
int xc_map_guard_hit(void *addr);
/* Records that an input file changed while in use (first one wins). */
void xc_note_changed_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int xc_map_guard_any_hit(void);
const char *xc_changed_input_noted(void);
/* The message about the first input that changed while in use (shrank, rewritten in place),
 * or NULL: results computed from it are not to be trusted. */
const char *xc_changed_input(void);
#endif

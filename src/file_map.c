/* file_map.c — read-only file mappings shared by every tensor that points into them.
 *
 * A file is mapped once while any tensor uses it (70,000 external tensors in one data file
 * are one mapping, far below vm.max_map_count). Each mapping is guarded against the file
 * shrinking under it (SIGBUS becomes zero pages and a recorded error, file_io.c), and when it
 * is released, or when the command ends, the file is checked again: a file rewritten in place
 * while mapped (same size or not) is reported, since results read from it may mix old and new
 * bytes. A file replaced by rename is not a change: the mapping keeps the old file whole. */
#include "file_io.h"
#include "tensor.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static xc_mapping *maps; /* live mappings of non-empty files */

static int64_t mtime_ns(const struct stat *st) { return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec; }

static int same_file_as_mapped(const xc_mapping *m, const struct stat *st)
{
    return m->dev == (uint64_t)st->st_dev && m->ino == (uint64_t)st->st_ino;
}

/* Notes (once per process) how the file of m changed since it was mapped; hit: SIGBUS seen. */
static void check_unchanged(const xc_mapping *m, int hit)
{
    struct stat st;
    int now = stat(m->path, &st) == 0 && same_file_as_mapped(m, &st);
    if (hit && !now) /* truncated, then removed or replaced: no size to report */
        xc_note_changed_input(
            "%s: file shrank while mapped (was %zu bytes; it is now gone or replaced); results computed "
            "from it are invalid",
            m->path, m->len);
    else if (hit || (now && (size_t)st.st_size < m->len))
        xc_note_changed_input("%s: file shrank while mapped (now %lld bytes, was %zu); results computed from it are invalid",
                              m->path, (long long)st.st_size, m->len);
    else if (now && ((size_t)st.st_size != m->len || mtime_ns(&st) != m->mtime_ns))
        xc_note_changed_input("%s: file was rewritten while in use; results computed from it may mix old and new data", m->path);
}

const char *xc_mapped_path(dev_t dev, ino_t ino)
{
    const char *found = NULL;
    pthread_mutex_lock(&maps_lock);
    for (xc_mapping *m = maps; m && !found; m = m->next)
        if (m->dev == (uint64_t)dev && m->ino == (uint64_t)ino) found = m->path;
    pthread_mutex_unlock(&maps_lock);
    return found; /* valid while the mapping lives: the caller only prints it at once */
}

xc_status xc_mapping_open(const char *path, xc_mapping **out)
{
    int fd;
    struct stat st;
    XC_TRY(xc_open_input(path, &fd, &st));
    pthread_mutex_lock(&maps_lock);
    for (xc_mapping *m = maps; m; m = m->next)
        if (same_file_as_mapped(m, &st) && m->len == (size_t)st.st_size && m->mtime_ns == mtime_ns(&st)) {
            m->refs++;
            pthread_mutex_unlock(&maps_lock);
            close(fd);
            *out = m;
            return XC_OK;
        }
    pthread_mutex_unlock(&maps_lock);
    xc_mapping *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(path))) {
        free(m);
        close(fd);
        return xc_fail(XC_ERR_NOMEM, "%s: out of memory opening the file", path);
    }
    m->len = (size_t)st.st_size;
    m->refs = 1;
    m->dev = (uint64_t)st.st_dev;
    m->ino = (uint64_t)st.st_ino;
    m->mtime_ns = mtime_ns(&st);
    if (m->len) {
        m->addr = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m->addr == MAP_FAILED) {
            int err = errno;
            size_t len = m->len;
            close(fd);
            free(m->path);
            free(m);
            return xc_fail(XC_ERR_IO, "%s: cannot map %zu bytes: %s", path, len, strerror(err));
        }
        xc_map_guard_add(m->addr, m->len, path);
        pthread_mutex_lock(&maps_lock);
        m->next = maps;
        maps = m;
        pthread_mutex_unlock(&maps_lock);
    }
    close(fd);
    *out = m;
    return XC_OK;
}

void xc_mapping_retain(xc_mapping *m)
{
    pthread_mutex_lock(&maps_lock);
    m->refs++;
    pthread_mutex_unlock(&maps_lock);
}

void xc_mapping_release(xc_mapping *m)
{
    if (!m) return;
    pthread_mutex_lock(&maps_lock);
    int last = --m->refs == 0;
    if (last && m->len)
        for (xc_mapping **p = &maps; *p; p = &(*p)->next)
            if (*p == m) {
                *p = m->next;
                break;
            }
    pthread_mutex_unlock(&maps_lock);
    if (!last) return;
    if (m->len) {
        check_unchanged(m, xc_map_guard_remove(m->addr));
        munmap(m->addr, m->len);
    }
    free(m->path);
    free(m);
}

const char *xc_changed_input(void)
{
    pthread_mutex_lock(&maps_lock);
    for (xc_mapping *m = maps; m; m = m->next) check_unchanged(m, xc_map_guard_hit(m->addr)); /* a removed file is named too */
    pthread_mutex_unlock(&maps_lock);
    if (xc_map_guard_any_hit() && !xc_changed_input_noted())
        xc_note_changed_input("an external data file shrank while mapped; results computed from it are invalid");
    return xc_changed_input_noted();
}

/* file_io.c — opening inputs and committing outputs (see file_io.h): the input registry, the
 * unique-temporary-then-rename writer, folder swaps, and the SIGBUS guard of mapped files. */
#include "file_io.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- inputs ---- */

typedef struct input_file {
    dev_t dev;
    ino_t ino;
    struct timespec ctime; /* an inode number is reused once its file is deleted; its ctime is not */
    char *path;
} input_file;

static int same_input(const input_file *f, const struct stat *st)
{
    return f->dev == st->st_dev && f->ino == st->st_ino && f->ctime.tv_sec == st->st_ctim.tv_sec
           && f->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static pthread_mutex_t inputs_lock = PTHREAD_MUTEX_INITIALIZER;
static int remember_inputs;

void xc_protect_inputs(void) { remember_inputs = 1; }
static input_file *inputs;
static size_t n_inputs, cap_inputs;

void xc_note_input(const struct stat *st, const char *path)
{
    if (!remember_inputs) return;
    pthread_mutex_lock(&inputs_lock);
    for (size_t i = 0; i < n_inputs; i++)
        if (same_input(&inputs[i], st)) {
            pthread_mutex_unlock(&inputs_lock);
            return;
        }
    if (n_inputs == cap_inputs) {
        size_t cap = cap_inputs ? cap_inputs * 2 : 16;
        input_file *b = realloc(inputs, cap * sizeof *b);
        if (!b) { /* cannot remember it: the refusal to overwrite it is lost, nothing else */
            pthread_mutex_unlock(&inputs_lock);
            return;
        }
        inputs = b;
        cap_inputs = cap;
    }
    char *copy = strdup(path);
    if (copy) inputs[n_inputs++] = (input_file){st->st_dev, st->st_ino, st->st_ctim, copy};
    pthread_mutex_unlock(&inputs_lock);
}

static const char *input_of(const struct stat *st)
{
    const char *found = NULL;
    pthread_mutex_lock(&inputs_lock);
    for (size_t i = 0; i < n_inputs && !found; i++)
        if (same_input(&inputs[i], st)) found = inputs[i].path;
    pthread_mutex_unlock(&inputs_lock);
    return found; /* entries are never removed: the pointer stays valid */
}

const char *xc_input_named_by(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? input_of(&st) : NULL;
}

static const char *kind_name(mode_t m)
{
    if (S_ISDIR(m)) return "a folder";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

xc_status xc_open_input(const char *path, int *fd, struct stat *st)
{
    XC_TRY(xc_open_input_quiet(path, fd, st));
    xc_note_input(st, path);
    return XC_OK;
}

xc_status xc_open_input_quiet(const char *path, int *fd, struct stat *st)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever */
    int f = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (f < 0) return xc_fail(XC_ERR_IO, "%s: cannot open (%s)", path, strerror(errno));
    if (fstat(f, st) != 0) {
        int e = errno;
        close(f);
        return xc_fail(XC_ERR_IO, "%s: cannot stat (%s)", path, strerror(e));
    }
    if (!S_ISREG(st->st_mode)) {
        close(f);
        return xc_fail(XC_ERR_IO, "%s: is %s, not a regular file", path, kind_name(st->st_mode));
    }
    int fl = fcntl(f, F_GETFL);
    if (fl >= 0) fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
    *fd = f;
    return XC_OK;
}

/* ---- outputs ---- */

static mode_t umask_value;
static void read_umask(void)
{
    /* /proc tells without changing it; umask() itself can only be read by setting it, which
     * would briefly give files other threads create a umask of 0 */
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    unsigned v;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Umask: %o", &v) == 1) {
            umask_value = (mode_t)v;
            fclose(f);
            return;
        }
    if (f) fclose(f);
    umask_value = umask(022);
    umask(umask_value);
}

/* Mode of a newly created file, as open(O_CREAT, 0666) would give. */
static mode_t new_file_mode(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_umask);
    return 0666 & ~umask_value;
}

/* The longest file name dir takes (NAME_MAX where the file system does not say). */
static size_t name_max(const char *dir)
{
    long n = pathconf(dir, _PC_NAME_MAX);
    return n > 0 ? (size_t)n : NAME_MAX;
}

/* "dir/.stem.XXXXXX" beside path, the stem being the base name cut (never inside a UTF-8
 * character) so the temporary name fits the folder's name limit even when the destination's
 * name is at the limit; mkstemp's suffix keeps it unique. A destination name over the limit is
 * refused here, before anything is written, naming the path. */
static xc_status temp_pattern(const char *path, char **out)
{
    *out = NULL;
    char *a = strdup(path), *b = strdup(path);
    xc_status s = a && b ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) {
        const char *dir = dirname(a), *base = basename(b);
        size_t limit = name_max(dir), len = strlen(base), stem = len;
        if (len > limit)
            s = xc_fail(XC_ERR_IO, "%s: the file name is %zu bytes, over the file system's limit of %zu (%s)", path, len, limit,
                        strerror(ENAMETOOLONG));
        else {
            if (limit < 8 + 1) limit = 8 + 1;
            if (stem > limit - 8) stem = limit - 8; /* "." + stem + ".XXXXXX" */
            while (stem > 1 && ((unsigned char)base[stem] & 0xC0) == 0x80) stem--;
            if (asprintf(out, "%s/.%.*s.XXXXXX", dir, (int)stem, base) < 0) {
                *out = NULL;
                s = xc_fail(XC_ERR_NOMEM, "out of memory");
            }
        }
    }
    free(a);
    free(b);
    return s;
}

xc_status xc_out_begin(const char *path, int flags, xc_out_file *f)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (!path || !*path) return xc_fail(XC_ERR_USAGE, "no output file given");
    struct stat st, lst;
    int exists = stat(path, &st) == 0;
    char *dest = NULL;
    if (exists && S_ISDIR(st.st_mode)) return xc_fail(XC_ERR_IO, "%s: is a folder, not a file", path);
    if (exists && !S_ISREG(st.st_mode)) {
        if (flags & XC_OUT_REGULAR_ONLY)
            return xc_fail(XC_ERR_IO, "%s: is %s; this output must be a regular file", path, kind_name(st.st_mode));
        /* the user named a device or pipe: write to it, never replace it with a file */
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_APPEND);
        if (fd < 0) return xc_fail(XC_ERR_IO, "%s: cannot open for writing (%s)", path, strerror(errno));
        if (!(f->path = strdup(path))) {
            close(fd);
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
        f->fd = fd;
        f->direct = 1;
        return XC_OK;
    }
    if (exists && !(flags & XC_OUT_REPLACE_INPUT)) {
        const char *in = input_of(&st);
        if (!in) in = xc_mapped_path(st.st_dev, st.st_ino);
        if (in) return xc_fail(XC_ERR_USAGE, "%s: is an input of this command (%s); refusing to overwrite it", path, in);
    }
    /* a symlink to a file: write the file it names (as the shell's '>' would) */
    if (exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
        dest = realpath(path, NULL);
    else
        dest = strdup(path);
    if (!dest) return xc_fail(XC_ERR_NOMEM, "out of memory");
    char *tmp;
    xc_status ts = temp_pattern(dest, &tmp);
    if (ts != XC_OK) {
        free(dest);
        return ts;
    }
    int fd = mkostemp(tmp, O_CLOEXEC); /* O_CREAT|O_EXCL: a planted name is never followed */
    if (fd < 0) {
        int e = errno;
        free(dest);
        free(tmp);
        return xc_fail(XC_ERR_IO, "%s: cannot create file (%s)", path, strerror(e));
    }
    fchmod(fd, exists ? (st.st_mode & 07777) : new_file_mode());
    f->path = dest;
    f->tmp = tmp;
    f->fd = fd;
    return XC_OK;
}

static xc_status write_failed(xc_out_file *f, int e)
{
    f->failed = 1;
    return xc_fail(XC_ERR_IO, "%s: write failed (%s)", f->path, strerror(e));
}

xc_status xc_out_write(xc_out_file *f, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(f->fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return write_failed(f, w < 0 ? errno : ENOSPC);
        p += w;
        len -= (size_t)w;
    }
    return XC_OK;
}

xc_status xc_out_pwrite(xc_out_file *f, const void *data, size_t len, uint64_t offset)
{
    const char *p = data;
    while (len) {
        ssize_t w = pwrite(f->fd, p, len, (off_t)offset);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return write_failed(f, w < 0 ? errno : ENOSPC);
        p += w;
        offset += (uint64_t)w;
        len -= (size_t)w;
    }
    return XC_OK;
}

void xc_out_abort(xc_out_file *f)
{
    if (f->fd >= 0) close(f->fd);
    if (f->tmp) unlink(f->tmp);
    free(f->tmp);
    free(f->path);
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

xc_status xc_out_commit(xc_out_file *f)
{
    if (f->failed) {
        xc_out_abort(f);
        return XC_ERR_IO; /* the write already said why */
    }
    xc_status s = XC_OK;
    if (!f->direct && fsync(f->fd) != 0) s = xc_fail(XC_ERR_IO, "%s: write failed (%s)", f->path, strerror(errno));
    int fd = f->fd;
    f->fd = -1;
    if (close(fd) != 0 && s == XC_OK) s = xc_fail(XC_ERR_IO, "%s: write failed (%s)", f->path, strerror(errno));
    if (s == XC_OK && !f->direct && rename(f->tmp, f->path) != 0)
        s = xc_fail(XC_ERR_IO, "%s: cannot replace the file (%s)", f->path, strerror(errno));
    if (s == XC_OK) {
        free(f->tmp);
        f->tmp = NULL;
    }
    xc_out_abort(f);
    return s;
}

xc_status xc_write_file_flags(const char *path, const void *data, size_t len, int flags)
{
    xc_out_file f;
    XC_TRY(xc_out_begin(path, flags, &f));
    xc_status s = xc_out_write(&f, data, len);
    if (s != XC_OK) {
        xc_out_abort(&f);
        return s;
    }
    return xc_out_commit(&f);
}

xc_status xc_write_file(const char *path, const void *data, size_t len) { return xc_write_file_flags(path, data, len, 0); }

/* ---- folders ---- */

xc_status xc_dir_begin(const char *path, char **out)
{
    *out = NULL;
    char *trimmed = strdup(path);
    if (!trimmed) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t n = strlen(trimmed); n > 1 && trimmed[n - 1] == '/';) trimmed[--n] = 0;
    char *tmp;
    xc_status ts = temp_pattern(trimmed, &tmp);
    free(trimmed);
    if (ts != XC_OK) return ts;
    if (!mkdtemp(tmp)) {
        int e = errno;
        free(tmp);
        return xc_fail(XC_ERR_IO, "%s: cannot create folder (%s)", path, strerror(e));
    }
    new_file_mode(); /* reads the umask */
    chmod(tmp, 0777 & ~umask_value);
    *out = tmp;
    return XC_OK;
}

xc_status xc_dir_commit(const char *tmp, const char *path, int *exchanged)
{
    *exchanged = 0;
    if (rename(tmp, path) == 0) return XC_OK; /* new, or an empty folder */
    if (errno != ENOTEMPTY && errno != EEXIST)
        return xc_fail(XC_ERR_IO, "%s: cannot put the new folder in place (%s)", path, strerror(errno));
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) != 0)
        return xc_fail(XC_ERR_IO, "%s: cannot swap in the new folder (%s)", path, strerror(errno));
    *exchanged = 1;
    return XC_OK;
}

/* ---- mapped files ---- */

/* The SIGBUS handler reads this table, so it is fixed-size and lock-free; mappings beyond it
 * are simply unguarded. */
#define GUARD_SLOTS 4096
static struct {
    void *volatile addr;
    volatile size_t len;
    volatile sig_atomic_t hit;
} guards[GUARD_SLOTS];
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction previous_bus;
static int handler_installed;

static void on_sigbus(int sig, siginfo_t *info, void *uc)
{
    char *a = info ? info->si_addr : NULL;
    for (int i = 0; a && i < GUARD_SLOTS; i++) {
        char *base = guards[i].addr;
        if (base && a >= base && a < base + guards[i].len) {
            /* the file shrank under the mapping: zero pages in its place, the error comes later */
            if (mmap(base, guards[i].len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
                guards[i].hit = 1;
                return;
            }
        }
    }
    sigaction(SIGBUS, &previous_bus, NULL);
    (void)sig;
    (void)uc; /* not ours: returning re-runs the access under the previous disposition */
}

void xc_map_guard_add(void *addr, size_t len, const char *path)
{
    (void)path;
    pthread_mutex_lock(&guard_lock);
    if (!handler_installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &previous_bus) == 0) handler_installed = 1;
    }
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (!guards[i].addr) {
            guards[i].hit = 0;
            guards[i].len = len;
            guards[i].addr = addr;
            break;
        }
    pthread_mutex_unlock(&guard_lock);
}

int xc_map_guard_remove(void *addr)
{
    int hit = 0;
    pthread_mutex_lock(&guard_lock);
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (guards[i].addr == addr) {
            hit = guards[i].hit;
            guards[i].addr = NULL;
            break;
        }
    pthread_mutex_unlock(&guard_lock);
    return hit;
}

int xc_map_guard_hit(void *addr)
{
    int hit = 0;
    pthread_mutex_lock(&guard_lock);
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (guards[i].addr == addr) {
            hit = guards[i].hit;
            break;
        }
    pthread_mutex_unlock(&guard_lock);
    return hit;
}

static char changed_msg[1024];
static int changed;

void xc_note_changed_input(const char *fmt, ...)
{
    pthread_mutex_lock(&guard_lock);
    if (!changed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(changed_msg, sizeof changed_msg, fmt, ap);
        va_end(ap);
        changed = 1;
    }
    pthread_mutex_unlock(&guard_lock);
}

int xc_map_guard_any_hit(void)
{
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (guards[i].addr && guards[i].hit) return 1;
    return 0;
}

const char *xc_changed_input_noted(void) { return changed ? changed_msg : NULL; }

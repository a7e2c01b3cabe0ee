/*
 * file-write.c - sl_ofile: every file schedlab writes, by one rule.
 *
 * What PATH is decides how it is written:
 *   missing or regular  a temporary ".NAME.tmp.PID.RANDOM" is created beside
 *                       it with O_CREAT|O_EXCL|O_NOFOLLOW (a name planted
 *                       there, link or not, makes the open fail, never
 *                       redirects it), synced, then renamed over PATH; a new
 *                       name is renamed with RENAME_NOREPLACE, so whatever
 *                       appeared there meanwhile is not replaced either;
 *   a symbolic link     followed: the rule applies to its target;
 *   char device, FIFO   written into, never replaced (/dev/null, a pipe,
 *                       /dev/stdout); a FIFO without a reader is refused
 *                       rather than waited on;
 *   anything else       refused (a directory, a block device, a socket).
 * The stream is a fopencookie over the descriptor so the first failed
 * write's errno is kept: "No space left on device" and "Permission denied"
 * reach the user instead of a generic I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schedlab/file.h"

struct sl_ofile {
    FILE *f;          /* the stream handed out */
    int fd;           /* what the stream writes to */
    char *path;       /* PATH as given, for messages */
    char *target;     /* what gets written or replaced (a link resolved) */
    char *tmp;        /* the temporary, or NULL when written in place */
    bool existed;     /* the target was a regular file (renamed over, not new) */
    const char *kind; /* in place: what the target is, for messages */
    int werr;         /* errno of the first failed write, flush or close */
};

static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
    sl_ofile *o = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(o->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (o->werr == 0)
                o->werr = w < 0 ? errno : EIO;
            return 0; /* fopencookie: 0 is the error return */
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

static int cookie_seek(void *cookie, off64_t *pos, int whence)
{
    sl_ofile *o = cookie;
    off64_t at = lseek(o->fd, *pos, whence);
    if (at < 0)
        return -1;
    *pos = at;
    return 0;
}

static int cookie_close(void *cookie)
{
    sl_ofile *o = cookie;
    int rc = close(o->fd);
    if (rc != 0 && o->werr == 0)
        o->werr = errno;
    o->fd = -1;
    return rc;
}

static void ofile_free(sl_ofile *o)
{
    free(o->path);
    free(o->target);
    free(o->tmp);
    free(o);
}

/* Creates the temporary beside the target; 0 or an errno. */
static int make_temp(sl_ofile *o)
{
    const char *slash = strrchr(o->target, '/');
    size_t dir_len = slash ? (size_t)(slash - o->target) + 1 : 0;
    const char *base = slash ? slash + 1 : o->target;
    size_t cap = strlen(o->target) + 64;
    o->tmp = malloc(cap);
    if (o->tmp == NULL)
        return ENOMEM;
    for (int attempt = 0; attempt < 16; attempt++) {
        uint32_t r = 0;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
            r = (uint32_t)attempt * 2654435761u ^ (uint32_t)(uintptr_t)o;
        snprintf(o->tmp, cap, "%.*s.%s.tmp.%ld.%08x", (int)dir_len, o->target, base, (long)getpid(),
                 r);
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (o->fd >= 0)
            return 0;
        if (errno != EEXIST)
            return errno;
    }
    return EEXIST;
}

/* Resolves a link in PATH and classifies the target; 0 or an SL_E* code. */
static int classify(sl_ofile *o, struct stat *st, bool *exists, char *why, size_t why_size)
{
    *exists = false;
    if (lstat(o->path, st) == 0 && S_ISLNK(st->st_mode)) {
        char *real = realpath(o->path, NULL);
        if (real == NULL) {
            sl_why(why, why_size, "%s is a symbolic link to nothing: refused (write to the target)",
                   o->path);
            return SL_ENOTREG;
        }
        o->target = real;
    } else {
        o->target = strdup(o->path);
        if (o->target == NULL)
            return SL_ENOMEM;
    }
    if (stat(o->target, st) == 0) {
        *exists = true;
        return 0;
    }
    if (errno == ENOENT)
        return 0;
    int e = errno;
    sl_why(why, why_size, "cannot write %s: %s", o->path, strerror(e));
    return sl_error_from_errno(e);
}

/* Opens a character device or FIFO to write into it; 0 or an SL_E* code. */
static int open_in_place(sl_ofile *o, const struct stat *st, char *why, size_t why_size)
{
    bool fifo = S_ISFIFO(st->st_mode);
    o->kind = fifo ? "a FIFO" : "a character device";
    o->fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
    if (o->fd < 0 && fifo && errno == ENXIO) {
        sl_why(why, why_size, "%s is a FIFO with no reader: refused rather than waited on",
               o->path);
        return SL_EIO;
    }
    if (o->fd < 0) {
        int e = errno;
        sl_why(why, why_size, "cannot write %s (%s, written into): %s", o->path, o->kind,
               strerror(e));
        return sl_error_from_errno(e);
    }
    if (fifo)
        fcntl(o->fd, F_SETFL, fcntl(o->fd, F_GETFL) & ~O_NONBLOCK);
    return 0;
}

static const char *refused_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

static int open_target(sl_ofile *o, char *why, size_t why_size)
{
    if (strcmp(o->path, "-") == 0) {
        o->kind = "standard output";
        o->fd = dup(STDOUT_FILENO);
        if (o->fd < 0) {
            int e = errno;
            sl_why(why, why_size, "cannot write to standard output: %s", strerror(e));
            return sl_error_from_errno(e);
        }
        return 0;
    }
    struct stat st;
    bool exists;
    int rc = classify(o, &st, &exists, why, why_size);
    if (rc < 0)
        return rc;
    if (exists && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
        return open_in_place(o, &st, why, why_size);
    if (exists && !S_ISREG(st.st_mode)) {
        sl_why(why, why_size,
               "%s is %s: refused (schedlab replaces only regular files and writes into "
               "character devices and FIFOs)",
               o->path, refused_kind(st.st_mode));
        return SL_ENOTREG;
    }
    /* Replacing is allowed only where truncating would be: the same answer
     * as `fopen(PATH, "w")` for a file the user may not write. */
    if (exists && access(o->target, W_OK) != 0) {
        int e = errno;
        sl_why(why, why_size, "cannot write %s: %s", o->path, strerror(e));
        return sl_error_from_errno(e);
    }
    o->existed = exists;
    int e = make_temp(o);
    if (e != 0) {
        sl_why(why, why_size, "cannot write %s: %s", o->path, strerror(e));
        free(o->tmp);
        o->tmp = NULL;
        return sl_error_from_errno(e);
    }
    if (exists)
        fchmod(o->fd, st.st_mode & 07777);
    return 0;
}

int sl_ofile_open(sl_ofile **out, const char *path, char *why, size_t why_size)
{
    *out = NULL;
    sl_ofile *o = calloc(1, sizeof *o);
    if (o == NULL || (o->path = strdup(path)) == NULL) {
        free(o);
        sl_why(why, why_size, "cannot write %s: %s", path, strerror(ENOMEM));
        return SL_ENOMEM;
    }
    o->fd = -1;
    int rc = open_target(o, why, why_size);
    if (rc == 0) {
        cookie_io_functions_t io = {
            .write = cookie_write, .seek = cookie_seek, .close = cookie_close};
        o->f = fopencookie(o, "w", io);
        if (o->f == NULL) {
            rc = SL_ENOMEM;
            sl_why(why, why_size, "cannot write %s: %s", path, strerror(ENOMEM));
        }
    }
    if (rc < 0) {
        if (o->fd >= 0)
            close(o->fd);
        if (o->tmp != NULL)
            unlink(o->tmp);
        ofile_free(o);
        return rc;
    }
    setvbuf(o->f, NULL, _IOFBF, 1 << 16);
    *out = o;
    return 0;
}

FILE *sl_ofile_stream(sl_ofile *o)
{
    return o->f;
}

bool sl_ofile_in_place(const sl_ofile *o)
{
    return o->tmp == NULL;
}

/* Moves the finished temporary to the target; 0 or an errno. */
static int publish(sl_ofile *o)
{
    if (o->existed)
        return rename(o->tmp, o->target) == 0 ? 0 : errno;
    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->target, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return errno;
    /* A file system without RENAME_NOREPLACE: link(2) refuses an existing name too. */
    if (link(o->tmp, o->target) != 0)
        return errno;
    unlink(o->tmp);
    return 0;
}

int sl_ofile_commit(sl_ofile *o, char *why, size_t why_size)
{
    if (fflush(o->f) != 0 && o->werr == 0)
        o->werr = errno ? errno : EIO;
    if (o->tmp != NULL && o->werr == 0 && fsync(o->fd) != 0)
        o->werr = errno;
    fclose(o->f);
    int e = o->werr;
    if (e == 0 && o->tmp != NULL)
        e = publish(o);
    int rc = 0;
    if (e == EEXIST && o->tmp != NULL) {
        sl_why(why, why_size, "%s appeared while it was being written: refused to replace it",
               o->path);
        rc = SL_EIO;
    } else if (e != 0) {
        if (o->tmp == NULL)
            sl_why(why, why_size, "cannot write %s (%s, written into): %s", o->path, o->kind,
                   strerror(e));
        else
            sl_why(why, why_size, "cannot write %s: %s", o->path, strerror(e));
        rc = sl_error_from_errno(e);
    }
    if (rc != 0 && o->tmp != NULL)
        unlink(o->tmp);
    ofile_free(o);
    return rc;
}

void sl_ofile_abort(sl_ofile *o)
{
    if (o == NULL)
        return;
    fclose(o->f);
    if (o->tmp != NULL)
        unlink(o->tmp);
    ofile_free(o);
}

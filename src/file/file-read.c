/*
 * file-read.c - sl_file_read: every input schedlab reads, checked first.
 *
 * The file is opened with O_NONBLOCK so that opening a FIFO returns at once,
 * then fstat decides: only a regular file is read (its size known and
 * checked against the cap before the first byte). Reading stops one byte past
 * the cap in any case, so a file that grows while being read is refused too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schedlab/file.h"

/* What a non-regular file is, for the sentence that refuses it. */
static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

bool sl_file_exists(const char *path)
{
    struct stat st;
    return path != NULL && lstat(path, &st) == 0;
}

/* Reads fd to its end, at most cap + 1 bytes; 0 or an errno. */
static int read_capped(int fd, size_t cap, char **data, size_t *size)
{
    size_t have = 0, room = 4096;
    char *b = malloc(room + 1);
    if (b == NULL)
        return ENOMEM;
    for (;;) {
        if (have == room) {
            if (room > cap)
                break;
            size_t grow = room * 2 > cap + 1 ? cap + 1 : room * 2;
            char *nb = realloc(b, grow + 1);
            if (nb == NULL) {
                free(b);
                return ENOMEM;
            }
            b = nb;
            room = grow;
        }
        ssize_t n = read(fd, b + have, room - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(b);
            return e;
        }
        if (n == 0)
            break;
        have += (size_t)n;
    }
    b[have] = '\0';
    *data = b;
    *size = have;
    return 0;
}

int sl_file_read(const char *path, size_t cap, bool allow_stdin, char **data, size_t *size,
                 char *why, size_t why_size)
{
    *data = NULL;
    *size = 0;
    bool is_stdin = allow_stdin && strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        sl_why(why, why_size, "%s: cannot open: %s", path, strerror(e));
        return sl_error_from_errno(e);
    }
    struct stat st;
    if (!is_stdin) {
        if (fstat(fd, &st) != 0) {
            int e = errno;
            sl_why(why, why_size, "%s: cannot read: %s", path, strerror(e));
            close(fd);
            return sl_error_from_errno(e);
        }
        if (!S_ISREG(st.st_mode)) {
            sl_why(why, why_size, "%s: %s, not a regular file (schedlab reads only regular files)",
                   path, kind_of(st.st_mode));
            close(fd);
            return SL_ENOTREG;
        }
        if ((unsigned long long)st.st_size > cap) {
            sl_why(why, why_size, "%s: %llu bytes, over the cap of %zu bytes", path,
                   (unsigned long long)st.st_size, cap);
            close(fd);
            return SL_ETOOBIG;
        }
        /* A regular file never blocks; blocking reads keep the loop simple. */
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    int e = read_capped(fd, cap, data, size);
    if (!is_stdin)
        close(fd);
    if (e != 0) {
        sl_why(why, why_size, "%s: cannot read: %s", path, strerror(e));
        return sl_error_from_errno(e);
    }
    if (*size > cap) {
        free(*data);
        *data = NULL;
        *size = 0;
        sl_why(why, why_size, "%s: over the cap of %zu bytes", path, cap);
        return SL_ETOOBIG;
    }
    return 0;
}

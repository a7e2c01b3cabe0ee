/*
 * error.h - schedlab's error codes.
 *
 * Functions return 0 on success or a negative SL_E* code. One X-macro builds
 * both the enum and sl_strerror(), so a new code cannot miss its message.
 */
#ifndef SCHEDLAB_ERROR_H
#define SCHEDLAB_ERROR_H

#include <stddef.h>

#define SL_ERROR_MAP(X)                                                                            \
    X(EINVAL, "invalid argument")                                                                  \
    X(ENOMEM, "out of memory")                                                                     \
    X(EIO, "input/output error")                                                                   \
    X(ENOENT, "no such file or directory")                                                         \
    X(EACCES, "permission denied")                                                                 \
    X(ENOSPC, "no space left on device")                                                           \
    X(ENOTREG, "not a regular file")                                                               \
    X(ETOOBIG, "file larger than its cap")                                                         \
    X(EPARSE, "syntax error")                                                                      \
    X(ECORRUPT, "file is corrupt or truncated")                                                    \
    X(EVERSION, "unsupported file version")                                                        \
    X(ELIMIT, "a system limit was reached")                                                        \
    X(ESPAWN, "cannot start a vehicle")                                                            \
    X(ENET, "network error")                                                                       \
    X(EINTR, "interrupted")                                                                        \
    X(ESTATE, "operation not valid in this state")                                                 \
    X(ENOTSUP, "not supported on this machine")                                                    \
    X(ECRASH, "a worker crashed")

typedef enum sl_error {
    SL_OK = 0,
#define SL_ERROR_ENUM(code, msg) SL_##code,
    SL_ERROR_FIRST = -1000,
    SL_ERROR_MAP(SL_ERROR_ENUM) SL_ERROR_LAST
#undef SL_ERROR_ENUM
} sl_error;

/* The message for an SL_E* code (or "success" for 0, "unknown error" else). */
const char *sl_strerror(int err);
/* The SL_E* code closest to a system errno: EACCES, EPERM and EROFS give
 * SL_EACCES, ENOSPC, EDQUOT and EFBIG SL_ENOSPC, EMFILE and ENFILE SL_ELIMIT,
 * ENOENT and ENOTDIR SL_ENOENT, ENOMEM SL_ENOMEM, anything else SL_EIO. */
int sl_error_from_errno(int e);

/* Writes a sentence into why[size] (nothing when why is NULL or size 0):
 * how every loader and writer fills the `why` its caller gave it. */
void sl_why(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

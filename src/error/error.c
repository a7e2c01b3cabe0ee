/*
 * error.c - messages for the SL_E* codes (the X-macro in error.h), and the
 * one way a `why` sentence is written.
 */
#include <stdio.h>
#include <stdarg.h>
#include <errno.h>

#include "schedlab/error.h"

const char *sl_strerror(int err)
{
    switch (err) {
    case SL_OK:
        return "success";
#define SL__ERROR_CASE(code, msg)                                                                  \
    case SL_##code:                                                                                \
        return msg;
        SL_ERROR_MAP(SL__ERROR_CASE)
#undef SL__ERROR_CASE
    default:
        return "unknown error";
    }
}

int sl_error_from_errno(int e)
{
    switch (e) {
    case EACCES:
    case EPERM:
    case EROFS:
        return SL_EACCES;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return SL_ENOSPC;
    case EMFILE:
    case ENFILE:
        return SL_ELIMIT;
    case ENOENT:
    case ENOTDIR:
        return SL_ENOENT;
    case ENOMEM:
        return SL_ENOMEM;
    default:
        return SL_EIO;
    }
}

void sl_why(char *why, size_t size, const char *fmt, ...)
{
    if (why == NULL || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
}

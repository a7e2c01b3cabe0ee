/*
 * error.c - messages for the SL_E* codes (the X-macro in error.h).
 */
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

/*
 * fmt-duration.c - the one rule for writing a duration.
 *
 * The header, the lists, the caption and the lints once wrote the end of
 * one run as 640 ms, 639 ms and 0.62 s: three roundings of two instants.
 * Everything now formats through here: three significant figures at most,
 * the unit chosen so the number stays below 1000.
 */
#include <stdio.h>

#include "schedlab/model.h"

char *sl_fmt_duration(char *buf, size_t size, uint64_t ns, bool ascii)
{
    if (ns == 0)
        snprintf(buf, size, "0s");
    else if (ns < 1000)
        snprintf(buf, size, "%uns", (unsigned)ns);
    else if (ns < 1000000)
        snprintf(buf, size, "%.0f%s", (double)ns / 1e3, ascii ? "us" : "\u00b5s");
    else if (ns < 100000000)
        snprintf(buf, size, "%.1fms", (double)ns / 1e6);
    else if (ns < 1000000000)
        snprintf(buf, size, "%.0fms", (double)ns / 1e6);
    else
        snprintf(buf, size, "%.2fs", (double)ns / 1e9);
    return buf;
}

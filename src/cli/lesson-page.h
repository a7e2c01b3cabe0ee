/*
 * lesson-page.h - a saved run as one self-contained web page (lesson-page.c).
 */
#ifndef SL_CLI_LESSON_PAGE_H
#define SL_CLI_LESSON_PAGE_H

#include <stddef.h>

#include "schedlab/control.h"

/* Writes the page of the trace at `trace_path` to `out_path` (by sl_ofile's
 * rule): the cast at `cast_path` (a v3 cast recorded already, as `record
 * --html` does), else one recorded here from `demo_path` (NULL: a demo made
 * from the trace) as asciicast v3; the SVG timeline, the caption, the
 * takeaway and the measured numbers. Returns 0 or a negative SL_E* with
 * `why`; SL_ENOTSUP when the binary has no player. */
int sl__lesson_page(const char *trace_path, const char *demo_path, const char *cast_path,
                    const char *out_path, char *why, size_t why_size);

#endif

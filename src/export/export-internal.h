/*
 * export-internal.h - what the exporters' files share.
 */
#ifndef SL_EXPORT_INTERNAL_H
#define SL_EXPORT_INTERNAL_H

#include <stdio.h>

#include "schedlab/export.h"

/* A row's GIL column: "on", "off", or "-" when a GIL changes nothing to it. */
const char *sl__report_gil(const sl_report_row *row);
/* The runtime every row ran ("CPython, GIL", ...), or a note that they differ. */
const char *sl__report_runtime(const sl_report *r);
/* Writes the verdict table (used by sl_report_write for SL_REPORT_VERDICT). */
void sl__report_write_verdict(const sl_report *r, FILE *out);

/* Writes s (n bytes) as a JSON string, quotes included: quotes, backslashes
 * and control characters escaped, invalid UTF-8 as U+FFFD. */
void sl__cast_json_string(FILE *f, const char *s, size_t n);

#endif

/*
 * report.h - the comparison of runs as a table, JSON or CSV.
 */
#ifndef SL_EXPORT_REPORT_H
#define SL_EXPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "schedlab/model.h"

typedef enum sl_report_format {
    SL_REPORT_TABLE = 0,
    SL_REPORT_JSON,
    SL_REPORT_CSV,
    SL_REPORT_VERDICT, /* the classic comparison table and a recommendation */
} sl_report_format;

/* Parses "table", "json" or "csv"; returns -1 if unknown. */
int sl_report_format_parse(const char *s);
/* Writes the verdict table (used by sl_report_write for SL_REPORT_VERDICT). */
void sl__report_write_verdict(const sl_report *r, FILE *out);
/* Writes the report in `format`. */
void sl_report_write(const sl_report *r, sl_report_format format, FILE *out);

#endif

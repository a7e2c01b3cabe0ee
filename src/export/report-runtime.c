/*
 * report-runtime.c - how reports name the runtime a row ran: its GIL
 * column, and the runtime line every table, verdict and JSON starts with.
 * The table and the verdict both use them, so they live apart from both.
 */
#include "export/export-internal.h"

const char *sl__report_gil(const sl_report_row *row)
{
    if (row->gil_scope == SL_GIL_SCOPE_NONE)
        return "-";
    const char *w = sl_gil_word(row->gil);
    return w[0] ? w : "?";
}

const char *sl__report_runtime(const sl_report *r)
{
    uint32_t gil = r->n_rows ? r->rows[0].gil : 0;
    for (size_t i = 1; i < r->n_rows; i++)
        if (r->rows[i].gil != gil)
            return "CPython with the GIL on and off (see the GIL column)";
    return gil ? sl_gil_runtime(gil) : "unknown";
}

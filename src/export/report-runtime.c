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
    bool mixed = false, never = gil == SL_GIL_NEVER;
    for (size_t i = 1; i < r->n_rows; i++) {
        mixed |= r->rows[i].gil != gil;
        never |= r->rows[i].gil == SL_GIL_NEVER;
    }
    if (mixed && never)
        return "CPython, and Go or tokio without a GIL (see the GIL column)";
    if (mixed)
        return "CPython with the GIL on and off (see the GIL column)";
    return gil ? sl_gil_runtime(gil) : "unknown";
}

/*
 * spans-csv.c - every span as a CSV row, for a spreadsheet or a notebook.
 *
 * One row per interval where a task showed one state, in task order, each
 * task's rows in time order: exactly what the timeline draws, so a student
 * can recompute the picture's numbers by hand. Times are exact ms (ns
 * precision) from the run's epoch; reason is the wait reason or ready
 * cause, core is set only while running.
 */
#include "schedlab/export.h"
#include "schedlab/error.h"

int sl_export_spans_csv(sl_trace *trace, FILE *out)
{
    sl_spans s;
    int rc = sl_spans_build(trace, &s);

    if (rc < 0)
        return rc;
    fputs("task,name,state,reason,core,start_ms,end_ms,duration_ms\n", out);
    for (size_t k = 0; k < s.n; k++) {
        const sl_span *sp = &s.v[k];
        fprintf(out, "%u,", sp->task);
        sl_csv_field(out, sl_trace_task_name(trace, sp->task));
        fprintf(out, ",%s,%s,", sl_state_name(sp->state), sl_span_reason(sp));
        if (sp->state == SL_ST_RUNNING)
            fprintf(out, "%u", sp->core);
        fputc(',', out);
        sl_print_ms(out, sp->start_ns);
        fputc(',', out);
        sl_print_ms(out, sp->end_ns);
        fputc(',', out);
        sl_print_ms(out, sp->end_ns - sp->start_ns);
        fputc('\n', out);
    }
    sl_spans_free(&s);
    return ferror(out) ? SL_EIO : 0;
}

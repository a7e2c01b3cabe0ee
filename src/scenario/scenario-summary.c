/*
 * scenario-summary.c - what `schedlab check` prints about a lesson.
 *
 * The step programs are printed from the templates, as written (ranges and
 * `+ i` included), because that is what the lecturer wants to confirm; the
 * totals come from the expanded tasks, so they include the draws and
 * time_scale that a run will really use.
 */
#include <stdio.h>
#include <string.h>

#include "scenario/scenario-int.h"

#define WRAP 76

/* Columns of the n bytes at s (UTF-8 continuation bytes take none). */
static size_t columns(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static void print_wrapped(FILE *out, const char *text, const char *indent)
{
    size_t col = 0;
    for (const char *p = text; *p != '\0';) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        size_t w = columns(p, n);
        if (col > 0 && col + 1 + w > WRAP) {
            fputc('\n', out);
            col = 0;
        }
        fprintf(out, "%s%.*s", col == 0 ? indent : " ", (int)n, p);
        col += (col == 0 ? strlen(indent) : 1) + w;
        p += n;
    }
    if (col > 0)
        fputc('\n', out);
}

/* Tasks are stored group by group: the group's tasks start at `first`. */
static void print_section(FILE *out, const sl__scenario *s, uint32_t g, uint32_t first)
{
    const sl__section *sec = &s->sections[g];
    uint32_t count = s->pub.groups[g].count;
    fprintf(out, "  %s %s", sec->is_task ? "task" : "group", sec->name);
    if (count > 1)
        fprintf(out, " x%u (%s .. %s)", count, s->pub.tasks[first].name,
                s->pub.tasks[first + count - 1].name);
    if (sec->repeat > 1)
        fprintf(out, ", program repeated %u times", sec->repeat);
    fprintf(out, "  [line %u]\n", sec->line);
    for (uint32_t i = 0; i < sec->n_steps; i++) {
        char step[512];
        sl__format_step(&sec->steps[i], step, sizeof(step));
        fprintf(out, "    %s\n", step);
    }
}

/* Queues, counters and locks, one line each. */
static void print_objects(FILE *out, const sl_scenario *sc)
{
    char w[32];
    for (uint32_t i = 0; i < sc->n_queues; i++)
        fprintf(out, "  queue %s: capacity %u  [line %u]\n", sc->queues[i].name,
                sc->queues[i].capacity, sc->queues[i].line);
    for (uint32_t i = 0; i < sc->n_counters; i++) {
        sl__format_ns(sc->counters[i].window_ns, w, sizeof(w));
        fprintf(out, "  counter %s: from 0, window %s, %s  [line %u]\n", sc->counters[i].name, w,
                sc->counters[i].shared ? "shared by every process" : "a copy per worker process",
                sc->counters[i].line);
    }
    for (uint32_t i = 0; i < sc->n_locks; i++)
        fprintf(out, "  lock %s  [first used at line %u]\n", sc->locks[i].name, sc->locks[i].line);
}

void sl_scenario_summary(const sl_scenario *sc, FILE *out)
{
    const sl__scenario *s = (const sl__scenario *)sc;
    char gil[32], cpu_s[32], wait_s[32];
    fprintf(out, "%s: %s\n", sc->name, sc->title);
    if (sc->caption != NULL) {
        fputc('\n', out);
        print_wrapped(out, sc->caption, "  ");
    }
    sl__format_ns(sc->gil_interval_ns, gil, sizeof(gil));
    fprintf(out,
            "\n  seed %llu, workers %u, chunksize %u, gil %s, gil_interval %s, offload %s, "
            "time_scale %g, start %s\n",
            (unsigned long long)sc->seed, sc->workers, sc->chunksize, sl_gil_word(sc->gil), gil,
            sl_offload_word(sc->offload), sc->time_scale, sl_start_method_name(sc->start));
    if (sc->strategies != NULL)
        fprintf(out, "  strategies: %s\n", sc->strategies);
    print_objects(out, sc);
    fputc('\n', out);
    for (uint32_t g = 0, first = 0; g < s->n_sections; first += s->pub.groups[g].count, g++)
        print_section(out, s, g, first);

    uint64_t cpu, wait;
    sl_scenario_totals(sc, &cpu, &wait);
    sl__format_ns(cpu, cpu_s, sizeof(cpu_s));
    sl__format_ns(wait, wait_s, sizeof(wait_s));
    fprintf(out, "\n  %u tasks, %zu steps: cpu about %s, waiting %s in all%s\n", sc->n_tasks,
            sc->n_steps, cpu_s, wait_s, sc->time_scale != 1.0 ? " (time_scale applied)" : "");
}

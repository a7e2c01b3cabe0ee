/*
 * cores-busy.c - how busy the cores were with the run's own tasks.
 *
 * One definition for every panel and lint that speaks of busy cores: a core
 * is busy while one of the run's tasks runs on it by the trace (the hooks'
 * RUN, moved by the kernel's samples, preempted time not counted), from the
 * run's start to the playhead. The whole machine's load is not in it: a
 * core "busy" here ran this run's work, and a core with no task of the run
 * may still be busy with other programs.
 */
#include "model-internal.h"

uint64_t sl_model_core_busy_ns(const sl_model *m, uint32_t core)
{
    if (core >= SL_MODEL_CORES)
        return 0;
    uint64_t ns = m->busy_ns[core];
    /* The stretches running now count up to the playhead. */
    for (uint32_t i = m->head[SL_LIST_CORE0 + core]; i != SL__NIL; i = m->link[2 * (size_t)i + 1])
        ns += sl__since(m->t_ns, m->tasks[i].shown_since_ns);
    return ns;
}

double sl_model_cores_busy(const sl_model *m)
{
    if (m->t_ns == 0)
        return 0.0;
    uint64_t ns = 0;
    uint32_t n = m->n_cores < SL_MODEL_CORES ? m->n_cores : SL_MODEL_CORES;
    for (uint32_t c = 0; c < n; c++)
        ns += sl_model_core_busy_ns(m, c);
    return (double)ns / (double)m->t_ns;
}

/*
 * worker-cpu.c - `schedlab __worker --role cpu`: one cpu step in a process
 * of its own, the child that async+subprocess starts for every cpu step
 * (Python: the program asyncio.create_subprocess_exec runs).
 *
 * It needs no scenario: the step comes on the command line, with the
 * parent's calibration so `cpu 10ms` means the same time here. It attaches
 * the rings only to emit the task's RUN on ring R (vehicle = its pid), so
 * the timeline shows the step running on whichever core the child got; the
 * parent, which sees the child's exit, emits everything else. It reports its
 * own usage with the result, because libuv reaps it without a rusage. A stop
 * simply kills it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"
#include "schedlab/work.h"
#include "proc/worker.h"

/* Peak RSS of this program since exec (VmHWM). Not ru_maxrss: that keeps
 * the high-water mark of the image before exec, and a uv_spawn child is
 * forked from the whole app, rings included. 0 if unreadable. */
static uint64_t hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    unsigned long long kb = 0;
    char line[128];
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kb;
}

static uint64_t tv_ns(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
}

int sl__worker_cpu(const sl__worker_args *a)
{
    /* A child of a uv_spawn inherits every descriptor not marked
     * close-on-exec (curl's sockets, the app's files): keep 0-3 only. */
    syscall(SYS_close_range, 4u, ~0u, 0u);
    sl_rings *rings;
    int err = sl_rings_attach(&rings, a->fd);
    if (err < 0) {
        fprintf(stderr, "schedlab __worker: cannot map fd %d: %s\n", a->fd, sl_strerror(err));
        return WORKER_SETUP;
    }
    if ((uint32_t)a->ring >= sl_rings_count(rings)) {
        fprintf(stderr, "schedlab __worker: ring %ld out of range\n", a->ring);
        sl_rings_destroy(rings);
        return WORKER_SETUP;
    }
    if (a->rate > 0)
        sl_work_set_iters_per_us(a->rate);
    else
        sl_work_calibrate();
    sl_hook_bind(sl_rings_at(rings, (uint32_t)a->ring), (uint32_t)getpid(), sl_rings_epoch(rings));
    sl_hook_emit(SL_EV_RUN, (uint32_t)a->index, 0, (uint64_t)a->step);
    /* Unsliced: nothing here checks for a stop, and slicing cpu-sumsq would
     * cost every child a calibration of its own. */
    uint64_t sum;
    sl_work_run((int)a->kind, a->amount, 0, NULL, NULL, &sum);
    sl_hook_unbind();
    sl_rings_destroy(rings);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("sum=%llu cpu_ns=%llu rss_kb=%llu vol=%llu invol=%llu\n", (unsigned long long)sum,
           (unsigned long long)(tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime)),
           (unsigned long long)hwm_kb(), (unsigned long long)ru.ru_nvcsw,
           (unsigned long long)ru.ru_nivcsw);
    return fflush(stdout) == 0 ? WORKER_OK : WORKER_SETUP;
}

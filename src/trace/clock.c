/*
 * clock.c - the run's clock.
 *
 * CLOCK_MONOTONIC because it never jumps (NTP slews it, never steps it) and
 * is served by the vDSO, so reading it costs a few ns and no syscall. Every
 * process of a run reads the same clock, so their events merge on one axis.
 */
#include <time.h>

#include "schedlab/trace.h"

uint64_t sl_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

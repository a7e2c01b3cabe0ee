/*
 * bench-probes.h - the micro-measurements behind `schedlab bench`.
 *
 * Each probe returns nanoseconds per operation (or events per second), or a
 * negative value when the machine does not allow the measurement.
 */
#ifndef SL_CLI_BENCH_PROBES_H
#define SL_CLI_BENCH_PROBES_H

#include "schedlab/scenario.h"
#include <stdint.h>

double sl__bench_empty_loop_ns(void);
double sl__bench_clock_ns(void);
/* One read of the CPU's cycle counter (rdtsc, cntvct_el0); -1 elsewhere. */
double sl__bench_counter_read_ns(void);
/* One hook (minus the empty loop) and one counter read (likewise), measured
 * in alternating rounds; 0, or -1 when the rings cannot be made. */
int sl__bench_hook(double empty_loop_ns, double *hook_ns, double *counter_ns);
double sl__bench_coroutine_switch_ns(void);
double sl__bench_coroutine_create_ns(void);
double sl__bench_steal_ns(void);
double sl__bench_thread_switch_ns(void);
double sl__bench_process_switch_ns(void);
double sl__bench_thread_create_ns(void);
/* Creation of a process vehicle by start method m, reaped. */
double sl__bench_process_create_ns(sl_start_method m);
/* Events per second the collector merges from n_rings interleaved rings. */
double sl__bench_collector_events_per_s(uint32_t n_rings);
/* Events per second the model folds (one pass from the start). */
double sl__bench_fold_events_per_s(void);

#endif

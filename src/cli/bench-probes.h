/*
 * bench-probes.h - the micro-measurements behind `schedlab bench`.
 *
 * Each probe returns nanoseconds per operation (or events per second), or a
 * negative value when the machine does not allow the measurement.
 */
#ifndef SL_CLI_BENCH_PROBES_H
#define SL_CLI_BENCH_PROBES_H

double sl__bench_empty_loop_ns(void);
double sl__bench_clock_ns(void);
/* One read of the CPU's cycle counter (rdtsc, cntvct_el0); -1 elsewhere. */
double sl__bench_counter_read_ns(void);
double sl__bench_hook_ns(double empty_loop_ns);
double sl__bench_coroutine_switch_ns(void);
double sl__bench_coroutine_create_ns(void);
double sl__bench_steal_ns(void);
double sl__bench_thread_switch_ns(void);
double sl__bench_process_switch_ns(void);
double sl__bench_thread_create_ns(void);
double sl__bench_process_create_ns(void);
double sl__bench_collector_events_per_s(void);

#endif

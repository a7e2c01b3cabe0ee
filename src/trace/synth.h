/*
 * synth.h - a synthetic trace with every state, for the frame benchmark and
 * the screen tests: the same input on every machine.
 */
#ifndef SL_UI_SYNTH_H
#define SL_UI_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "schedlab/trace.h"

/* Builds a finished trace of n_tasks tasks on `cores` cores with about
 * n_events events: tasks spawn, queue for a pool, get dispatched round-robin
 * when a core is free, run, wait on io or sleep, yield, and exit (the last
 * task fails). Events are 100 us apart. */
int sl__synth_trace(sl_trace **out, uint32_t n_tasks, size_t n_events, uint32_t cores);

#endif

/*
 * run-signals.h - SIGINT/SIGTERM during a run: stop it, keep what was measured.
 */
#ifndef SL_CLI_RUN_SIGNALS_H
#define SL_CLI_RUN_SIGNALS_H

#include "schedlab/engine.h"

/* Installs handlers that only record the signal. */
void sl__run_signals_install(void);
/* Waits for `run` to end, cancelling it if a signal arrived; returns its status. */
int sl__run_signals_wait(sl_run *run, sl_run_result *res);
/* The signal received so far, or 0. */
int sl__run_signals_caught(void);

#endif

/*
 * run-signals.c - interruptible runs for the headless commands.
 *
 * The handler only stores the signal number: everything else (cancelling the
 * run, reaping children, unlinking shared memory, printing partial results)
 * happens on the main thread, outside the handler, where it is safe.
 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cli/run-signals.h"

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
    caught = sig;
}

void sl__run_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int sl__run_signals_caught(void)
{
    return caught;
}

int sl__run_signals_wait(sl_run *run, sl_run_result *res)
{
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    bool cancelled = false;
    while (!sl_run_done(run)) {
        if (caught && !cancelled) {
            sl_run_cancel(run);
            cancelled = true;
        }
        nanosleep(&tick, NULL);
    }
    return sl_run_wait(run, res);
}

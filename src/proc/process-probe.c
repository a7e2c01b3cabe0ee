/*
 * process-probe.c - one worker process started and reaped, for nothing:
 * what each start method costs before any work (schedlab bench reports it
 * as process_create_forkserver_ns and process_create_spawn_ns).
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"
#include "schedlab/proc.h"

int sl_process_create_once(sl_start_method m, const char *exe, uint64_t *ns)
{
    char *argv[] = {(char *)exe, "__worker", "--fd", "0", "--role", "noop", "--index", "0", NULL};
    char why[160];
    pid_t pid;
    int status;
    struct rusage ru;
    uint64_t t0 = sl_clock_ns();
    if (m == SL_START_SPAWN) {
        if (exe == NULL || posix_spawn(&pid, exe, NULL, NULL, argv, sl_worker_environ()) != 0)
            return SL_ESPAWN;
    } else {
        int err = sl_forkserver_fork(7, argv + 1, 0, -1, &pid, why, sizeof(why));
        if (err < 0)
            return err;
    }
    if (sl_proc_reap(pid, false, &status, &ru) != 1)
        return SL_ESPAWN;
    *ns = sl_clock_ns() - t0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : SL_ESPAWN;
}

/*
 * rss-watch.c - peak memory of a run, children included.
 *
 * The kernel's VmHWM is a lifetime maximum of one process, useless for the
 * second run of a comparison and blind to worker processes. So a thread
 * samples, every few milliseconds, /proc/self/statm plus the statm of every
 * child listed in /proc/self/task/<tid>/children, and keeps the largest sum.
 * With many children the period stretches so the watcher stays cheap.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/rss-watch.h"
#include "schedlab/error.h"

struct sl__rss_watch {
    pthread_t thread;
    atomic_bool stop;
    uint64_t peak_kb;
    uint64_t base_kb;
};

static uint64_t statm_rss_kb(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    if (n != 2)
        return 0;
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
}

/* Adds the RSS of the children of every thread of this process; returns how many. */
static unsigned add_children_rss(uint64_t *sum)
{
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL)
        return 0;
    unsigned n = 0;
    struct dirent *d;
    char path[512];
    char buf[8192];
    while ((d = readdir(tasks)) != NULL) {
        if (d->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", d->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t len = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[len] = '\0';
        for (char *save = NULL, *tok = strtok_r(buf, " \n", &save); tok != NULL;
             tok = strtok_r(NULL, " \n", &save)) {
            snprintf(path, sizeof(path), "/proc/%s/statm", tok);
            *sum += statm_rss_kb(path);
            n++;
        }
    }
    closedir(tasks);
    return n;
}

static void *watch_main(void *arg)
{
    sl__rss_watch *w = arg;
    while (!atomic_load(&w->stop)) {
        uint64_t sum = statm_rss_kb("/proc/self/statm");
        unsigned children = add_children_rss(&sum);
        if (sum > w->peak_kb)
            w->peak_kb = sum;
        /* 5 ms, plus 20 µs per child: reading 1,000 statm files takes a few ms. */
        long ns = 5000000L + 20000L * (long)children;
        struct timespec ts = {.tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int sl__rss_watch_start(sl__rss_watch **out)
{
    sl__rss_watch *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return SL_ENOMEM;
    w->base_kb = statm_rss_kb("/proc/self/statm");
    w->peak_kb = w->base_kb;
    atomic_init(&w->stop, false);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        free(w);
        return SL_ELIMIT;
    }
    *out = w;
    return 0;
}

void sl__rss_watch_stop(sl__rss_watch *w, uint64_t *peak_kb, uint64_t *base_kb)
{
    atomic_store(&w->stop, true);
    pthread_join(w->thread, NULL);
    *peak_kb = w->peak_kb;
    *base_kb = w->base_kb;
    free(w);
}

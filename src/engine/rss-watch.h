/*
 * rss-watch.h - peak resident memory of the app and its child processes.
 */
#ifndef SL_ENGINE_RSS_WATCH_H
#define SL_ENGINE_RSS_WATCH_H

#include <stdint.h>

typedef struct sl__rss_watch sl__rss_watch;

/* Starts a thread sampling this process's RSS plus its live children's. */
int sl__rss_watch_start(sl__rss_watch **out);
/* Stops; returns the largest sum seen and the RSS at start (KiB). */
void sl__rss_watch_stop(sl__rss_watch *w, uint64_t *peak_kb, uint64_t *base_kb);

#endif

/*
 * strategy-list.h - parses "threads,coroutines" or "all" into strategies.
 */
#ifndef SL_CLI_STRATEGY_LIST_H
#define SL_CLI_STRATEGY_LIST_H

#include "schedlab/strategy.h"

/* Fills out[] (at most max) and gil[] (SL_GIL_DEFAULT, or the :gil / :nogil
 * an entry asked for); NULL or "all" means every strategy. Prints an error
 * naming the unknown strategy and returns -1. */
int sl__strategy_list_parse(const char *spec, const sl_strategy **out, uint32_t *gil, int max);

#endif

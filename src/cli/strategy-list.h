/*
 * strategy-list.h - parses "threads,coroutines" or "all" into strategies.
 */
#ifndef SL_CLI_STRATEGY_LIST_H
#define SL_CLI_STRATEGY_LIST_H

#include "schedlab/strategy.h"

/* Fills out[] (at most max); NULL or "all" means every strategy. Prints an
 * error naming the unknown strategy and returns -1. */
int sl__strategy_list_parse(const char *spec, const sl_strategy **out, int max);

#endif

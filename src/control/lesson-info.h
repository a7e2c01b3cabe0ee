/*
 * lesson-info.h - a lesson as the TUI introduces it (lesson-info.c): the
 * picker's titles and lines, and the strategy a lesson opens on.
 */
#ifndef SL_CONTROL_LESSON_INFO_H
#define SL_CONTROL_LESSON_INFO_H

#include <stddef.h>

#include "schedlab/error.h"
#include "schedlab/scenario.h"
#include "schedlab/ui.h"

/* Fills ui->lesson_titles and ui->lesson_about for ui->lessons (a lesson
 * that does not load gets empty ones). 0 or SL_ENOMEM. */
int sl__lessons_describe(sl_ui *ui);
/* Frees the lesson names, titles and lines. */
void sl__lessons_free(sl_ui *ui);
/* Index in sl_strategies of the strategy named name[0..len), or -1. */
int sl__strategy_index(const char *name, size_t len);
/* The strategy a lesson opens on: the first of its `strategies =` list,
 * else threads. */
int sl__lesson_first_strategy(const sl_scenario *sc);

#endif

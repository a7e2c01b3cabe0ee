/*
 * lesson-info.c - a lesson as the TUI introduces it: the picker's title and
 * one line about each lesson, and the strategy a lesson opens on.
 *
 * The picker reads every shipped lesson once when the TUI starts (a dozen
 * small files), so moving the cursor never touches the disk.
 */
#include <stdlib.h>
#include <string.h>

#include "schedlab/strategy.h"
#include "control/lesson-info.h"

/* The caption's first sentence: up to the first ". " (or all of it). */
static char *first_sentence(const char *caption)
{
    if (!caption)
        return strdup("");
    const char *end = strstr(caption, ". ");
    size_t n = end ? (size_t)(end - caption) + 1 : strlen(caption);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, caption, n);
        s[n] = '\0';
    }
    return s;
}

int sl__lessons_describe(sl_ui *ui)
{
    if (ui->n_lessons <= 0)
        return 0;
    ui->lesson_titles = calloc((size_t)ui->n_lessons, sizeof *ui->lesson_titles);
    ui->lesson_about = calloc((size_t)ui->n_lessons, sizeof *ui->lesson_about);
    if (!ui->lesson_titles || !ui->lesson_about)
        return SL_ENOMEM;
    for (int i = 0; i < ui->n_lessons; i++) {
        char path[4096];
        sl_scenario *sc = NULL;
        if (sl_scenario_resolve(ui->lessons[i], path, sizeof path) == 0 &&
            sl_scenario_load(path, &sc, NULL) == 0) {
            ui->lesson_titles[i] = strdup(sc->title ? sc->title : "");
            ui->lesson_about[i] = first_sentence(sc->caption);
            sl_scenario_free(sc);
        }
        /* A lesson that does not load says so when picked; here it is
         * listed by name alone. */
        if (!ui->lesson_titles[i])
            ui->lesson_titles[i] = strdup("");
        if (!ui->lesson_about[i])
            ui->lesson_about[i] = strdup("");
        if (!ui->lesson_titles[i] || !ui->lesson_about[i])
            return SL_ENOMEM;
    }
    return 0;
}

void sl__lessons_free(sl_ui *ui)
{
    for (int i = 0; i < ui->n_lessons; i++) {
        if (ui->lesson_titles)
            free(ui->lesson_titles[i]);
        if (ui->lesson_about)
            free(ui->lesson_about[i]);
        free(ui->lessons[i]);
    }
    free(ui->lesson_titles);
    free(ui->lesson_about);
    free(ui->lessons);
    ui->lesson_titles = ui->lesson_about = ui->lessons = NULL;
    ui->n_lessons = 0;
}

int sl__strategy_index(const char *name, size_t len)
{
    for (int i = 0; name && sl_strategies[i]; i++)
        if (strlen(sl_strategies[i]->name) == len &&
            strncmp(sl_strategies[i]->name, name, len) == 0)
            return i;
    return -1;
}

int sl__lesson_first_strategy(const sl_scenario *sc)
{
    const char *list = sc ? sc->strategies : NULL;
    int i = list ? sl__strategy_index(list, strcspn(list, ", ")) : -1;
    if (i < 0)
        i = sl__strategy_index("threads", strlen("threads"));
    return i >= 0 ? i : 0;
}

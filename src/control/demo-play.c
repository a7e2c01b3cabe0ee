/*
 * demo-play.c - carrying out a demo script on the app.
 *
 * The player knows no clock of its own: the session hands it "now" (real
 * time for a lecturer, the recorder's clock for a cast) and learns when to
 * call again. Waits are chained from the moment the previous one ended,
 * not from when the player was called, so a script's timing does not drift
 * with the frame rate. Keys go through the same handler as typed keys, so
 * a demo can do exactly what a person at the keyboard can.
 */
#include <stdio.h>
#include <string.h>

#include "control/app.h"
#include "schedlab/control.h"
#include "control/player.h"
#include "control/keys.h"

void sl__player_init(sl_player *p, const sl_demo *d, bool live)
{
    *p = (sl_player){.demo = d, .live = live};
}

bool sl__player_busy(const sl_app *a)
{
    const sl_ui *ui = &a->ui;
    return (a->run && !a->run_joined) || a->cmp_run || ui->cmp_running >= 0 ||
           ui->play == SL_PLAY_PLAYING;
}

static void wait_from(sl_player *p, uint64_t t, uint64_t ns)
{
    p->waiting = true;
    p->until_ns = t + ns;
}

/* NAME, NAME:gil or NAME:nogil: its index, and the runtime in *gil. */
static int find_strategy(const sl_ui *ui, const char *spec, uint32_t *gil)
{
    const sl_strategy *st = sl_strategy_parse(spec, strlen(spec), gil);
    for (int i = 0; st != NULL && i < ui->n_strategies; i++)
        if (strcmp(sl_strategy_name(ui, i), st->name) == 0)
            return i;
    return -1;
}

/* `run`: the chosen strategy again from the start (a replay plays again). */
static void run(sl_app *a)
{
    sl_ui *ui = &a->ui;
    ui->overlay = SL_OV_NONE;
    ui->predict.on = ui->predict.asking = false;
    if (ui->replay) {
        ui->t_ns = 0;
        ui->play = SL_PLAY_PLAYING;
        return;
    }
    sl__app_run(a);
}

int sl__player_step(sl_player *p, sl_app *a, uint64_t now, uint64_t *next_ns)
{
    int flags = 0;
    *next_ns = UINT64_MAX;
    uint64_t t = now;
    while (!p->done && !p->paused) {
        if (p->waiting) {
            if (now < p->until_ns) {
                *next_ns = p->until_ns;
                return flags;
            }
            p->waiting = false;
            t = p->until_ns;
        }
        if (p->pc >= p->demo->n) {
            p->done = true;
            break;
        }
        const sl_demo_cmd *c = &p->demo->cmds[p->pc];
        switch (c->op) {
        case SL_DEMO_KEY: {
            int eff = sl__app_key(a, c->keys[p->key_i++]);
            flags |= SL_PLAYER_REDRAW;
            if (eff & SL_QUIT) {
                p->done = true;
                return flags | SL_PLAYER_QUIT;
            }
            if (p->key_i == c->n_keys) {
                p->key_i = 0;
                p->pc++;
            }
            /* Each key's effect stays on screen a moment before the next. */
            wait_from(p, t, SL_DEMO_KEY_GAP_NS);
            break;
        }
        case SL_DEMO_WAIT:
            p->pc++;
            wait_from(p, t, c->ns);
            break;
        case SL_DEMO_SAY:
            snprintf(p->say, sizeof p->say, "%s", c->text ? c->text : "");
            snprintf(a->ui.say, sizeof a->ui.say, "%s", p->say);
            sl__app_mark_say(a, p->say);
            flags |= SL_PLAYER_REDRAW;
            p->pc++;
            break;
        case SL_DEMO_PAUSE:
            p->pc++;
            if (p->live)
                p->paused = a->ui.say_paused = true;
            else
                wait_from(p, t, SL_DEMO_HOLD_NS);
            flags |= SL_PLAYER_REDRAW;
            break;
        case SL_DEMO_RUN:
            p->pc++;
            run(a);
            flags |= SL_PLAYER_REDRAW;
            break;
        case SL_DEMO_UNTIL_DONE:
            if (sl__player_busy(a))
                return flags;
            p->pc++;
            t = now;
            break;
        case SL_DEMO_LESSON:
            p->pc++;
            /* A saved trace is its own lesson. */
            if (!a->ui.replay && sl__app_load(a, c->text) == 0)
                flags |= SL_PLAYER_REDRAW;
            break;
        case SL_DEMO_STRATEGY: {
            p->pc++;
            uint32_t gil = SL_GIL_DEFAULT;
            int i = find_strategy(&a->ui, c->text, &gil);
            if (!a->ui.replay && i >= 0) {
                a->ui.strategy = i;
                a->ui.strategy_gil = gil;
                flags |= SL_PLAYER_REDRAW;
            }
            break;
        }
        }
    }
    return flags;
}

bool sl__player_key(sl_player *p, sl_ui *ui, int key)
{
    if (!p->paused || key == 'q' || key == SL_KEY_RESIZE)
        return false;
    p->paused = ui->say_paused = false;
    return true;
}

/*
 * play.h - the playhead: live, paused or playing at a speed, stepping by
 * event, and predict mode's stops before each dispatch (play.c). The views
 * only read where it is; the controller moves it.
 */
#ifndef SL_CONTROL_PLAY_H
#define SL_CONTROL_PLAY_H

#include "schedlab/ui.h"

/* A lesson's lecture pace when it sets none. */
#define SL_PACE_DEFAULT_NS (15ull * 1000000000ull)
/* The lecture pace of a lesson (its [run] pace, else the default). */
uint64_t sl__play_lesson_pace(const sl_scenario *sc);
/* Moves to the next (dir > 0) or previous event; pauses. */
void sl__play_step(sl_ui *ui, int dir);
/* Moves by a twentieth of the run; pauses. */
void sl__play_jump(sl_ui *ui, int dir);
/* Sets the playhead (clamped) and pauses. */
void sl__play_seek(sl_ui *ui, uint64_t t_ns);
/* Advances the playhead by `wall_ns` of real time; true if it moved. Under
 * a lecture pace (ui->pace_ns) the speed is first set so that the run, as
 * far as it is known, plays over the pace: never faster than real time,
 * and a live run as long as the pace is followed live. */
bool sl__play_tick(sl_ui *ui, uint64_t wall_ns);
/* First event index with time > t (binary search; read lock held). */
size_t sl__play_first_after(const sl_trace_view *v, uint64_t t);

#endif

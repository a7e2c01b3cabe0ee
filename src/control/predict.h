/*
 * predict.h - predict mode (predict.c): the playhead stops before a
 * scheduling decision whose answer is not obvious, the student picks
 * among the candidates, the reveal says why, a round ends with a score.
 */
#ifndef SL_CONTROL_PREDICT_H
#define SL_CONTROL_PREDICT_H

#include "schedlab/ui.h"

/* Turns predict mode on and asks the first question (or says why not). */
void sl__predict_start(sl_ui *ui);
/* Stops before the next question after the playhead; false if none is
 * left (the round then ends with its summary). */
bool sl__predict_next(sl_ui *ui);
/* The student picked cand[i]: reveals the answer, why, and scores. */
void sl__predict_guess(sl_ui *ui, int i);
/* Keys while predict mode is on: numbers (several digits for more than
 * nine choices), arrows and Enter choose; Space asks the next question;
 * keys that would start a run are refused. True if the key was taken. */
bool sl__predict_key(sl_ui *ui, int key);

#endif

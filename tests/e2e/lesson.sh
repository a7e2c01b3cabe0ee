#!/usr/bin/env bash
# lesson.sh - a lesson explains itself, driven in a detached tmux at 80x24
# (private socket): `tui io-download` opens on its first listed strategy
# with its caption paragraph over the panels, Esc closes it and i brings it
# back; the picker (s) lists each lesson's title and a line about it, and
# picking race-counter opens it on threads (its first strategy) with its
# caption, then shows the shared counter's lost updates and ends with a
# takeaway line. Needs no terminal of its own; < 60 s.
#
# usage: bash tests/e2e/lesson.sh path/to/schedlab
set -u
bin=$(realpath "${1:?usage: lesson.sh path/to/schedlab}")
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 0; }
sock="schedlab-e2e-lesson-$$"
tmp=$(mktemp -d)
. "$(dirname "$0")/lib/tmux.sh"
start=$SECONDS

tm new-session -d -s e2e -x 80 -y 24 "LANG=C.UTF-8 '$bin' tui io-download; sleep 120"
wait_for 'Timeline' 15 || fail "the TUI did not draw its timeline"
wait_for 'Twenty tasks each download one web page' 5 || fail "no caption paragraph on opening"
wait_for 'Esc or Enter closes; i shows this again' 2 || fail "the caption box says not how to close"
screen | head -1 | grep -q 'sequential' || fail "io-download did not open on its first strategy"
keys Escape
sleep 0.5
screen | grep -q 'Esc or Enter closes' && fail "Esc did not close the caption"
screen | grep -q 'Cores' || fail "the panels are not back after the caption closed"
keys i
wait_for 'Twenty tasks each download one web page' 5 || fail "i did not show the caption again"
keys Escape
sleep 0.3

# The picker: titles and a line about each lesson.
keys s
wait_for 'Pick a lesson' 5 || fail "s did not open the picker"
screen | grep -q 'race-counter .*A race on a shared counter' || fail "the picker lacks titles"
for ((i = 0; i < 20; i++)); do
    screen | grep -q '> race-counter' && break
    keys Down
    sleep 0.1
done
screen | grep -q 'Four racers each add 1' || fail "the picker lacks the lesson's line"
keys Enter
wait_for 'Four racers each add 1 to hits' 10 || fail "race-counter did not open with its caption"
wait_for '^ schedlab .*threads' 5 || fail "race-counter did not open on threads, its first strategy"
keys Escape
wait_for 'counter hits [0-9]+ of [0-9]+' 20 || fail "the shared counter is not on screen"
wait_for 'All 8 tasks' 20 || fail "the race-counter run did not end"
wait_for 'threads lost [0-9]+ of 2400 increments|threads lost none of' 10 ||
    fail "no takeaway at the end of the run"
keys q
echo "ok: lesson e2e in $((SECONDS - start)) s"

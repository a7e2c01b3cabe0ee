#!/usr/bin/env bash
# tui.sh - drives the real TUI in a detached tmux (120x40, private socket):
# it starts and draws, the timeline moves, a number key switches strategy,
# Space pauses (the screen stops changing), ? opens the help and Esc closes
# it, q quits with exit code 0 and the terminal is restored (echo, canonical
# mode, no alternate screen). Needs no terminal of its own; < 60 s.
#
# usage: bash tests/e2e/tui.sh path/to/schedlab
set -u
bin=$(realpath "${1:?usage: tui.sh path/to/schedlab}")
. "$(dirname "$0")/lib/need.sh"
need tmux
sock="schedlab-e2e-$$"
tmp=$(mktemp -d)
. "$(dirname "$0")/lib/tmux.sh"
start=$SECONDS

tm new-session -d -s e2e -x 120 -y 40 \
    "LANG=C.UTF-8 '$bin' tui io-download -s threads; echo \$? > '$tmp/rc'; stty -a > '$tmp/stty'; sleep 120"
wait_for 'Timeline' 15 || fail "the TUI did not draw its timeline"
screen | head -1 | grep -q 'threads' || fail "header does not name the strategy"

# A moving timeline: while live, successive frames differ.
frames=()
for i in 1 2 3 4 5; do
    frames+=("$(screen)")
    sleep 0.2
done
moved=0
for i in 1 2 3 4; do
    [[ "${frames[$i]}" != "${frames[0]}" ]] && moved=1
done
if ((!moved)); then
    # The run was already over: replay it from the start instead.
    keys Home Space
    a=$(screen); sleep 0.5; b=$(screen)
    [[ "$a" != "$b" ]] || fail "the timeline does not move"
fi

# The lesson's caption opened over the panels (lesson.sh); Esc closes it.
keys Escape
sleep 0.3
for word in Running Ready Waiting Queued Cores Counters 'q quit'; do
    screen | grep -q "$word" || fail "panel '$word' missing"
done

# Switch strategy with the number key the strategy line gives coroutines.
n=$(screen | grep -o '[0-9] coroutines' | head -1 | cut -c1)
[[ -n "$n" ]] || fail "the strategy line has no number for coroutines"
keys "$n"
wait_for '^ schedlab .*coroutines' 10 || fail "key $n did not switch to coroutines"
# The lecture pace plays it back over 15 s; End skips to the end (or live).
keys End
wait_for 'ENDED' 20 || fail "the coroutines run did not finish"

# Replay slowly, then pause: the screen must stop changing.
keys Home - - - Space
wait_for 'PLAYING' 5 || fail "Space did not start the replay"
a=$(screen); sleep 0.6; b=$(screen)
[[ "$a" != "$b" ]] || fail "the replay does not move"
keys Space
wait_for 'PAUSED' 5 || fail "Space did not pause"
sleep 0.3
a=$(screen); sleep 1; b=$(screen)
[[ "$a" == "$b" ]] || fail "the screen still changes while paused"

# Help overlay, generated from the key table.
keys '?'
wait_for 'Help: keys' 5 || fail "? did not open the help"
for line in 'pick a lesson' 'step one event' 'Legend'; do
    screen | grep -q "$line" || fail "help lacks '$line'"
done
keys Escape
sleep 0.5
screen | grep -q 'Help: keys' && fail "Esc did not close the help"

keys q
for ((i = 0; i < 100; i++)); do
    [[ -s "$tmp/rc" && -s "$tmp/stty" ]] && break
    sleep 0.1
done
[[ -s "$tmp/rc" ]] || fail "q did not quit"
rc=$(cat "$tmp/rc")
[[ "$rc" == 0 ]] || fail "exit code $rc, expected 0"
grep -qE '(^| )-echo( |$)' "$tmp/stty" && fail "echo left off after quit"
grep -qE '(^| )-icanon( |$)' "$tmp/stty" && fail "canonical mode left off after quit"
! alternate_on || fail "still on the alternate screen"
echo "ok: tui e2e in $((SECONDS - start)) s"

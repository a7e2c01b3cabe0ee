#!/usr/bin/env bash
# keys-mouse.sh - special keys and the mouse through a real terminal stack:
# the TUI runs in tmux with TERM=xterm-256color (tmux then sends Home and
# End as ESC [1~ and ESC [4~, which once leaked as `[`, `4`, `~` and started
# strategy 4), and again with TERM=screen. Home and End move the playhead
# and start nothing, F1 opens the help, PgDn selects a task; an SGR mouse
# report written into the pane selects the task under it (a second click
# shows its details), a click on a strategy's name runs it. A config file's
# key remap and first strategy take effect. < 60 s.
#
# usage: bash tests/e2e/keys-mouse.sh path/to/schedlab
set -u
bin=$(realpath "${1:?usage: keys-mouse.sh path/to/schedlab}")
. "$(dirname "$0")/lib/need.sh"
need tmux
sock="schedlab-keys-$$"
tmp=$(mktemp -d)
. "$(dirname "$0")/lib/tmux.sh"
start=$SECONDS

header() { screen | head -1; }
# The playhead in the header: "t=NOW / END".
playhead() { header | grep -oE 't=[^ ]+ / [^ ]+'; }
# Press and release of the left button at 1-based column x, row y (SGR).
click() {
    tm send-keys -t e2e -l "$(printf '\033[<0;%d;%dM' "$1" "$2")"
    tm send-keys -t e2e -l "$(printf '\033[<0;%d;%dm' "$1" "$2")"
}
# 1-based row and column of the first occurrence of a text on screen.
where() {
    screen | awk -v s="$1" '{ i = index($0, s); if (i) { print NR, i; exit } }'
}

# The TUI drew, and its first run ended and was played back to its end at
# the lecture pace (the badge reads ENDED).
started_and_ended() {
    wait_for 'Timeline' 15 || fail "$1: the TUI did not draw"
    wait_for 'ENDED' 45 || fail "$1: the run did not end"
    keys Escape # the lesson's caption box, shown on opening
    sleep 0.3
}

# One finished run, then the ends of the playback, under a TERM.
ends_under() {
    local term=$1
    tm new-session -d -s e2e -x 120 -y 40 \
        "TERM=$term LANG=C.UTF-8 '$bin' tui io-download -s threads; sleep 120"
    started_and_ended "TERM=$term"
    local end
    end=$(playhead | sed 's/.* \/ //')
    keys Home
    wait_for "t=0s / $end" 5 || fail "TERM=$term: Home did not move the playhead to 0"
    keys End
    wait_for "t=$end / $end" 5 || fail "TERM=$term: End did not move the playhead to the end"
    sleep 0.5
    header | grep -q 'threads' || fail "TERM=$term: Home/End switched strategy"
    header | grep -qE 'LIVE|starting' && fail "TERM=$term: Home/End started a run"
    screen | grep -qE '^\s*[0-9]+\.?\s*$' && fail "TERM=$term: stray characters on screen"
    keys F1
    wait_for 'Help: keys' 5 || fail "TERM=$term: F1 did not open the help"
    keys Escape
    sleep 0.3
    keys PageDown Enter
    wait_for 'Task page-' 5 || fail "TERM=$term: PgDn did not select a task"
    keys Escape
    tm kill-session -t e2e
}

ends_under xterm-256color
ends_under screen

# The mouse (xterm-256color: SGR reports).
tm new-session -d -s e2e -x 120 -y 40 \
    "TERM=xterm-256color LANG=C.UTF-8 '$bin' tui io-download -s threads; sleep 120"
started_and_ended "mouse"
read -r row col < <(where 'page-03')
[[ -n "${row:-}" ]] || fail "no page-03 row to click"
click $((col + 1)) "$row"
sleep 0.4
click $((col + 1)) "$row"
wait_for 'Task page-03' 5 || fail "two clicks on page-03 did not select it and show its details"
click 2 2 # any click closes the details
sleep 0.4
screen | grep -q 'Task page-03' && fail "a click did not close the details"
read -r row col < <(where 'coroutines')
[[ "$row" == 2 ]] || fail "no strategy line with coroutines (row ${row:-none})"
click $((col + 2)) "$row"
wait_for '^ schedlab .*coroutines' 10 || fail "a click on coroutines did not run it"

keys q
sleep 0.5
tm kill-session -t e2e

# The config file: its [keys] remap acts on typed keys (Z opens the help, as
# ? does, and the help lists it) and its [start] strategy is the first run's.
mkdir -p "$tmp/cfg/schedlab"
printf '[start]\nstrategy = coroutines\n[view]\ntheme = projector\n[keys]\nZ = ?\n' \
    >"$tmp/cfg/schedlab/config.ini"
tm new-session -d -s e2e -x 120 -y 40 \
    "XDG_CONFIG_HOME='$tmp/cfg' LANG=C.UTF-8 '$bin' tui io-fast-few; sleep 120"
wait_for 'Timeline' 15 || fail "config: the TUI did not draw"
header | grep -q 'coroutines' || fail "config: the first run is not the configured strategy"
keys Escape
sleep 0.3
keys Z
wait_for 'Help: keys' 5 || fail "config: the remapped Z did not open the help"
screen | grep -qE 'Z +acts as \?: ' || fail "config: the help does not list the remap Z = ?"
keys Escape
keys q
echo "ok: keys and mouse e2e in $((SECONDS - start)) s"

#!/usr/bin/env bash
# suspend.sh - Ctrl-Z and fg in the TUI, as a user does them from a shell
# with job control, in a detached tmux (100x30, private socket): once plain
# and once while recording (`--record`, where the TUI owns the terminal's
# modes itself). Ctrl-Z must give the shell back a usable terminal (no
# alternate screen, echo and canonical mode on), fg must bring the TUI back
# answering keys, and the recording must stay a valid cast. < 60 s.
#
# usage: bash tests/e2e/suspend.sh path/to/schedlab
set -u
bin=$(realpath "${1:?usage: suspend.sh path/to/schedlab}")
. "$(dirname "$0")/lib/need.sh"
need tmux python3
sock="schedlab-e2e-susp-$$"
tmp=$(mktemp -d)
. "$(dirname "$0")/lib/tmux.sh"
start=$SECONDS

# One round: start the TUI with extra arguments, stop it, look at the
# shell's terminal, continue it, quit it.
round() {
    local what=$1
    shift
    rm -f "$tmp/rc" "$tmp/stty"
    # The TUI is the shell's own child, as a user starts it: a wrapping
    # shell would be reported stopped before the TUI had left its screen.
    keys "clear; LANG=C.UTF-8 '$bin' tui io-download -s threads $*" Enter
    wait_for 'Timeline' 15 || fail "$what: the TUI did not draw its timeline"
    keys C-z
    wait_for 'Stopped' 5 || fail "$what: Ctrl-Z did not stop the TUI"
    ! alternate_on ||
        fail "$what: still on the alternate screen after Ctrl-Z"
    keys "stty -a > '$tmp/stty'" Enter
    for ((i = 0; i < 50; i++)); do
        [[ -s "$tmp/stty" ]] && break
        sleep 0.1
    done
    grep -qE '(^| )-echo( |$)' "$tmp/stty" && fail "$what: echo left off after Ctrl-Z"
    grep -qE '(^| )-icanon( |$)' "$tmp/stty" && fail "$what: canonical mode left off after Ctrl-Z"
    keys "clear; fg" Enter
    wait_for 'Timeline' 10 || fail "$what: fg did not bring the TUI back"
    keys '?'
    wait_for 'Help: keys' 5 || fail "$what: keys are not read after fg"
    keys Escape
    sleep 0.3 # ESC and q sent as one burst would read as Alt-q
    keys q
    for ((i = 0; i < 100; i++)); do
        ! alternate_on && break
        sleep 0.1
    done
    sleep 0.3
    # The shell has the terminal again: fg's status is the job's exit code.
    keys "echo \$? > '$tmp/rc'" Enter
    for ((i = 0; i < 100; i++)); do
        [[ -s "$tmp/rc" ]] && break
        sleep 0.1
    done
    [[ -s "$tmp/rc" ]] || fail "$what: q did not quit after fg"
    [[ "$(cat "$tmp/rc")" == 0 ]] || fail "$what: exit code $(cat "$tmp/rc"), expected 0"
}

tm new-session -d -s e2e -x 100 -y 30 "bash --norc --noprofile -i"
sleep 0.5
round plain
round recording --record "$tmp/s.cast"

# The cast: a header, then events in time order, ending off the alternate
# screen; the suspension itself is not in it.
python3 - "$tmp/s.cast" <<'EOF' || fail "the cast of a suspended session is not valid"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
head = json.loads(lines[0])
assert head["version"] == 2 and head["width"] == 100 and head["height"] == 30, head
last = 0.0
for line in lines[1:]:
    t, kind, data = json.loads(line)
    assert t >= last and kind in ("o", "r"), line
    last = t
assert "Stopped" not in "".join(json.loads(l)[2] for l in lines[1:])
assert json.loads(lines[-1])[2].find("\x1b[?1049l") >= 0, lines[-1]
EOF
echo "ok: suspend e2e in $((SECONDS - start)) s"

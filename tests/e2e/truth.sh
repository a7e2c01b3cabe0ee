#!/usr/bin/env bash
# truth.sh - the TUI tells what happened, at a pace a class can follow,
# driven in a detached tmux (private socket): a paused screen's header and
# timeline stay identical for 2 s while a live run goes on underneath (and
# the badge says so), End goes back to live, a run followed to its end
# reads ENDED; compare mode shows its progress, never a recommendation, until its
# last run has finished. Needs no terminal of its own; < 90 s.
#
# usage: bash tests/e2e/truth.sh path/to/schedlab
set -u
bin=$(realpath "${1:?usage: truth.sh path/to/schedlab}")
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 0; }
sock="schedlab-truth-$$"
tmp=$(mktemp -d)
. "$(dirname "$0")/lib/tmux.sh"
start=$SECONDS

# The header and the timeline panel: everything above the lists.
picture() { screen | sed '/Running /,$d'; }

# sequential on io-slow-many runs for minutes: a pause is always inside it.
tm new-session -d -s e2e -x 80 -y 24 \
    "LANG=C.UTF-8 '$bin' tui io-slow-many -s sequential; sleep 120"
wait_for 'Timeline' 15 || fail "the TUI did not draw its timeline"
screen | head -1 | grep -q 'pace 15s' || fail "the header does not show the lecture pace"
keys End
wait_for ' LIVE ' 10 || fail "End did not follow the live run"
sleep 1
keys Space
wait_for 'PAUSED . run goes on' 5 || fail "a pause during a live run does not say the run goes on"
sleep 0.3
a=$(picture)
sleep 2
b=$(picture)
[[ -n "$a" && "$a" == "$b" ]] || {
    diff <(echo "$a") <(echo "$b")
    fail "the paused picture moved while the run went on"
}
screen | grep -q 'PAUSED . run goes on' || fail "the run ended within 2 s: nothing was tested"
keys End
wait_for ' LIVE ' 5 || fail "End did not go back to the live run"
tm kill-session -t e2e

# A short run, followed live to its end, reads ENDED.
tm new-session -d -s e2e -x 80 -y 24 \
    "LANG=C.UTF-8 '$bin' tui io-download -s threads; sleep 120"
wait_for 'Timeline' 15 || fail "the TUI did not draw its timeline"
keys End
wait_for ' ENDED ' 30 || fail "the finished run does not read ENDED"
screen | grep -q 'PAUSED' && fail "a run that ended by itself reads PAUSED"
tm kill-session -t e2e

# Compare mode: progress while the strategies run, the verdict only after.
tm new-session -d -s e2e -x 120 -y 40 \
    "LANG=C.UTF-8 '$bin' tui io-fast-few -s threads; sleep 120"
wait_for 'Timeline' 15 || fail "the TUI did not draw its timeline"
keys c
progress=0
for ((i = 0; i < 600; i++)); do
    s=$(screen)
    if grep -q 'RUNNING' <<<"$s"; then
        grep -q 'recommended' <<<"$s" && fail "a recommendation before the last compare run"
        grep -qE '[0-9]+ of [0-9]+ strategies have run' <<<"$s" && progress=1
    elif grep -q 'recommended: ' <<<"$s"; then
        break
    fi
    sleep 0.1
done
((progress)) || fail "compare mode never showed its progress"
screen | grep -q 'recommended: ' || fail "compare mode gave no recommendation after its last run"
screen | grep -q 'switches OS ' || fail "compare lanes do not count the kernel's switches"
echo "ok: truth e2e in $((SECONDS - start)) s"

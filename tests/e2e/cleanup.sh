#!/usr/bin/env bash
# The tmux helpers' cleanup leaves nothing behind, even a TUI that a test
# stopped with Ctrl-Z and then failed before resuming: a scratch test sources
# the helpers, suspends the TUI in a job-control shell, exits, and no process
# of its pane may remain.
set -u
bin=${1:?usage: cleanup.sh path/to/schedlab}
out=$(mktemp)
below() { # PID and its descendants
    local child
    for child in $(pgrep -P "$1"); do below "$child"; done
    echo "$1"
}
alive() { # true while PID exists and is not a zombie waiting to be reaped
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ "$st" != Z* ]]
}
trap 'rm -f "$out"' EXIT
(
    sock=sl-e2e-cleanup-$$
    tmp=$(mktemp -d)
    . "$(dirname "$0")/lib/tmux.sh"
    tm new-session -d -s e2e -x 100 -y 30 "sh -i"
    tm set-option -t e2e remain-on-exit off
    keys "'$bin'" Enter
    wait_for 'Timeline' 20 || fail "the TUI did not start"
    keys C-z
    wait_for 'Stopped|stopped' 10 || fail "the TUI did not stop on Ctrl-Z"
    below "$(tm list-panes -a -F '#{pane_pid}')" >"$out"
    exit 1 # a test failing mid-way: the EXIT trap cleans up
)
sleep 0.5
left=0
while read -r pid; do
    [ -n "$pid" ] && alive "$pid" && left=$((left + 1)) && ps -o pid,stat,cmd -p "$pid"
done <"$out"
n=$(wc -l <"$out")
if [ "$n" -ge 2 ] && [ "$left" = 0 ]; then
    echo "cleanup: $n processes of the pane, none left"
else
    echo "FAIL: $left of $n processes of the pane left behind"
    exit 1
fi

#!/usr/bin/env bash
# The tmux helpers' cleanup leaves nothing behind when a test fails mid-way
# while the TUI is stopped. A scratch test sources the helpers, starts the
# TUI, stops it, exits with a failure, and no process of its pane may remain.
# Two ways a TUI is stopped:
#  - jobctl: Ctrl-Z in a job-control shell (the shell, hung up, sends the job
#    SIGHUP and SIGCONT);
#  - frozen: the TUI run as the pane's own command with every process of it
#    stopped (SIGSTOP, as a debugger or a frozen screen leaves it). tmux
#    continues the pane's own process, but not the forkserver below it, in a
#    process group of its own: killing the tmux server alone left that
#    process stopped for ever.
set -u
bin=${1:?usage: cleanup.sh path/to/schedlab}
. "$(dirname "$0")/lib/need.sh"
need tmux
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
failed=0
round() { # jobctl|frozen
    local how=$1
    : >"$out"
    (
        sock=sl-e2e-cleanup-$how-$$
        tmp=$(mktemp -d)
        . "$(dirname "$0")/lib/tmux.sh"
        if [ "$how" = jobctl ]; then
            tm new-session -d -s e2e -x 100 -y 30 "sh -i"
            tm set-option -t e2e remain-on-exit off
            keys "'$bin'" Enter
            wait_for 'Timeline' 20 || fail "$how: the TUI did not start"
            keys C-z
            wait_for 'Stopped|stopped' 10 || fail "$how: the TUI did not stop on Ctrl-Z"
        else
            tm new-session -d -s e2e -x 100 -y 30 "'$bin'"
            wait_for 'Timeline' 20 || fail "$how: the TUI did not start"
            # The forkserver starts with the TUI; wait for it to be there.
            for ((i = 0; i < 50; i++)); do
                [ "$(below "$(tm list-panes -a -F '#{pane_pid}')" | wc -l)" -ge 2 ] && break
                sleep 0.1
            done
            kill -STOP $(below "$(tm list-panes -a -F '#{pane_pid}')")
            sleep 0.3
        fi
        below "$(tm list-panes -a -F '#{pane_pid}')" >"$out"
        exit 1 # a test failing mid-way: the EXIT trap cleans up
    )
    sleep 2
    local left=0 pid
    while read -r pid; do
        [ -n "$pid" ] && alive "$pid" && left=$((left + 1)) && ps -o pid,stat,cmd -p "$pid" |
            tail -n +2 && kill -KILL "$pid" # ours: do not leave it to the machine
    done <"$out"
    local n
    n=$(wc -l <"$out")
    if [ "$n" -ge 2 ] && [ "$left" = 0 ]; then
        echo "cleanup $how: $n processes of the pane, none left"
    else
        echo "FAIL: cleanup $how: $left of $n processes of the pane left behind"
        failed=1
    fi
}
round jobctl
round frozen
exit "$failed"

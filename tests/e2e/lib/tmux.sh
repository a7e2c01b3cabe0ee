# tmux.sh - what the tmux-driven e2e tests share, sourced after they set
# `sock` (a private tmux socket name) and `tmp` (their scratch directory).
# The session is always named e2e.
#
#   tm ARGS...          tmux on the private socket, without any user config
#   screen              the pane's text now
#   fail MESSAGE        print it and the screen, exit 1
#   wait_for RE SECS    until the screen matches RE (grep -E); false if not
#   keys KEYS...        send-keys to the session
#   alternate_on        true while the pane shows the alternate screen
# An EXIT trap kills what runs in the panes (a stopped TUI too: SIGCONT,
# then SIGKILL), then the tmux server, and removes $tmp.
export TERM=xterm-256color
tm() { tmux -L "$sock" -f /dev/null "$@"; }
# The process PID and all its descendants, deepest first.
tree() {
    local child
    for child in $(pgrep -P "$1"); do tree "$child"; done
    echo "$1"
}
cleanup() {
    local pane pids=()
    for pane in $(tm list-panes -a -F '#{pane_pid}' 2>/dev/null); do
        pids+=($(tree "$pane"))
    done
    if [ "${#pids[@]}" -gt 0 ]; then
        # A stopped process ignores SIGHUP from the closing pane until it is
        # continued; SIGKILL needs no continuing, but SIGCONT lets it go too.
        kill -KILL "${pids[@]}" 2>/dev/null
        kill -CONT "${pids[@]}" 2>/dev/null
    fi
    tm kill-server 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
screen() { tm capture-pane -p -t e2e; }
fail() {
    echo "FAIL: $*"
    echo "---- screen ----"
    screen
    exit 1
}
wait_for() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
keys() { tm send-keys -t e2e "$@"; }
alternate_on() { [[ "$(tm display -p -t e2e '#{alternate_on}')" == 1 ]]; }

#!/usr/bin/env bash
# End-to-end checks of the headless commands, as a user types them:
# help and version, list, check (good and bad files), run in every format,
# traces, exit codes, Ctrl-C during a run under each start method (partial
# results, no orphans), a SIGKILLed app leaving no worker, and serve.
set -u
bin=${1:?usage: cli.sh path/to/schedlab}
. "$(dirname "$0")/lib/need.sh"
need python3
. "$(dirname "$0")/lib/tally.sh"
expect_code() { # expected-code description command...
  local want=$1 what=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "$what: exit $got, want $want"; cat "$tmp/err"; fi
}
expect_text() { # file pattern description
  if grep -qE -- "$2" "$1"; then ok; else bad "$3: no /$2/ in:"; head -20 "$1"; fi
}

expect_code 0 "--version" "$bin" --version
expect_text "$tmp/out" '^schedlab [0-9]+\.[0-9]+' "version line"
expect_code 0 "--help" "$bin" --help
expect_text "$tmp/out" 'run +run a scenario' "help lists run"
for cmd in run check list bench tui replay export record; do
  expect_code 0 "$cmd --help" "$bin" "$cmd" --help
  expect_text "$tmp/out" "usage: schedlab $cmd" "$cmd --help usage line"
done
expect_code 2 "unknown command" "$bin" frobnicate
expect_text "$tmp/err" "unknown command 'frobnicate'" "unknown command message"

expect_code 0 "list" "$bin" list
expect_text "$tmp/out" 'io-download' "list shows the default lesson"
expect_text "$tmp/out" 'coroutines' "list shows strategies"

expect_code 0 "check io-download" "$bin" check io-download
expect_text "$tmp/out" '20' "check summary counts the tasks"

printf '[lesson]\ntitle = t\ncaption = c\n[group g]\ncount = 2\nstep = iox 10ms\n' >"$tmp/bad.ini"
expect_code 2 "check bad.ini" "$bin" check "$tmp/bad.ini"
expect_text "$tmp/err" "bad.ini:6: .*iox" "error names file, line and the bad step"
expect_code 2 "run bad.ini" "$bin" run "$tmp/bad.ini"
expect_code 2 "missing scenario" "$bin" check "$tmp/nope.ini"

cat >"$tmp/small.ini" <<'INI'
[lesson]
title = Small mixed lesson
caption = A few tasks that compute, wait for the network and sleep.
[run]
seed = 3
workers = 2
[group t]
count = 4
step = cpu 5ms
step = io 30ms 2k
step = sleep 5ms
INI
expect_code 2 "unknown strategy" "$bin" run "$tmp/small.ini" -s bogus
expect_text "$tmp/err" "unknown strategy 'bogus'" "unknown strategy message"

expect_code 0 "run all, table" "$bin" run "$tmp/small.ini" -s all
for s in sequential threads threadpool interpreters processes procpool coroutines gil work-stealing; do
  expect_text "$tmp/out" "^$s " "table row for $s"
done
expect_text "$tmp/out" ' 4/0/0/0$' "all tasks done, none failed, cancelled or not started"
expect_text "$tmp/out" "^runtime: CPython, and Go or tokio without a GIL" "all: work-stealing's runtime named beside CPython's"
expect_code 0 "run python strategies" "$bin" run "$tmp/small.ini" -s threads,procpool
expect_text "$tmp/out" "^runtime: CPython, GIL$" "the runtime: the GIL on by default"

expect_code 0 "run with the GIL off" "$bin" run "$tmp/small.ini" -s threads,threads:gil --gil off
expect_text "$tmp/out" "^runtime: CPython with the GIL on and off" "a report of two runtimes"
expect_text "$tmp/out" "^threads +off " "threads without a GIL"
expect_text "$tmp/out" "^threads:gil +on " "threads:gil keeps the GIL"
expect_code 2 "bad --gil" "$bin" run "$tmp/small.ini" --gil maybe
expect_text "$tmp/err" "--gil must be on or off, not 'maybe'" "bad --gil message"

expect_code 0 "run json" "$bin" run "$tmp/small.ini" -s sequential,coroutines --format json
if python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scenario"] == "small" and d["machine"]["cores"] >= 1
runs = d["runs"]
assert [r["strategy"] for r in runs] == ["sequential", "coroutines"]
for r in runs:
    for k in ("workers", "tasks", "completed", "failed", "wall_ms", "cpu_ms", "speedup",
              "max_cores", "ready_ms_mean", "peak_rss_kb", "events", "dropped_events",
              "lost_updates"):
        assert k in r, k
    assert set(r["switches"]) >= {"voluntary", "involuntary", "coroutine", "gil"}
    assert r["completed"] == 4 and r["failed"] == 0 and r["events"] > 0
assert runs[0]["speedup"] == 1.0
assert runs[1]["switches"]["coroutine"] > 0
PY
then ok; else bad "json shape"; cat "$tmp/out"; fi

# bench --json: every key issues 2 and 10 name, each a measured positive number.
expect_code 0 "bench json" "$bin" bench --json
if python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("hook_ns", "clock_ns", "coroutine_switch_ns", "thread_switch_ns", "process_switch_ns",
          "coroutine_create_ns", "thread_create_ns", "process_create_forkserver_ns",
          "process_create_spawn_ns",
          "collector_events_per_s", "counter_read_ns", "hook_to_counter_ratio",
          "collector_single_ring_events_per_s", "fold_events_per_s", "tui_frame_us",
          "tui_first_frame_1m_ms", "tui_seek_1m_ms", "tui_frame_1m_us"):
    assert isinstance(d[k], (int, float)) and d[k] > 0, (k, d.get(k))
# a coroutine switch is far cheaper than a thread's: the lesson the table shows
assert d["thread_switch_ns"] > 5 * d["coroutine_switch_ns"], d
PY
then ok; else bad "bench json shape"; cat "$tmp/out"; fi

expect_code 0 "run csv" "$bin" run "$tmp/small.ini" -s threads --format csv
expect_text "$tmp/out" '^scenario,strategy,workers' "csv header"
expect_text "$tmp/out" '^small,threads,' "csv row"

expect_code 0 "run with traces" "$bin" run "$tmp/small.ini" -s threads,gil --trace "$tmp/t.sltrace"
[ -s "$tmp/t-threads.sltrace" ] && [ -s "$tmp/t-gil.sltrace" ] && ok || bad "one trace per strategy"
head -c 100 "$tmp/t-threads.sltrace" >"$tmp/cut.sltrace"
expect_code 2 "replay of a truncated trace" "$bin" replay "$tmp/cut.sltrace"
expect_text "$tmp/err" 'truncat|corrupt' "truncated trace named as such"
# -s means nothing for a replay: refused, never silently dropped.
expect_code 2 "replay -s" "$bin" replay "$tmp/t-threads.sltrace" -s gil --demo io-fast-few \
  -o "$tmp/r.cast"
expect_text "$tmp/err" "^schedlab replay: -s does not apply: a trace replays the strategy it recorded" \
  "replay -s names why"
[ ! -e "$tmp/r.cast" ] && ok || bad "replay -s still recorded a cast"

# Ctrl-C in the middle of a long run: partial results, exit 130, no orphans.
cat >"$tmp/long.ini" <<'INI'
[lesson]
title = Long
caption = Sleeps for a long time.
[group s]
count = 3
step = sleep 30s
INI
# The app's children and theirs (a forkserver that cannot clone its workers
# as the app's children forks them: they are then grandchildren).
descendants() {
    for c in $(pgrep -P "$1"); do echo "$c"; pgrep -P "$c"; done
}
# Live (not a zombie: whoever adopted a dead one may reap it late).
alive() {
    [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
shm_before=$(ls /dev/shm | wc -l)
for method in forkserver spawn; do
    "$bin" run "$tmp/long.ini" -s processes --start "$method" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    sleep 2
    kid_pids=$(descendants "$pid")
    kids=$(echo "$kid_pids" | grep -c .)
    kill -INT "$pid"
    wait "$pid"; code=$?
    [ "$code" = 130 ] && ok || bad "$method: SIGINT exit code $code, want 130"
    [ "$kids" -ge 3 ] && ok || bad "$method: expected 3 worker processes before SIGINT, saw $kids"
    expect_text "$tmp/err" 'interrupted' "$method: interrupted message"
    expect_text "$tmp/out" '^processes ' "$method: partial results printed"
    sleep 0.5
    left=0
    for k in $kid_pids; do kill -0 "$k" 2>/dev/null && left=$((left + 1)); done
    [ "$left" = 0 ] && ok || bad "$method: $left worker processes left after SIGINT"

    # SIGKILL gives the app no chance to stop anything: its workers (and the
    # forkserver) die with it all the same, and no shared memory is left.
    "$bin" run "$tmp/long.ini" -s procpool --start "$method" >/dev/null 2>&1 &
    pid=$!
    sleep 2
    kid_pids=$(descendants "$pid")
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    sleep 0.5
    left=0
    for k in $kid_pids; do alive "$k" && left=$((left + 1)); done
    [ -n "$kid_pids" ] && [ "$left" = 0 ] && ok || bad "$method: $left processes outlived a SIGKILLed app"
done
[ "$(ls /dev/shm | wc -l)" = "$shm_before" ] && ok || bad "shared memory left in /dev/shm"
expect_code 2 "run --start fork" "$bin" run "$tmp/long.ini" --start fork
expect_text "$tmp/err" 'forking a multi-threaded process is unsafe' "fork refused with the reason"

# serve: the latency server alone answers an io request, and stops on SIGINT.
"$bin" serve >"$tmp/serve" 2>&1 &
pid=$!
sleep 0.5
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/serve")
got=$(python3 -c "import urllib.request,sys; print(len(urllib.request.urlopen('http://127.0.0.2:$port/io?delay_us=1000&bytes=3000').read()))" 2>&1)
[ "$got" = 3000 ] && ok || bad "serve answered '$got', want 3000 bytes"
kill -INT "$pid"
wait "$pid"; code=$?
[ "$code" = 0 ] && ok || bad "serve exit code $code after SIGINT, want 0"
expect_text "$tmp/serve" '1 requests' "serve counts its requests"
expect_code 2 "serve --port 0" "$bin" serve --port 0

tally cli

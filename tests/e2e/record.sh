#!/usr/bin/env bash
# record.sh - `schedlab record` without a terminal, as CI runs it: a shipped
# lesson recorded with its demo in under 60 s into a valid asciicast v2 file
# (python3's json module reads every line; header fields; times never go
# back; 16 colours only), a saved trace recorded twice giving the same
# bytes, the same trace as asciicast v3 (term header, intervals, a marker
# at the say), a config file's projector theme (nothing dim) recorded in
# spite of a broken line reported with its file and line, record --html
# (a v3 cast and its page), and a broken demo refused with its file and line.
#
# usage: bash tests/e2e/record.sh path/to/schedlab
set -u
bin=$(realpath "${1:?usage: record.sh path/to/schedlab}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}
. "$(dirname "$0")/lib/need.sh"
need python3
start=$SECONDS

# check_cast FILE COLS ROWS: every line JSON, the header, ordered times.
check_cast() {
    python3 - "$@" <<'EOF' || fail "$1 is not a valid asciicast v2 file"
import json, sys
path, cols, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, encoding="utf-8") as f:
    lines = f.read().splitlines()
head = json.loads(lines[0])
assert head["version"] == 2, head
assert head["width"] == cols and head["height"] == rows, head
assert isinstance(head["timestamp"], int), head
assert head["title"], head
assert head["env"]["TERM"] == "xterm-256color" and head["env"]["SHELL"], head
prev, out = 0.0, []
for n, line in enumerate(lines[1:], 2):
    t, kind, data = json.loads(line)
    assert t >= prev, f"line {n}: time {t} before {prev}"
    assert kind in ("o", "r"), f"line {n}: kind {kind}"
    prev = t
    if kind == "o":
        out.append(data)
text = "".join(out)
assert len(lines) > 5, "too few events"
assert "38;5;" not in text and "48;5;" not in text, "256-colour sequences"
print(f"{path}: {len(lines) - 1} events, {prev:.1f} s")
EOF
}

# A shipped lesson with its own demo, in CI conditions: no tty, C locale.
t0=$SECONDS
LANG=C LC_ALL= TERM=dumb "$bin" record io-fast-few -o "$tmp/lesson.cast" --size 100x30 \
    </dev/null >"$tmp/out" 2>"$tmp/err" || fail "record failed: $(cat "$tmp/err")"
((SECONDS - t0 < 60)) || fail "recording took $((SECONDS - t0)) s"
grep -q 'lesson.cast: ' "$tmp/out" || fail "no summary: $(cat "$tmp/out")"
check_cast "$tmp/lesson.cast" 100 30
grep -q 'io-bound, few fast waits' "$tmp/lesson.cast" || fail "the lesson's title is not on screen"
grep -q '█' "$tmp/lesson.cast" || fail "a C locale must still record UTF-8 glyphs"

# A saved trace: recorded twice, the same bytes.
"$bin" run io-fast-few -s threads --trace "$tmp/run.trace" >/dev/null 2>&1 ||
    fail "could not save a trace"
cat >"$tmp/replay.demo" <<'EOF'
say A saved run, replayed.
run
until-done
key Home Right Right Right
wait 1s
EOF
for n in 1 2; do
    "$bin" replay "$tmp/run.trace" --demo "$tmp/replay.demo" -o "$tmp/replay$n.cast" \
        --idle-limit 1 </dev/null >/dev/null 2>"$tmp/err" || fail "replay record: $(cat "$tmp/err")"
done
check_cast "$tmp/replay1.cast" 120 40
cmp -s "$tmp/replay1.cast" "$tmp/replay2.cast" || fail "two recordings of one trace differ"

# --cast-format v3: asciinema 3.0's header and intervals, a marker at the say.
"$bin" replay "$tmp/run.trace" --demo "$tmp/replay.demo" -o "$tmp/replay3.cast" \
    --idle-limit 1 --cast-format v3 </dev/null >/dev/null 2>"$tmp/err" || fail "v3 record: $(cat "$tmp/err")"
python3 - "$tmp/replay3.cast" "$tmp/replay1.cast" <<'EOF' || fail "not a v3 cast with a marker"
import json, sys
v3 = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
v2 = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
head = v3[0]
assert head["version"] == 3 and head["term"] == {"cols": 120, "rows": 40, "type": "xterm-256color"}, head
assert all(ev[0] >= 0 for ev in v3[1:]), "a negative interval"
marks = [ev[2] for ev in v3[1:] if ev[1] == "m"]
assert marks == ["A saved run, replayed."], marks
# The intervals add up to the v2 cast's length; the output is the same.
assert abs(sum(ev[0] for ev in v3[1:]) - v2[-1][0]) < 1e-4
assert "".join(e[2] for e in v3[1:] if e[1] == "o") == "".join(e[2] for e in v2[1:] if e[1] == "o")
EOF
"$bin" record io-fast-few -o "$tmp/x.cast" --cast-format v4 2>"$tmp/err"
[[ $? == 2 ]] && grep -q 'takes v2' "$tmp/err" || fail "--cast-format v4 not refused: $(cat "$tmp/err")"

# Preferences: a projector theme from the config file; a broken line is
# reported with its file and line, and the recording is made all the same.
mkdir -p "$tmp/cfg/schedlab"
printf '[view]\ntheme = projector\nmouse = sometimes\n' >"$tmp/cfg/schedlab/config.ini"
XDG_CONFIG_HOME=$tmp/cfg "$bin" replay "$tmp/run.trace" --demo "$tmp/replay.demo" \
    -o "$tmp/projector.cast" </dev/null >/dev/null 2>"$tmp/err" ||
    fail "a broken config line stopped the recording: $(cat "$tmp/err")"
grep -qF "$tmp/cfg/schedlab/config.ini:3: mouse 'sometimes' is not on or off" "$tmp/err" ||
    fail "no file:line error: $(cat "$tmp/err")"
dim='\\u001b\[([0-9]+;)*2(;[0-9]+)*m' # SGR 2, faint, among any attributes
grep -qE "$dim" "$tmp/replay1.cast" || fail "the default theme draws nothing dim"
! grep -qE "$dim" "$tmp/projector.cast" || fail "the projector theme draws dim text"
XDG_CONFIG_HOME=$tmp/cfg SCHEDLAB_MOUSE=off "$bin" config --print --theme mono >"$tmp/out" \
    2>"$tmp/err" || fail "config --print failed"
grep -q '^theme *= mono *; flag --theme$' "$tmp/out" || fail "config --print: $(cat "$tmp/out")"
grep -q '^mouse *= off *; environment SCHEDLAB_MOUSE$' "$tmp/out" || fail "$(cat "$tmp/out")"

# record --html: the cast as v3 and a page with it, the timeline and numbers.
"$bin" record io-fast-few -o "$tmp/page.cast" --html "$tmp/page.html" </dev/null >"$tmp/out" \
    2>"$tmp/err" || fail "record --html: $(cat "$tmp/err")"
head -c 20 "$tmp/page.cast" | grep -q '"version": 3' || fail "record --html wrote no v3 cast"
grep -q '"m", "Four clients' "$tmp/page.cast" || fail "no marker at the demo's first say"
grep -q 'AsciinemaPlayer' "$tmp/page.html" && grep -q '<svg' "$tmp/page.html" &&
    grep -q 'wall time' "$tmp/page.html" || fail "the page lacks the player, timeline or numbers"
"$bin" record io-fast-few -o "$tmp/x.cast" --cast-format v2 --html "$tmp/x.html" 2>"$tmp/err"
[[ $? == 2 ]] && grep -q 'needs --cast-format v3' "$tmp/err" || fail "--html with v2 not refused"

# Errors name the file and the line; nothing is written.
printf 'lesson io-fast-few\nwiat 2s\n' >"$tmp/bad.demo"
"$bin" record --demo "$tmp/bad.demo" -o "$tmp/bad.cast" 2>"$tmp/err"
rc=$?
[[ $rc == 2 ]] || fail "a bad demo gave exit $rc, expected 2"
grep -qF "$tmp/bad.demo:2: unknown command 'wiat'" "$tmp/err" || fail "error: $(cat "$tmp/err")"
[[ ! -e "$tmp/bad.cast" ]] || fail "a cast was written for a bad demo"
"$bin" record io-fast-few 2>/dev/null && fail "record without -o succeeded"
echo "ok: record e2e in $((SECONDS - start)) s"

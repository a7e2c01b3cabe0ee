#!/usr/bin/env bash
# html.sh - `schedlab export TRACE --html` in a real browser: headless
# Chromium (Debian's package, installed by .ci/install-deps) opens the page
# from disk with no network, asciinema-player starts on the embedded v3
# cast, plays to its first marker and pauses there; the page's DOM says so
# (body data-state, the status line, the marker's label) and shows the
# caption, the measured numbers and the SVG timeline, which a screenshot
# at 1280x1600 keeps in view. The page must load nothing from elsewhere.
#
# Skipped (77) only where Chromium is not installed and cannot be: under CI
# (CI=true) a missing Chromium is a failure.
#
# usage: bash tests/e2e/html.sh path/to/schedlab
set -u
bin=$(realpath "${1:?usage: html.sh path/to/schedlab}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
    [[ ${CI:-} == true ]] && fail "chromium is not installed (.ci/install-deps installs it)"
    echo "SKIP: chromium is not installed (.ci/install-deps installs it)"
    exit 77
fi
start=$SECONDS

"$bin" run io-fast-few -s threads --trace "$tmp/run.sltrace" >/dev/null 2>&1 ||
    fail "could not save a trace"
"$bin" export "$tmp/run.sltrace" --html "$tmp/page.html" 2>"$tmp/err" ||
    fail "export --html: $(cat "$tmp/err")"

# Self-contained: no script, style or picture fetched from anywhere.
grep -qiE '<(script|link|img)[^>]* (src|href)=' "$tmp/page.html" &&
    fail "the page loads something from elsewhere"
grep -q 'AsciinemaPlayer' "$tmp/page.html" || fail "the player is not embedded"
grep -q '"version": 3' "$tmp/page.html" || fail "the embedded cast is not asciicast v3"

# Headless, offline, from the file; virtual time lets the player play to
# its first marker (at 1 s) without waiting for it in real time.
run_browser() {
    timeout 90 "$browser" --headless=new --no-sandbox --disable-gpu --no-first-run \
        --disable-extensions --disable-background-networking --proxy-server='127.0.0.1:9' \
        --user-data-dir="$tmp/profile" --window-size=1280,1600 --virtual-time-budget=8000 \
        "$@" "file://$tmp/page.html" 2>>"$tmp/browser.log"
}
run_browser --dump-dom >"$tmp/dom.html" || fail "chromium failed: $(tail -5 "$tmp/browser.log")"
body=$(grep -o '<body[^>]*>' "$tmp/dom.html")
[[ $body == *'data-state="paused"'* ]] || fail "the player did not pause: $body"
[[ $body == *'data-markers="1"'* ]] || fail "not paused at the first marker: $body"
[[ $body == *'data-marker="Few quick requests, under threads: watch the ready and waiting lists."'* ||
    $body == *'data-marker="'*', under threads: watch the ready and waiting lists."'* ]] ||
    fail "the marker is not the demo's first caption: $body"
[[ $body == *'data-marker-time="1"'* ]] || fail "the first marker is not at 1 s: $body"
[[ $body == *'data-timeline-shown="yes"'* ]] || fail "the timeline is not in view: $body"
grep -q 'id="status"[^>]*>Paused at: ' "$tmp/dom.html" || fail "the status line does not say so"
grep -q 'class="ap-player' "$tmp/dom.html" || fail "asciinema-player did not start"
grep -q 'id="measured"' "$tmp/dom.html" && grep -q 'wall time' "$tmp/dom.html" ||
    fail "no measured numbers"
grep -q 'id="caption"' "$tmp/dom.html" || fail "no lesson caption"
grep -q '<svg' "$tmp/dom.html" || fail "no timeline"

run_browser --screenshot="$tmp/page.png" >/dev/null || fail "no screenshot"
python3 - "$tmp/page.png" <<'EOF' || fail "the screenshot is not a 1280x1600 PNG"
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1280, 1600), (w, h)
EOF
# The screenshot is kept for a person to look at (ctest sets the folder).
shot=${SCHEDLAB_ARTIFACTS:-$tmp}/html-page.png
mkdir -p "$(dirname "$shot")" && cp "$tmp/page.png" "$shot"
echo "ok: html page in chromium in $((SECONDS - start)) s (screenshot: $shot)"

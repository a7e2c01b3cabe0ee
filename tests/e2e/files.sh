#!/usr/bin/env bash
# End-to-end checks of what schedlab reads and writes, as a user meets them:
# devices, FIFOs, directories and unreadable files given as input are refused
# at once with what they are; outputs never replace a device and a failed
# write exits non-zero naming the file and the cause.
set -u
bin=${1:?usage: files.sh path/to/schedlab}
. "$(dirname "$0")/lib/tally.sh"
# Runs a command with a time limit: 124 (timeout's code) means it hung.
expect_code() { # expected-code description command...
  local want=$1 what=$2; shift 2
  timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "$what: exit $got, want $want"; cat "$tmp/err"; fi
}
expect_text() { # file pattern description
  if grep -qE -- "$2" "$1"; then ok; else bad "$3: no /$2/ in:"; head -20 "$1"; fi
}
# As an unprivileged user, so that permissions apply even when run as root.
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
chmod 755 "$tmp"
mkfifo "$tmp/fifo"

# ---- inputs ----------------------------------------------------------------
expect_code 2 "check a directory" "$bin" check "$tmp"
expect_text "$tmp/err" "a directory, not a regular file" "check names a directory"
expect_code 2 "check /dev/zero" "$bin" check /dev/zero
expect_text "$tmp/err" "a character device, not a regular file" "check names a device"
expect_code 2 "check a FIFO (no writer: would block)" "$bin" check "$tmp/fifo"
expect_text "$tmp/err" "a FIFO, not a regular file" "check names a FIFO"
cp "$(dirname "$0")/../../assets/scenarios/io-fast-few.ini" "$tmp/locked.ini"
chmod 600 "$tmp/locked.ini"
expect_code 2 "check an unreadable lesson" "${as_user[@]}" "$bin" check "$tmp/locked.ini"
expect_text "$tmp/err" "locked.ini: cannot open: Permission denied" "unreadable says permission"

expect_code 2 "record --demo /dev/zero (was read forever)" \
  "$bin" record io-fast-few --demo /dev/zero -o "$tmp/x.cast"
expect_text "$tmp/err" "/dev/zero: a character device" "demo device refused"
expect_code 2 "record --demo FIFO" "$bin" record io-fast-few --demo "$tmp/fifo" -o "$tmp/x.cast"
expect_text "$tmp/err" "a FIFO, not a regular file" "demo FIFO refused"
printf 'wait 1s\n\0run\n' >"$tmp/nul.demo"
expect_code 2 "record a demo with a NUL byte" "$bin" record io-fast-few --demo "$tmp/nul.demo" \
  -o "$tmp/x.cast"
expect_text "$tmp/err" "^$tmp/nul.demo: byte 8 is a NUL byte: a demo is a text file\$" \
  "NUL byte named, nothing uninitialised"

expect_code 2 "export a FIFO as trace" "$bin" export "$tmp/fifo" --svg "$tmp/x.svg"
expect_text "$tmp/err" "a FIFO, not a regular file" "export names the FIFO"
expect_code 2 "replay a FIFO as trace" "$bin" replay "$tmp/fifo" --demo io-fast-few -o "$tmp/x.cast"
expect_text "$tmp/err" "a FIFO, not a regular file" "replay names the FIFO"

# ---- outputs ---------------------------------------------------------------
expect_code 1 "trace to /dev/full" "$bin" run io-fast-few -s threads --trace /dev/full
expect_text "$tmp/err" "/dev/full.*No space left on device" "full device named with its cause"
if [ -c /dev/full ]; then ok; else bad "/dev/full is no longer a character device"; fi
expect_code 0 "trace to /dev/null" "$bin" run io-fast-few -s threads --trace /dev/null
if [ -c /dev/null ]; then ok; else bad "/dev/null is no longer a character device"; fi

mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
expect_code 1 "trace into a read-only directory" \
  "${as_user[@]}" "$bin" run io-fast-few -s threads --trace "$tmp/ro/t.sltrace"
expect_text "$tmp/err" "ro/t.sltrace: Permission denied" "read-only directory says permission"

expect_code 0 "a trace to export" "$bin" run io-fast-few -s threads --trace "$tmp/t.sltrace"
# A trace from a newer schedlab: refused by version, naming the file.
cp "$tmp/t.sltrace" "$tmp/new.sltrace"
printf '\x09' | dd of="$tmp/new.sltrace" bs=1 seek=8 conv=notrunc status=none
expect_code 2 "export a newer trace version" "$bin" export "$tmp/new.sltrace" --svg "$tmp/x.svg"
expect_text "$tmp/err" "^$tmp/new.sltrace: unsupported file version 9 \(this schedlab reads up to 2\)\$" \
  "newer version named with the file"
expect_code 2 "replay a newer trace version" "$bin" replay "$tmp/new.sltrace" --demo io-fast-few \
  -o "$tmp/x.cast"
expect_text "$tmp/err" "new.sltrace: unsupported file version 9" "replay names the version"
expect_code 1 "export to /dev/full" "$bin" export "$tmp/t.sltrace" --svg /dev/full
expect_text "$tmp/err" "/dev/full.*No space left on device" "export names the cause"
echo precious >"$tmp/keep.svg"
chmod 444 "$tmp/keep.svg"
expect_code 1 "export over a read-only file" \
  "${as_user[@]}" "$bin" export "$tmp/t.sltrace" --svg "$tmp/keep.svg"
expect_text "$tmp/err" "keep.svg: Permission denied" "read-only file says permission"
expect_text "$tmp/keep.svg" "^precious\$" "the refused file is untouched"
expect_code 1 "export into a directory" "$bin" export "$tmp/t.sltrace" --svg "$tmp/ro"
expect_text "$tmp/err" "is a directory: refused" "a directory is refused by name"
expect_code 1 "report to /dev/full" sh -c "'$bin' run io-fast-few -s threads >/dev/full"
expect_text "$tmp/err" "cannot write standard output: No space left on device" "stdout cause"
expect_code 1 "record to /dev/full" "$bin" record io-fast-few -s threads -o /dev/full
expect_text "$tmp/err" "cannot write /dev/full: no space left on device" "record names the cause"
leftovers=$(find "$tmp" -name '*.tmp.*' | wc -l)
if [ "$leftovers" = 0 ]; then ok; else bad "$leftovers temporary files left behind"; fi

tally files

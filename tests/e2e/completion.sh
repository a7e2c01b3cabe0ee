#!/usr/bin/env bash
# Checks the bash completion in assets/completion/schedlab: sources it, fills
# COMP_WORDS / COMP_CWORD as bash would for a command line, calls _schedlab
# and compares COMPREPLY (sorted) with what a user should be offered:
# commands, options, lessons, strategies (also inside a comma list and after
# --opt=), formats and trace files; with a binary that cannot run, the
# fallbacks (lesson files, the built-in strategy list). Last, each command's
# options as completed must be exactly those its --help prints.
set -u
bin=${1:?usage: completion.sh path/to/schedlab}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib/tally.sh"

# shellcheck source=/dev/null
source "$root/assets/completion/schedlab" || { echo "FAIL: cannot source the completion"; exit 1; }
if [ "$(complete -p schedlab 2>/dev/null)" = "complete -F _schedlab schedlab" ]; then ok; else
  bad "complete -F _schedlab schedlab is not registered"
fi

# complete WORD... : the words of the line, the last one being completed
# (give "" to complete after a space); prints the sorted COMPREPLY.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _schedlab schedlab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() { # "what" "expected words" word...
  local what=$1 want=$2 got
  shift 2
  got=$(complete_words "$@")
  if [ "$got" = "$want" ]; then ok; else bad "$what: got '$got', want '$want'"; fi
}

commands=$("$bin" --help | awk '/^commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }')
expect "commands starting with r" "$(printf '%s\n' "$commands" | grep '^r' | sort | tr '\n' ' ' | sed 's/ $//')" "$bin" r
expect "run among them" "run" "$bin" ru
expect "replay among them" "replay" "$bin" rep
expect "commands starting with e" "export" "$bin" e
expect "top-level options" "--version" "$bin" --v
expect "lesson name" "io-download" "$bin" run io-d
expect "lesson names for tui" "io-download io-fast-few io-slow-many io-vs-cpu" "$bin" tui io-
expect "lesson for check" "scale" "$bin" check sca
expect "strategy after -s" "coroutines" "$bin" run x -s co
expect "strategy after --strategy" "gil" "$bin" tui --strategy gi
expect "hybrid strategies" "async+procs async+subprocess async+threads" "$bin" tui -s async+
expect "all for run" "all" "$bin" run x -s al
expect "second item of a list" "threads,coroutines" "$bin" run x -s threads,co
expect "chosen items are not offered again" "threads,threadpool" "$bin" run x -s threads,thr
expect "formats" "csv json table verdict" "$bin" run x --format ""
expect "format after --format=" "json" "$bin" run x --format = j
expect "run options" "--tasks --trace" "$bin" run x --t
expect "options once the scenario is given" "--format" "$bin" run io-download -s threads --f
expect "export options" "--perfetto" "$bin" export t.sltrace --p
expect "bench options" "--json" "$bin" bench --j
expect "no completion for a number" "" "$bin" run x --workers ""
expect "demo by lesson name" "gil-contention" "$bin" tui --demo gil
expect "strategy for record" "threadpool" "$bin" record x -s threadp
expect "cast formats" "v2 v3" "$bin" record x --cast-format ""
expect "themes" "default mono projector" "$bin" config --theme ""

mkdir -p "$tmp/traces/sub"
touch "$tmp/traces/a.sltrace" "$tmp/traces/b.sltrace" "$tmp/traces/notes.txt" \
  "$tmp/traces/x.json" "$tmp/traces/my.ini" "$tmp/traces/talk.cast"
cd "$tmp/traces" || exit 1
expect "trace files for replay" "a.sltrace b.sltrace sub" "$bin" replay ""
expect "trace files for export" "a.sltrace" "$bin" export a
expect "json files for --perfetto" "sub x.json" "$bin" export a.sltrace --perfetto ""
expect "an ini path" "./my.ini" "$bin" check ./m
expect "casts for --record" "sub talk.cast" "$bin" tui x --record ""
expect "casts for replay -o" "sub talk.cast" "$bin" replay a.sltrace --demo x -o ""

# A binary that cannot run: lessons from ./assets/scenarios, built-in strategies.
cd "$root" || exit 1
expect "fallback lessons" "io-download" "$tmp/missing/schedlab" run io-do
expect "fallback strategies" "async+subprocess" "$tmp/missing/schedlab" run x -s async+s
expect "fallback commands" "record replay run" "$tmp/missing/schedlab" r

# The options of each command as completed, against those its --help prints
# (the usage lines and the option list's tags; -h and --help always).
help_options() {
  "$bin" "$1" --help | awk '
    /^usage:/ { usage = 1 }
    usage && /^$/ { usage = 0 }
    usage { print; next }
    /^[ \t]+-/ { t = $0; sub(/^[ \t]+/, "", t); sub(/  .*/, "", t); print t }
  ' | grep -oE '(^|[][ ,(|`])--?[a-z][a-z0-9-]*' | sed -E 's/^[][ ,(|`]//' |
    { cat; printf '%s\n' -h --help; } | sort -u | tr '\n' ' ' | sed 's/ $//'
}
for cmd in $commands; do
  want=$(help_options "$cmd")
  expect "options of $cmd agree with its --help" "$want" "$bin" "$cmd" -
done

tally completion

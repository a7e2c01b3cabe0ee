#!/usr/bin/env bash
# Checks that the manual page and the binary agree. For every command that
# `schedlab --help` lists, every option word its `schedlab CMD --help`
# prints (-s, --strategy, ...) must appear in that command's subsection of
# OPTIONS in assets/man/schedlab.1, and every option the subsection lists
# (its .TP tags) must be one the command prints (-h and --help, which every
# command accepts, excepted): an option added to the code or dropped from it
# without the manual fails here. Also: every command has a
# COMMANDS entry, the top-level options are documented, and the page renders
# without groff warnings.
set -u
bin=${1:?usage: man.sh path/to/schedlab}
. "$(dirname "$0")/lib/need.sh"
need groff
page="$(dirname "$0")/../../assets/man/schedlab.1"
. "$(dirname "$0")/lib/tally.sh"

[ -r "$page" ] || { echo "FAIL: no manual page at $page"; exit 1; }

# Option words of a help text: those of the usage lines (up to the first
# blank line) and the tags of the option list (an indented line starting
# with a dash, up to the two spaces before its description). Prose is not
# read, so "saved with `schedlab run --trace FILE`" in replay's text is not
# taken for an option of replay.
options_of() {
  awk '
    /^usage:/ { usage = 1 }
    usage && /^$/ { usage = 0 }
    usage { print; next }
    /^[ \t]+-/ { t = $0; sub(/^[ \t]+/, "", t); sub(/  .*/, "", t); print t }
  ' "$1" | grep -oE '(^|[][ ,(|`])--?[a-z][a-z0-9-]*' | sed -E 's/^[][ ,(|`]//' | sort -u
}

# The page as text, roff escapes undone: "\-\-strategy" reads --strategy.
plain() {
  sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g'
}

# The lines of OPTIONS' subsection ".SS schedlab CMD..." up to the next
# .SS or .SH ("" = the subsection of schedlab itself).
section_of() {
  awk -v cmd="$1" '
    /^\.SH / { in_opts = ($0 ~ /^\.SH OPTIONS/); on = 0; next }
    /^\.SS / {
      on = 0
      if (!in_opts) next
      t = $0; sub(/^\.SS "?/, "", t); sub(/"$/, "", t)
      n = split(t, w, " ")
      if (cmd == "" && n == 1 && w[1] == "schedlab") on = 1
      if (cmd != "" && w[1] == "schedlab" && w[2] == cmd) on = 1
      next
    }
    on { print }
  ' "$page" | plain
}

# Option words in the .TP tags of a subsection: the line after each .TP.
tags_of() {
  awk '/^\.TP/ { getline; print }' | grep -oE '(^|[ ,"])--?[a-z][a-z0-9-]*' |
    sed -E 's/^[ ,"]//' | sort -u
}

"$bin" --help >"$tmp/top" 2>&1 || bad "schedlab --help exits non-zero"
commands=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' "$tmp/top")
if [ -n "$commands" ]; then ok; else bad "no commands found in schedlab --help"; fi

for opt in --help --version; do
  if section_of "" | grep -qe "$opt"; then ok; else bad "schedlab $opt missing from the page"; fi
done

for cmd in $commands; do
  if plain <"$page" | awk '/^\.SH COMMANDS/ { on = 1; next } /^\.SH / { on = 0 } on' |
    grep -qx "\.B $cmd"; then ok; else bad "command $cmd has no entry under COMMANDS"; fi

  if ! "$bin" "$cmd" --help >"$tmp/help" 2>&1; then
    bad "schedlab $cmd --help exits non-zero"
    continue
  fi
  section_of "$cmd" >"$tmp/section"
  if [ ! -s "$tmp/section" ]; then
    bad "command $cmd has no subsection under OPTIONS"
    continue
  fi
  options_of "$tmp/help" >"$tmp/help-opts"
  tags_of <"$tmp/section" >"$tmp/man-opts"
  while read -r opt; do
    if grep -qxe "$opt" "$tmp/man-opts"; then ok; else
      bad "schedlab $cmd: $opt is in --help but not among the page's options for $cmd"
    fi
  done <"$tmp/help-opts"
  while read -r opt; do
    # -h and --help are accepted by every command, printed or not.
    if [ "$opt" = -h ] || [ "$opt" = --help ] || grep -qxe "$opt" "$tmp/help-opts"; then ok; else
      bad "schedlab $cmd: the page lists $opt, which $cmd --help does not print"
    fi
  done <"$tmp/man-opts"
done

if groff -man -ww -z "$page" >"$tmp/warn" 2>&1 && [ ! -s "$tmp/warn" ]; then ok; else
  bad "groff warns about the page:"
  head -20 "$tmp/warn"
fi

tally man

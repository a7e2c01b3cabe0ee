# tally.sh - what the counting e2e tests share: a scratch directory removed
# on exit, and a tally of checks that keeps going after a failure so one
# run reports every broken check, not only the first.
#
#   $tmp                 the scratch directory
#   ok                   count a passed check
#   bad MESSAGE          print it and count a failed check
#   tally NAME           print the totals; false if any check failed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
tally() {
    echo "$1: $pass passed, $fails failed"
    [ "$fails" -eq 0 ]
}

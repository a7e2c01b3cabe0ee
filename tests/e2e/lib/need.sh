# need.sh - how an e2e test skips: a script that cannot run here (a tool it
# drives is not installed) says which and exits 77, which the tests'
# SKIP_RETURN_CODE in CMakeLists.txt makes CTest report as skipped, never
# as passed.
#
#   need CMD...          exit 77 unless every CMD is on the PATH
need() {
    local cmd
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null || {
            echo "SKIP: $cmd is not installed (.ci/install-deps installs it)"
            exit 77
        }
    done
}

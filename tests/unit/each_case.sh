#!/usr/bin/env bash
# each_case.sh: shows that a unit test binary's cases do not depend on each other. For
# each binary given, it runs every case alone (tests/check.h: the binary's arguments name
# the cases), then all of them in reverse order, and counts a run as failed when it exits
# non-zero or prints a sanitizer report. Last line: "N passed, N failed" over the runs.
#   bash tests/unit/each_case.sh build/san/tests/core/test_ledger build/san/tests/core/test_asg
set -u
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
passed=0
failed=0

run() { # label, then the command
    local label=$1 out rc
    shift
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ] ||
        printf '%s\n' "$out" | grep -q -E 'ERROR: (Leak|Address)Sanitizer|runtime error:'; then
        printf '%s\n' "$out"
        echo "FAIL $label"
        failed=$((failed + 1))
    else
        echo "ok   $label: $(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed')"
        passed=$((passed + 1))
    fi
}

for bin in "$@"; do
    mapfile -t cases < <("$bin" --list)
    if [ "${#cases[@]}" -eq 0 ]; then
        echo "FAIL $bin: no cases listed"
        failed=$((failed + 1))
        continue
    fi
    for t in "${cases[@]}"; do
        run "${bin##*/} $t" "$bin" "$t"
    done
    reversed=()
    for ((i = ${#cases[@]} - 1; i >= 0; i--)); do
        reversed+=("${cases[i]}")
    done
    run "${bin##*/} (all, reversed)" "$bin" "${reversed[@]}"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

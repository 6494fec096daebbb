#!/usr/bin/env bash
# run.sh: the whole test suite, as `make test` runs it after building. Unit tests, fuzz
# corpus replays and end-to-end tests run against the sanitizer build (ASan + UBSan);
# every runner prints "N passed, N failed" and this script sums them into the last line.
# Runners feed tally through process substitution, not a pipe, so its sums stay in this
# shell; a runner that prints no result line counts as one failure.
set -u
cd "$(dirname "$0")/.."
SAN=${SAN_BUILD:-build/san}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

passed=0
failed=0
broken=0

tally() { # name, then the runner's output on stdin
    local name=$1 out line p f
    out=$(cat)
    printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed' || true
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $name: no result line (crashed?)"
        broken=$((broken + 1))
        return
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    # A sanitizer report after the result line (LeakSanitizer reports at exit) is a
    # failure the runner itself did not count.
    if [ "$f" -eq 0 ] && printf '%s\n' "$out" |
        grep -q -E 'ERROR: (Leak|Address)Sanitizer|runtime error:'; then
        echo "FAIL $name: a sanitizer report (above)"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    echo "== $name: $line"
}

for t in "$SAN"/tests/*/test_*; do
    [ -x "$t" ] || continue
    tally "${t#$SAN/tests/}" < <("$t" 2>&1)
done

for r in "$SAN"/fuzz/replay_*; do
    [ -x "$r" ] || continue
    name=${r##*/replay_}
    [ -d "fuzz/corpus/$name" ] || continue
    tally "fuzz $name" < <("$r" "fuzz/corpus/$name" 2>&1)
done

# Debian's python3, the one scripts/setup.sh gives python3-boto3 (the MTurk door's tests
# drive the server with the real boto3); PYTHON overrides it.
PY=${PYTHON:-/usr/bin/python3}
tally "e2e" < <(TESSERA_BIN="$SAN/tessera" "$PY" tests/e2e/run.py 2>&1)

# The MTurk door under the real AWS SDK for JavaScript v3 (node's test runner).
tally "sdk-js" < <(TESSERA_BIN="$SAN/tessera" bash tests/sdk-js/run.sh 2>&1)

failed=$((failed + broken))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

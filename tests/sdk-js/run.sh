#!/usr/bin/env bash
# run.sh: the MTurk door's tests with the real AWS SDK for JavaScript v3, under node's own
# test runner. Run from anywhere; works from the repository root. TESSERA_BIN (the server
# binary, default build/tessera, relative to the repository root) is passed through.
# Prints node's readable report, then exactly one last line "N passed, N failed" taken
# from the TAP summary (cancelled tests count as failed, skipped and todo ones as
# neither); exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.."
DIR=tests/sdk-js

if ! command -v node >/dev/null 2>&1; then
    echo "sdk-js: node is not installed (bash scripts/setup.sh installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -d "$DIR/node_modules/@aws-sdk/client-mturk" ]; then
    echo "sdk-js: $DIR/node_modules is missing: run bash scripts/setup.sh" \
         "(or npm ci --prefix $DIR)"
    echo "0 passed, 1 failed"
    exit 1
fi

# The test files, listed by the shell: newer nodes read `node --test` arguments as globs
# and no longer walk a directory given by name.
files=("$DIR"/*.test.mjs)
if [ ! -e "${files[0]}" ]; then
    echo "sdk-js: no test files in $DIR"
    echo "0 passed, 1 failed"
    exit 1
fi

tap=$(mktemp "${TMPDIR:-/tmp}/tessera-sdkjs-tap.XXXXXX")
trap 'rm -f "$tap"' EXIT

# A readable report on stdout, TAP into $tap for the counts. The SDK's notice that its
# releases from 2027 on will want node >= 22 is not a test result: keep it out.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}
TESSERA_BIN=${TESSERA_BIN:-build/tessera} node --test \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    "${files[@]}"
rc=$?

count() { # the N of the last "# <name> N" summary line, 0 if absent
    local n
    n=$(grep -E "^# $1 [0-9]+\$" "$tap" | tail -n 1 | awk '{print $3}')
    echo "${n:-0}"
}
passed=$(count pass)
failed=$(( $(count fail) + $(count cancelled) ))
# node failed without a failing test to show for it (a crash, a failing hook at the top
# level, a summary that never came): that is a failure too.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "sdk-js: node --test exited $rc"
    failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# bench/crash.sh: the crash test of tests/e2e/test_crash.py with more rounds. A server
# under load from several client threads (accept, submit, approve, bonuses with
# UniqueRequestToken, `tessera admin deposit`) is killed with SIGKILL at random moments;
# after each restart every acknowledged write must be there, nothing paid twice, and
# `tessera admin check` clean. The last lines give rounds, acknowledged writes and writes
# found. `make test` runs the same test with 5 rounds.
#
#   bench/crash.sh [ROUNDS]        ROUNDS [50]
# Environment: TESSERA_BIN [build/tessera], TESSERA_CRASH_SEED [from the clock],
#   PYTHON [/usr/bin/python3].
set -euo pipefail

cd "$(dirname "$0")/.."

ROUNDS=${1:-50}
case $ROUNDS in
'' | *[!0-9]*) echo "usage: bench/crash.sh [ROUNDS]" >&2; exit 2 ;;
esac
if [ -z "${TESSERA_BIN:-}" ]; then
    make --no-print-directory all >/dev/null
    TESSERA_BIN=build/tessera
fi
export TESSERA_BIN TESSERA_CRASH_ROUNDS=$ROUNDS
exec "${PYTHON:-/usr/bin/python3}" tests/e2e/run.py test_crash.py

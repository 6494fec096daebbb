#!/usr/bin/env bash
# run.sh: the fuzzing campaign. Builds every fuzz/fuzz_*.c as a libFuzzer binary with
# clang, ASan and UBSan (`make fuzz`, into build/fuzz-clang/) and runs each over its
# corpus, then prints per target the executions, the coverage (libFuzzer's final cov:
# and ft:), the new corpus entries and any crash. Not part of `make test`, which replays
# the corpora under gcc instead (fuzz/replay.c).
#
#   fuzz/run.sh [TARGET...]         run the named targets (fuzz_csv ...), default all
#   fuzz/run.sh --merge [TARGET...] fold what a run found into fuzz/corpus/<target>/,
#                                   keeping only inputs that add coverage
#
# Environment:
#   FUZZ_RUNS=10000000   executions per target (FUZZ_RUNS=100000 for a short campaign)
#   FUZZ_TIME=0          also stop a target after this many seconds (0: no limit)
#   FUZZ_PARALLEL=1      targets run at once (2 uses both cores of a small machine)
#   FUZZ_NICE=10         nice level of the fuzzers
#   FUZZ_NOBUILD=1       skip `make fuzz`
#
# A run writes its new inputs to build/fuzz-clang/work/<target>/ (the repository's
# corpus is only read), its log to build/fuzz-clang/logs/<target>.log and a crashing
# input to build/fuzz-clang/crashes/<target>/. Exit status: non-zero if any target
# crashed or did not run.
set -uo pipefail

cd "$(dirname "$0")/.."
OUT=build/fuzz-clang
RUNS=${FUZZ_RUNS:-10000000}
TIME=${FUZZ_TIME:-0}
PAR=${FUZZ_PARALLEL:-1}
NICE=${FUZZ_NICE:-10}

# The longest input worth trying per target: a little over the largest real input the
# parser sees, so the fuzzer spends its time on shapes rather than on length.
max_len() {
    case "$1" in
        fuzz_money) echo 64 ;;
        fuzz_sigv4) echo 2048 ;;
        fuzz_route) echo 2048 ;;
        fuzz_notify_url) echo 512 ;;
        fuzz_template) echo 2048 ;;
        fuzz_ops) echo 4096 ;;
        *) echo 8192 ;;
    esac
}

merge=0
if [ "${1:-}" = "--merge" ]; then
    merge=1
    shift
fi

if [ "${FUZZ_NOBUILD:-0}" != 1 ]; then
    bash scripts/setup.sh --fuzz || exit 1
    mkdir -p "$OUT"
    nice -n "$NICE" make --no-print-directory fuzz CC=clang-14 -j"$PAR" >"$OUT/build.log" 2>&1 || {
        cat "$OUT/build.log" >&2
        echo "run.sh: make fuzz failed (is clang installed? bash scripts/setup.sh --fuzz)" >&2
        exit 1
    }
fi

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    for s in fuzz/fuzz_*.c; do
        t=${s#fuzz/}
        targets+=("${t%.c}")
    done
fi
mkdir -p "$OUT/work" "$OUT/logs" "$OUT/crashes"

# --merge: the repository's corpus stays as it is (hand-named seeds and past crashes
# included); from the work directory only inputs that reach new code are added: new edges
# (-use_counters=0), not new hit counts, which keeps a corpus to a few hundred files.
if [ "$merge" = 1 ]; then
    for t in "${targets[@]}"; do
        [ -d "$OUT/work/$t" ] || continue
        tmp=$(mktemp -d)
        mkdir -p "fuzz/corpus/$t"
        cp -p "fuzz/corpus/$t"/* "$tmp"/ 2>/dev/null
        before=$(ls "$tmp" | wc -l)
        nice -n "$NICE" "$OUT/fuzz/$t" -merge=1 -use_counters=0 -max_len="$(max_len "$t")" \
            "$tmp" "$OUT/work/$t" >"$OUT/logs/$t.merge.log" 2>&1
        after=$(ls "$tmp" | wc -l)
        cp -p "$tmp"/* "fuzz/corpus/$t"/ 2>/dev/null
        rm -rf "$tmp"
        echo "$t: $before inputs, $((after - before)) added ($(du -sh "fuzz/corpus/$t" | cut -f1))"
    done
    exit 0
fi

# Runs one target to completion; the summary line goes to $OUT/logs/<t>.summary.
run_one() {
    local t=$1 bin="$OUT/fuzz/$1" log="$OUT/logs/$1.log" dict="" seeds="fuzz/corpus/$1"
    local args=()
    mkdir -p "$OUT/work/$t" "$OUT/crashes/$t"
    [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
    [ -d "$seeds" ] || seeds=""
    [ "$TIME" != 0 ] && args+=(-max_total_time="$TIME")
    nice -n "$NICE" "$bin" -runs="$RUNS" -max_len="$(max_len "$t")" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$OUT/crashes/$t/" "${args[@]}" \
        "$OUT/work/$t" $seeds >"$log" 2>&1
    local rc=$?
    local execs cov ft newu crash secs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    newu=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ -z "$execs" ]; then # a crash ends the run before the final stats
        execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    fi
    local what="ok"
    if [ -n "$crash" ]; then
        what="CRASH $(grep -m1 -o 'ERROR: [A-Za-z]*: [a-z-]*\|runtime error: .*\|deadly signal\|timeout' "$log" | head -1) -> $crash"
    elif [ "$rc" -ne 0 ]; then
        what="FAILED (exit $rc, see $log)"
    fi
    printf '%-16s execs %-10s cov %-6s ft %-6s new %-5s secs %-6s %s\n' "$t" "${execs:-0}" \
        "${cov:-?}" "${ft:-?}" "${newu:-0}" "${secs:-?}" "$what" >"$OUT/logs/$t.summary"
    cat "$OUT/logs/$t.summary"
    [ "$what" = ok ]
}

status=0
running=0
for t in "${targets[@]}"; do
    if [ ! -x "$OUT/fuzz/$t" ]; then
        echo "run.sh: no such target $t" >&2
        status=1
        continue
    fi
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$PAR" ]; then
        wait -n || status=1
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || status=1
    running=$((running - 1))
done

echo "== summary (runs=$RUNS per target; logs in $OUT/logs/)"
for t in "${targets[@]}"; do
    [ -f "$OUT/logs/$t.summary" ] && cat "$OUT/logs/$t.summary"
done
exit "$status"

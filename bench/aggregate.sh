#!/usr/bin/env bash
# aggregate.sh: accuracy and speed of `tessera aggregate` on the four public crowd
# datasets with gold (issue #4), and the dynamic-overlap replay. Run by hand, not by
# `make test`; docs/quality.md keeps the measured table.
#
#   bash bench/aggregate.sh                      # builds build/tessera with `make -s all`
#   TESSERA=build-x/tessera bash bench/aggregate.sh   # measure another (-O2) binary
#   DATA=/path/to/truth SEED=7 bash bench/aggregate.sh
#
# For each dataset and method (mv, ds, hds; the default is ds) it prints the accuracy over
# gold items with answers (and F1 on label 1 for product) and the best wall time of
# RUNS runs, reading the CSV included. Then, per dataset, the replay of
# `--simulate-overlap`: the share of answers needed to come within one point of the
# full-data accuracy, with plain random-order prefixes and with dynamic overlap.
set -eu
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data/truth}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
if [ -z "${TESSERA:-}" ]; then
    make -s all
    TESSERA=build/tessera
fi
[ -x "$TESSERA" ] || { echo "aggregate.sh: no binary at $TESSERA" >&2; exit 1; }
DATASETS="product rte relevance dog"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

printf '%-10s %-4s %9s %8s %9s\n' dataset method accuracy F1\(1\) wall_ms
for d in $DATASETS; do
    ans=$DATA/$d/answers.csv
    gold=$DATA/$d/gold.csv
    for m in mv ds hds; do
        best=
        for _ in $(seq "$RUNS"); do
            t0=$(now_ns)
            "$TESSERA" aggregate --method "$m" --gold "$gold" "$ans" >"$tmp/out" 2>"$tmp/err"
            t1=$(now_ns)
            ms=$(( (t1 - t0) / 1000000 ))
            if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
        done
        acc=$(sed -n 's/^gold: accuracy \([0-9.]*\) .*/\1/p' "$tmp/err")
        f1=-
        if [ "$d" = product ]; then
            f1=$(sed -n 's/^gold: label 1: .* F1 \([0-9.]*\) .*/\1/p' "$tmp/err")
        fi
        printf '%-10s %-4s %9s %8s %9s\n' "$d" "$m" "$acc" "$f1" "$best"
    done
done

echo
echo "dynamic overlap replay (default method, seed $SEED; min 2 answers per item):"
for d in $DATASETS; do
    "$TESSERA" aggregate --simulate-overlap --seed "$SEED" --gold "$DATA/$d/gold.csv" \
        "$DATA/$d/answers.csv" >"$tmp/sim"
    full=$(sed -n 's/^full-data accuracy \([0-9.]*\);.*/\1/p' "$tmp/sim")
    prefix=$(sed -n 's/^prefix share needed: //p' "$tmp/sim")
    dyn=$(sed -n 's/^dynamic share needed: //p' "$tmp/sim")
    printf '%-10s full-data accuracy %s; random-order prefix needs %s; dynamic overlap needs %s\n' \
        "$d" "$full" "$prefix" "$dyn"
done

#!/usr/bin/env bash
# Full-scan speed against the parse-only floor, on pinned real-world corpora.
#
#   bash bench/speed.sh            # 5 pairs per corpus (after a warm-up)
#   PAIRS=9 bash bench/speed.sh
#
# For each corpus, runs the floor (parse every file with snag's grammars and walk
# each tree once, same thread count: `cargo run -p snag-analyzer --example
# parse_floor`) and `snag check --all` alternately, and prints files, lines,
# the median wall time of each, the snag/floor ratio pair by pair (median, min,
# max), lines per second and snag's peak RSS (all without the result cache),
# the ratio of CPU time (user + sys, median of pairs: less disturbed than wall
# time when the machine is busy);
# then `warm_s`, the median time of a re-scan with the cache a first run filled.
# Corpora come from
# ../shared/bench/get-corpora.sh (package registries only), into $CORPORA.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-5}
CORPORA=${CORPORA:-/tmp/corpora}
SHARED=${SHARED:-../shared/bench/get-corpora.sh}

CORPORA=$CORPORA bash "$SHARED" >/dev/null
cargo build --release --quiet --bin snag
cargo build --release --quiet -p snag-analyzer --example parse_floor
SNAG=target/release/snag
FLOOR=target/release/examples/parse_floor

corpus_dirs=(
  "python:$CORPORA/python/Django-6.1.3"
  "typescript:$CORPORA/typescript/zod-4.6.7/src"
  "rust:$CORPORA/rust"
)

echo "machine: $(nproc) cores, $(uname -sr); pairs: $PAIRS"
printf '%-11s %6s %8s %9s %9s %7s %7s %7s %7s %10s %8s %7s\n' corpus files lines floor_s snag_s ratio min max cpu_rt lines/s rss_MiB warm_s
for entry in "${corpus_dirs[@]}"; do
  name=${entry%%:*}
  dir=${entry#*:}
  # Warm-up: both read every file once, so the page cache is hot for both.
  "$FLOOR" "$dir" >/dev/null
  "$SNAG" check --all --no-progress --no-cache --exit-zero --format json --output /dev/null "$dir" 2>/dev/null
  floors=() snags=() rss=() warms=() cpus=()
  for _ in $(seq "$PAIRS"); do
    start=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o /tmp/snag-bench-floor "$FLOOR" "$dir" >/dev/null
    end=$(date +%s.%N)
    floors+=("$(echo "$end - $start" | bc -l)")
    start=$(date +%s.%N)
    /usr/bin/time -f '%M %U %S' -o /tmp/snag-bench-rss "$SNAG" check --all --no-progress --no-cache \
      --exit-zero --format json --output /dev/null "$dir" 2>/dev/null
    end=$(date +%s.%N)
    snags+=("$(echo "$end - $start" | bc -l)")
    read -r snag_rss snag_user snag_sys < <(tail -n 1 /tmp/snag-bench-rss)
    read -r floor_user floor_sys < <(tail -n 1 /tmp/snag-bench-floor)
    rss+=("$snag_rss")
    cpus+=("$(echo "($snag_user + $snag_sys) / ($floor_user + $floor_sys)" | bc -l)")
  done
  # A re-scan of unchanged files with the result cache filled by a first run.
  cache_dir=$(mktemp -d)
  "$SNAG" check --all --no-progress --cache-dir "$cache_dir" --exit-zero --format json --output /dev/null "$dir" 2>/dev/null
  for _ in $(seq "$PAIRS"); do
    start=$(date +%s.%N)
    "$SNAG" check --all --no-progress --cache-dir "$cache_dir" --exit-zero --format json \
      --output /dev/null "$dir" 2>/dev/null
    end=$(date +%s.%N)
    warms+=("$(echo "$end - $start" | bc -l)")
  done
  rm -rf "$cache_dir"
  files=$(find "$dir" -type f \( -name '*.py' -o -name '*.ts' -o -name '*.tsx' -o -name '*.js' -o -name '*.jsx' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.rs' \) | wc -l)
  lines=$(find "$dir" -type f \( -name '*.py' -o -name '*.ts' -o -name '*.tsx' -o -name '*.js' -o -name '*.jsx' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.rs' \) -print0 | xargs -0 cat | wc -l)
  python3 - "$name" "$files" "$lines" "${floors[*]}" "${snags[*]}" "${rss[*]}" "${warms[*]}" "${cpus[*]}" <<'PY'
import statistics, sys
name, files, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
floors = [float(x) for x in sys.argv[4].split()]
snags = [float(x) for x in sys.argv[5].split()]
rss = [int(x) for x in sys.argv[6].split()]
warm = statistics.median(float(x) for x in sys.argv[7].split())
cpu = statistics.median(float(x) for x in sys.argv[8].split())
ratios = [s / f for s, f in zip(snags, floors)]
floor, snag = statistics.median(floors), statistics.median(snags)
print(f"{name:<11} {files:>6} {lines:>8} {floor:>9.3f} {snag:>9.3f} {statistics.median(ratios):>7.2f} "
      f"{min(ratios):>7.2f} {max(ratios):>7.2f} {cpu:>7.2f} {lines / snag:>10.0f} {max(rss) / 1024:>8.1f} {warm:>7.3f}")
PY
done

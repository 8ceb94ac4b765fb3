#!/usr/bin/env bash
# Benchmark: `snag check --staged` on a repository of 20,000 files with 5 staged
# changes, against `git diff --cached --name-only` on the same repository in
# the same run. Prints the median wall time of each and the ratio (the goal is
# under 2x). Not a timed test: run it by hand.
#
#   bench/staged.sh                  # builds snag (release) first
#   SNAG=path/to/snag bench/staged.sh
#   FILES=20000 RUNS=20 WARMUP=3 bench/staged.sh
#
# Times with hyperfine when it is installed (`apt-get install hyperfine`),
# otherwise in this script (bash's $EPOCHREALTIME, median of RUNS runs after
# WARMUP). When strace is installed it also lists every work-tree path the
# staged check touches, to show it does not read or stat the rest of the tree.
set -euo pipefail

FILES=${FILES:-20000}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
PER_DIRECTORY=100
here="$(cd "$(dirname "$0")/.." && pwd)"

if [[ -z "${SNAG:-}" ]]; then
    (cd "$here" && cargo build --release --locked --quiet)
    SNAG="${CARGO_TARGET_DIR:-$here/target}/release/snag"
fi
SNAG="$(cd "$(dirname "$SNAG")" && pwd)/$(basename "$SNAG")"

work="$(mktemp -d "${TMPDIR:-/tmp}/snag-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo" "$work/home"
# Keep the machine's git configuration out of it.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
cd "$repo"
git init -q --initial-branch=main .
# No background `gc --auto` racing the measurements.
git config gc.auto 0

echo "generating $FILES files..." >&2
# One awk process writes every file: a loop of shell redirections would
# take longer than the benchmark.
awk -v files="$FILES" -v per="$PER_DIRECTORY" 'BEGIN {
    for (i = 0; i < files; i++) {
        directory = sprintf("pkg%03d", int(i / per))
        if (i % per == 0) system("mkdir -p " directory)
        path = sprintf("%s/module_%05d.py", directory, i)
        print "import sqlite3" > path
        print "" > path
        print "TABLE = \"orders\"" > path
        print "" > path
        printf "def load_%d(conn: sqlite3.Connection, order_id):\n", i > path
        print "    cur = conn.cursor()" > path
        print "    cur.execute(\"SELECT id, total FROM orders WHERE id = ?\", (order_id,))" > path
        print "    return cur.fetchone()" > path
        print "" > path
        printf "def total_%d(rows):\n", i > path
        print "    return sum(row[1] for row in rows)" > path
        close(path)
    }
}'
git add -A
git commit -q -m "20k files"
# Packed, as a repository that has lived a while is.
git gc --quiet

# Five changed files, staged: each gains an injection and a `SELECT *`.
for i in 0 1 2 3 4; do
    file=$(printf "pkg000/module_%05d.py" "$i")
    cat >>"$file" <<'EOF'

def search(conn, name):
    cur = conn.cursor()
    cur.execute(f"SELECT id FROM orders WHERE customer = '{name}'")
    cur.execute("SELECT * FROM orders")
    return cur.fetchall()
EOF
done
git add pkg000
echo "staged: $(git diff --cached --name-only | wc -l) files; tracked: $(git ls-files | wc -l)" >&2
"$SNAG" --version >&2
findings=$("$SNAG" check --staged --format json --no-progress | grep -c '"rule"' || true)
echo "snag check --staged reports $findings findings" >&2

snag_command="$SNAG check --staged --no-progress"
git_command="git diff --cached --name-only"

median_of() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

time_runs() {
    local -a command
    read -r -a command <<<"$1"
    local i start end
    for ((i = 0; i < WARMUP; i++)); do "${command[@]}" >/dev/null 2>&1 || true; done
    for ((i = 0; i < RUNS; i++)); do
        start=$EPOCHREALTIME
        "${command[@]}" >/dev/null 2>&1 || true
        end=$EPOCHREALTIME
        awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f\n", e - s }'
    done | median_of
}

if command -v hyperfine >/dev/null 2>&1; then
    timer="hyperfine ($(hyperfine --version))"
    hyperfine --shell=none --ignore-failure --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$work/times.json" "$snag_command" "$git_command" >&2
    # The "median" of each result, in command order.
    mapfile -t medians < <(grep -o '"median": *[0-9.e-]*' "$work/times.json" | sed 's/.*: *//')
    snag_median=${medians[0]}
    git_median=${medians[1]}
else
    timer="bash \$EPOCHREALTIME"
    snag_median=$(time_runs "$snag_command")
    git_median=$(time_runs "$git_command")
fi

if command -v strace >/dev/null 2>&1; then
    strace -f -qq -e trace=%file -o "$work/trace" $snag_command >/dev/null 2>&1 || true
    # Work-tree paths (not under .git) the staged check opened or stat'ed.
    touched=$(grep -v execve "$work/trace" | grep -o '"[^"]*"' | tr -d '"' |
        awk -v repo="$repo" '
            index($0, repo "/") == 1 { p = substr($0, length(repo) + 2) }
            index($0, "/") != 1 { p = $0 }
            index($0, "/") == 1 && index($0, repo "/") != 1 { next }
            p !~ /^\.git(\/|$)/ && p != "" { print p }' | sort -u)
    echo "work-tree paths touched by snag check --staged (strace):" >&2
    if [[ -n "$touched" ]]; then sed 's/^/    /' <<<"$touched" >&2; else echo "    none" >&2; fi
fi

awk -v files="$FILES" -v runs="$RUNS" -v timer="$timer" -v s="$snag_median" -v g="$git_median" 'BEGIN {
    printf "repository: %d files, 5 staged; %d runs each, timed with %s\n", files, runs, timer
    printf "snag check --staged          median %7.1f ms\n", s * 1000
    printf "git diff --cached --name-only median %7.1f ms\n", g * 1000
    printf "ratio %.2fx (goal: under 2x)\n", s / g
}'

#!/usr/bin/env bash
# Single-core speed of this tree against an earlier commit, measured the way issue 19 asks:
# release builds of both, run in one session, interleaved, on scenarios/benchmark.toml with
# `--threads 1`; prints each build's best and median replications per second and their ratios.
#
#   scripts/compare-speed.sh [--base COMMIT | --base-binary PATH] [--binary PATH]
#                            [--rounds N] [--replications R] [--scenario FILE]
#
#   --base COMMIT       the build to compare against (default 8113d9f, the commit issue 19
#                       measured from). Its tree is exported with `git archive` into
#                       target/speed-base/<commit>/ and built there once, with its own target
#                       folder (kept for the next call; about as long as a fresh release build).
#   --base-binary PATH  an incsim binary to compare against instead (nothing is built for it).
#   --binary PATH       the build under test (default: this tree's `cargo build --release`);
#                       e.g. target/pgo/release/incsim from scripts/build-pgo.sh.
#   --rounds N          runs of each build (default 10). Each round runs both, the order
#                       alternating, so a drift of the machine's speed touches both alike.
#   --replications R    replications per run (default 1000, the README's figure).
#   --scenario FILE     default scenarios/benchmark.toml.
#
# Why medians as well as the best: on a machine whose core is shared (a busy sibling
# hyperthread, a neighbour's VM), one binary's speed swings by tens of per cent from run to run,
# and a faster build can lose more of its speed to the neighbour than a slower one. Quote the
# figures of a quiet machine, and say which machine gave them (the script prints its CPU and load).
set -euo pipefail

base=8113d9f
base_binary=""
binary=""
rounds=10
reps=1000
scenario=scenarios/benchmark.toml

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}
die() {
  echo "compare-speed: $*" >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base) base="${2:?--base needs a commit}"; shift 2 ;;
    --base-binary) base_binary="${2:?--base-binary needs a path}"; shift 2 ;;
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift 2 ;;
    --replications) reps="${2:?--replications needs a number}"; shift 2 ;;
    --scenario) scenario="${2:?--scenario needs a file}"; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a whole number ≥ 1, not '$rounds'"
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || die "--replications must be a whole number ≥ 1, not '$reps'"
# Paths given by the caller, made absolute before moving to the repository's root.
[[ -f "$scenario" ]] || die "no such scenario file: $scenario"
scenario="$(realpath "$scenario")"
for given in "$base_binary" "$binary"; do
  [[ -z "$given" || -x "$given" ]] || die "not an executable: $given"
done
[[ -z "$base_binary" ]] || base_binary="$(realpath "$base_binary")"
[[ -z "$binary" ]] || binary="$(realpath "$binary")"
cd "$(dirname "$0")/.."
if [[ -z "$base_binary" ]]; then
  sha="$(git rev-parse --verify --quiet "$base^{commit}")" || die "no such commit: $base"
fi

if [[ -z "$binary" ]]; then
  echo "== building this tree (cargo build --release)" >&2
  cargo build --release --quiet
  binary="$PWD/target/release/incsim"
fi
if [[ -z "$base_binary" ]]; then
  dir="$PWD/target/speed-base/${sha:0:12}"
  base_binary="$dir/target/release/incsim"
  if [[ ! -x "$base_binary" ]]; then
    echo "== building $base (${sha:0:12}) in $dir" >&2
    rm -rf "$dir/src-tree"
    mkdir -p "$dir/src-tree"
    git archive "$sha" | tar -x -C "$dir/src-tree"
    locked=()
    [[ -f "$dir/src-tree/Cargo.lock" ]] && locked=(--locked)
    (cd "$dir/src-tree" && CARGO_TARGET_DIR="$dir/target" cargo build --release --quiet "${locked[@]}")
  fi
fi

# A build from before `--no-sensitivity` runs no sensitivity analysis anyway.
flags_for() {
  if "$1" run --help 2>/dev/null | grep -q -- '--no-sensitivity'; then
    echo "--no-sensitivity"
  fi
}
base_flags="$(flags_for "$base_binary")"
flags="$(flags_for "$binary")"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Replications per second of one run, from `--stats` (simulation only, outputs excluded).
speed() {
  local bin="$1" extra="$2" err
  # shellcheck disable=SC2086 # `extra` is one flag or none.
  err="$("$bin" run "$scenario" -n "$reps" --threads 1 $extra --stats --quiet -o "$out/run" 2>&1 >/dev/null)" \
    || die "$bin failed: $err"
  grep -o '[0-9,]* replications/s' <<<"$err" | tr -d , | cut -d' ' -f1 | grep . \
    || die "no 'replications/s' in the --stats line of $bin: $err"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "command: incsim run $scenario -n $reps --threads 1 ${flags:+$flags }--stats"
base_runs=()
runs=()
for ((round = 0; round < rounds; round++)); do
  if ((round % 2 == 0)); then
    base_runs+=("$(speed "$base_binary" "$base_flags")")
    runs+=("$(speed "$binary" "$flags")")
  else
    runs+=("$(speed "$binary" "$flags")")
    base_runs+=("$(speed "$base_binary" "$base_flags")")
  fi
  echo "round $((round + 1))/$rounds: base ${base_runs[-1]}, this ${runs[-1]} replications/s" >&2
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

# Best, median and every run of each; the ratios of the bests and of the medians.
stats() { # best median of the numbers given
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%s %s\n", v[NR], m }'
}
read -r base_best base_median < <(stats "${base_runs[@]}")
read -r best median < <(stats "${runs[@]}")
echo "| build | best | median | runs |"
echo "|---|---|---|---|"
echo "| base: $base_binary | $base_best | $base_median | ${base_runs[*]} |"
echo "| this: $binary | $best | $median | ${runs[*]} |"
awk -v b="$best" -v bb="$base_best" -v m="$median" -v bm="$base_median" \
  'BEGIN { printf "speed-up: %.2fx best, %.2fx median\n", b / bb, m / bm }'

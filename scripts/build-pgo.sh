#!/usr/bin/env bash
# Build the fastest incsim binary for long studies: a profile-guided (PGO) release build.
#
#   scripts/build-pgo.sh [--if-available] [SCENARIO.toml ...]
#
# 1. builds an instrumented binary (target/pgo/instrumented),
# 2. runs it on every shipped scenario plus the SCENARIOs given (your own estate: the profile
#    then favours the paths your model takes),
# 3. merges the counts with the toolchain's llvm-profdata and builds target/pgo/release/incsim
#    with them.
#
# Why: the compiler then lays out and inlines the simulation loop by how often each branch is
# really taken; on scenarios/benchmark.toml, 1.28x the plain release build's replications per
# second when the training includes it, 1.08x when it does not (both measured in batch 8). The
# release build has since taken much of that layout by hand (rare branches marked cold, the
# handlers inlined): the gap was 1.14x after batch 10 and is 1.08x after batch 11 (README,
# Performance). It changes no number: the outputs are the same bytes (CI compares them). Not
# the default build because it needs llvm-profdata (`rustup component add llvm-tools`) and two
# full builds.
#
# --if-available: exit 0 with a message (instead of 1) when llvm-profdata cannot be found or
# installed, for CI on machines without rustup.
set -euo pipefail

if_available=false
if [[ "${1:-}" == "--if-available" ]]; then
  if_available=true
  shift
fi
# Your scenarios, as absolute paths: the build runs from the repository's root.
own=()
for scenario in "$@"; do
  if [[ ! -f "$scenario" ]]; then
    echo "build-pgo: no such scenario file: $scenario" >&2
    exit 2
  fi
  own+=("$(realpath "$scenario")")
done
cd "$(dirname "$0")/.."

root="$PWD/target/pgo"
counts="$root/counts"
# Before anything can stop or skip: a binary of an earlier build must never pass for this
# one (scripts/test-pgo.sh tests whatever binary is there).
rm -rf "$counts" "$root/release/incsim"

# The llvm-profdata of the active toolchain: its profile format must match rustc's LLVM.
find_profdata() {
  local sysroot host
  sysroot="$(rustc --print sysroot)"
  host="$(rustc -vV | sed -n 's/^host: //p')"
  local candidate="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
  [[ -x "$candidate" ]] && echo "$candidate"
}

profdata="$(find_profdata || true)"
if [[ -z "$profdata" ]] && command -v rustup >/dev/null 2>&1; then
  echo "== llvm-profdata missing: rustup component add llvm-tools"
  rustup component add llvm-tools >/dev/null 2>&1 || true
  profdata="$(find_profdata || true)"
fi
if [[ -z "$profdata" ]]; then
  message="build-pgo: llvm-profdata of this toolchain not found; install it with \`rustup component add llvm-tools\`"
  if $if_available; then
    echo "$message (skipped)"
    exit 0
  fi
  echo "$message" >&2
  exit 1
fi

mkdir -p "$counts"

echo "== 1/3 instrumented build (target/pgo/instrumented)"
RUSTFLAGS="-Cprofile-generate=$counts" CARGO_TARGET_DIR="$root/instrumented" \
  cargo build --release --locked --quiet
instrumented="$root/instrumented/release/incsim"

echo "== 2/3 training runs"
training="$root/training-output"
for scenario in scenarios/*.toml "${own[@]}"; do
  # A hundred replications weigh every branch (a minute in all, instrumented); the compact
  # sensitivity runs too, so its set-up and its varied scenarios are trained as well.
  "$instrumented" run "$scenario" --replications 100 --threads 1 --out "$training" --quiet >/dev/null
  echo "   $scenario"
done
rm -rf "$training"

echo "== 3/3 optimised build (target/pgo/release/incsim)"
"$profdata" merge -o "$root/merged.profdata" "$counts"
RUSTFLAGS="-Cprofile-use=$root/merged.profdata" CARGO_TARGET_DIR="$root" \
  cargo build --release --locked --quiet
echo "built $root/release/incsim"

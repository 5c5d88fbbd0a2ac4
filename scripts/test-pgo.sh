#!/usr/bin/env bash
# CI: the profile-guided build (scripts/build-pgo.sh) must write the same bytes as the plain
# release build. Skips with a message where llvm-profdata cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build-pgo.sh --if-available
pgo=target/pgo/release/incsim
if [[ ! -x "$pgo" ]]; then
  exit 0
fi
cargo build --release --locked --quiet
release=target/release/incsim

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
status=0
# Every shipped scenario's replications, and the built-in scenario's whole output folder
# (report, charts, summaries, sensitivity).
for scenario in scenarios/*.toml; do
  name="$(basename "$scenario" .toml)"
  "$release" run "$scenario" -n 40 --no-sensitivity --out "$out/release-$name" --quiet >/dev/null
  "$pgo" run "$scenario" -n 40 --no-sensitivity --out "$out/pgo-$name" --quiet >/dev/null
  if ! cmp -s "$out/release-$name/replications.csv" "$out/pgo-$name/replications.csv"; then
    echo "PGO build differs from the release build: $scenario (replications.csv)" >&2
    status=1
  fi
done
"$release" run --replications 100 --out "$out/release-full" --quiet >/dev/null
"$pgo" run --replications 100 --out "$out/pgo-full" --quiet >/dev/null
if ! diff -r "$out/release-full" "$out/pgo-full" >/dev/null; then
  echo "PGO build differs from the release build: the built-in scenario's output folder" >&2
  status=1
fi
if [[ $status -eq 0 ]]; then
  echo "PGO build: outputs byte-identical to the release build"
fi
exit $status

#!/bin/sh
# One run of incsim split into shards run by GNU parallel, then merged.
# On this machine:                  sh docs/cluster/gnu-parallel.sh
# Over ssh hosts sharing this folder: HOSTS=node1,node2,node3 sh docs/cluster/gnu-parallel.sh
# (every host needs incsim on its PATH and this folder at the same path).
set -eu
SCENARIO=${SCENARIO:-scenarios/default.toml}
REPLICATIONS=${REPLICATIONS:-1000000}   # of the whole run
SHARDS=${SHARDS:-32}                    # K = 0 … SHARDS-1
OUT=${OUT:-results}

# One single-threaded shard per CPU core of each host; stop at the first failure.
set -- --will-cite --halt now,fail=1
if [ -n "${HOSTS:-}" ]; then set -- "$@" -S "$HOSTS" --workdir "$PWD"; fi
seq 0 $((SHARDS - 1)) | parallel "$@" \
  incsim run "$SCENARIO" --replications "$REPLICATIONS" --seed 42 \
  --shard {}/"$SHARDS" --threads 1 --out "$OUT/shards" --quiet
incsim merge "$OUT/shards" --out "$OUT/default"

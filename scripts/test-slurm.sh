#!/usr/bin/env bash
# The README's Slurm job array, run for real on a one-node Slurm cluster on localhost.
#
# Installs Debian's slurm-wlm and munge (apt-get, as root) when they are missing, starts munged,
# slurmctld and slurmd directly (no systemd) with a private configuration in a temporary folder,
# submits the README's job array script (extracted verbatim from README.md, "Slurm job array")
# for a small run, then the README's merge job, waits for both (squeue polling, with timeouts),
# and compares every merged file with a direct run of the same scenario, byte for byte.
#
# Skips with a message (exit 0) when the packages cannot be installed or the daemons cannot
# start (a container without privileges, no network); fails (exit 1) when the cluster ran the
# jobs and the files differ or a job failed. Every wait has a timeout; the daemons it started
# are stopped (by their process ids) on exit. Uses the release binary the CI builds:
# target/release/incsim.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
BIN="${INCSIM_BIN:-$REPO/target/release/incsim}"

skip() {
  echo "test-slurm: SKIPPED: $*"
  exit 0
}
fail() {
  echo "test-slurm: FAILED: $*" >&2
  exit 1
}

[ -x "$BIN" ] || fail "$BIN is missing: build it first (cargo build --release)"

# --- Packages -------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
  || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || skip "slurm-wlm and munge are not installed and this is not root"
  command -v apt-get >/dev/null || skip "no apt-get to install slurm-wlm and munge"
  echo "test-slurm: installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed (no network?)"
  timeout 600 apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 \
    || skip "apt-get could not install slurm-wlm and munge"
fi
for tool in slurmctld slurmd sbatch squeue scontrol munged; do
  command -v "$tool" >/dev/null || skip "$tool is not on PATH after the installation"
done

# --- A private one-node cluster ----------------------------------------------------------------
TMP=$(mktemp -d /tmp/incsim-slurm.XXXXXX)
PIDS=()
cleanup() {
  # Cancel our jobs, then stop the daemons we started, by their ids.
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then
    timeout 10 scancel --quiet "${ARRAY_JOB:-0}" "${MERGE_JOB:-0}" >/dev/null 2>&1 || true
  fi
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
show_logs() {
  for log in "$TMP"/*.log "$TMP"/work/*.log "$TMP"/work/results/*.log; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }
  done
  return 0
}

mkdir -p "$TMP/state" "$TMP/spool" "$TMP/work"
chmod 755 "$TMP"

# munged with its own key and socket (the system's munge is left alone).
head -c 1024 /dev/urandom >"$TMP/munge.key"
chmod 600 "$TMP/munge.key"
munged --force --foreground --key-file="$TMP/munge.key" --socket="$TMP/munge.sock" \
  --pid-file="$TMP/munged.pid" --log-file="$TMP/munged.log" --seed-file="$TMP/munged.seed" \
  >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$TMP/munge.sock" ] && break; sleep 0.1; done
[ -S "$TMP/munge.sock" ] || { show_logs; skip "munged did not start"; }

MEMORY_MB=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
PORT_BASE=$((17000 + RANDOM % 2000 * 2))
export SLURM_CONF="$TMP/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=incsimtest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT_BASE
SlurmdPort=$((PORT_BASE + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$TMP/munge.sock
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
DefMemPerCPU=256
ReturnToService=2
NodeName=localhost CPUs=2 RealMemory=$MEMORY_MB State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -i -f "$SLURM_CONF" >"$TMP/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" >"$TMP/slurmd.out" 2>&1 &
PIDS+=($!)
ready=
for _ in $(seq 60); do
  if timeout 5 scontrol ping 2>/dev/null | grep -q UP \
    && timeout 5 sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
    ready=1
    break
  fi
  sleep 0.5
done
[ -n "$ready" ] || { show_logs; skip "slurmctld and slurmd did not come up (a container without the privileges they need?)"; }
echo "test-slurm: one-node cluster up ($(sinfo -h -o '%P %D %c CPUs %T'))"

# --- The README's job array ----------------------------------------------------------------------
# The script block of README.md's "Slurm job array" section, verbatim.
awk '/^### Slurm job array/ { s = 1 } s && /^```bash$/ { b = 1; next } b && /^```$/ { exit } b { print }' \
  README.md >"$TMP/work/slurm-shards.sbatch"
grep -q 'incsim run' "$TMP/work/slurm-shards.sbatch" || fail "no job array script found in README.md"

mkdir -p "$TMP/bin" && ln -s "$BIN" "$TMP/bin/incsim"
export PATH="$TMP/bin:$PATH"
export SCENARIO="$REPO/scenarios/two-services.toml" REPLICATIONS=40 SEED=3
cd "$TMP/work"
# A small cluster: the resources on the command line override the script's #SBATCH lines.
ARRAY_JOB=$(timeout 30 sbatch --parsable --array=0-3 --cpus-per-task=1 --mem=256M \
  --time=00:05:00 slurm-shards.sbatch) || { show_logs; fail "sbatch refused the job array"; }
ARRAY_JOB=${ARRAY_JOB%%;*}
# The README's merge job, waiting for the whole array.
MERGE_JOB=$(timeout 30 sbatch --parsable --dependency=afterok:"$ARRAY_JOB" --mem=1G \
  --wrap "incsim merge results/shards --out results/default") \
  || { show_logs; fail "sbatch refused the merge job"; }
MERGE_JOB=${MERGE_JOB%%;*}
echo "test-slurm: submitted array job $ARRAY_JOB (4 shards) and merge job $MERGE_JOB"

deadline=$((SECONDS + 150))
while [ -n "$(timeout 10 squeue -h -j "$ARRAY_JOB,$MERGE_JOB" 2>/dev/null)" ]; do
  if [ $SECONDS -ge $deadline ]; then
    squeue || true
    show_logs
    fail "the jobs did not finish within 150 s"
  fi
  sleep 1
done

[ -f results/default/summary.json ] || { show_logs; fail "the merge job wrote no results/default/summary.json"; }
ls results/shards/shard-{0,1,2,3}-of-4.json >/dev/null || fail "shard files missing"

# --- The same run on this machine, compared byte for byte --------------------------------------
incsim run "$SCENARIO" --replications "$REPLICATIONS" --seed "$SEED" --out direct --quiet >/dev/null
n=0
for f in direct/* direct/.incsim-manifest; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  cmp "$f" "results/default/$name" || fail "$name differs between the Slurm run and a direct run"
  n=$((n + 1))
done
extra=$(comm -13 <(ls -A direct | sort) <(ls -A results/default | sort))
[ -z "$extra" ] || fail "the Slurm run wrote files a direct run does not: $extra"
echo "test-slurm: the 4-task Slurm job array and its merge job wrote the same $n files as a direct run, byte for byte"

# --- The README's select loop: one job array per KN stage, then a merge ----------------------
awk '/^until \[ -e results\/select\/selection.json \]/ { b = 1 } b { print } b && /^done$/ { exit }' \
  "$REPO/README.md" | sed -e "s#my.toml#$SCENARIO#" -e 's#--array=0-7#--array=0-3#' -e 's#}/8 #}/4 #' \
  >select-loop.sh  # this scenario, and 4 tasks per stage for the 2-CPU node
grep -q 'select' select-loop.sh || fail "no select loop found in README.md"
timeout 150 bash -e select-loop.sh >select-loop.log 2>&1 || { cat select-loop.log; show_logs; fail "the select loop did not finish within 150 s"; }
[ -f results/select/selection.json ] || { cat select-loop.log; fail "the select loop wrote no selection.json"; }
stages=$(grep -c '^Submitted batch job' select-loop.log || true)
incsim select "$SCENARIO" --delta 10000 --out direct-select --quiet >/dev/null
cmp direct-select/selection.json results/select/selection.json \
  || fail "selection.json differs between the Slurm stages and a direct select"
echo "test-slurm: PASSED: the job array and the select loop ($stages stages of 4-task arrays) wrote the same files as direct runs, byte for byte"

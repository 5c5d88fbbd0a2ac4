#!/bin/sh
# Write the built-in scenario with K strategies to stdout: `reactive`, `proactive`, and K − 2
# copies of `proactive` that differ only in annual_cost (issue 18: memory with many strategies).
# Usage: scripts/many-strategies.sh 1001 > /tmp/k1001.toml
set -eu
k=${1:?usage: $0 STRATEGIES}
cat "$(dirname "$0")/../scenarios/default.toml"
i=2
while [ "$i" -lt "$k" ]; do
  cat <<TOML

[strategies.proactive-$i]
monitoring = { coverage = 0.85, detect = { dist = "exponential", mean = "15m" }, outage_detect = "2m", false_alarms_per_week = 2, triage = "10m" }
alert_tier = "help-desk"
route_direct = 0.7
escalate_after = "30m"
handoff = "5m"
fix_multiplier = 0.8
annual_cost = $((60000 + 10 * i))
ticket_deflection = 0.5
TOML
  i=$((i + 1))
done

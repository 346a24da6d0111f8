#!/usr/bin/env bash
# The hub under each --fsync policy, side by side in one table: ../shared/bench/compare runs
# the scenario once per policy (the hub on CPU 0, the load generator on CPU 1, an idle
# machine first), each result is labelled hub-POLICY, and the load generator's report prints
# them together, with the ratio to the first policy given.
#
#   loadtest/fsync-compare.sh SCENARIO [--policies none,always,everysec] [--repeat N] -- LOADGEN-ARGS
#
# e.g. loadtest/fsync-compare.sh saturate -- --parties 200 --size 5 --window 4 --warmup 3 --duration 15
# Run from the repository root after `swift build -c release`.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
bench=${PARTYHUB_SHARED:-../shared}/bench
scenario=${1:?usage: $0 SCENARIO [--policies LIST] [--repeat N] -- LOADGEN-ARGS}
shift
policies=none,always repeat=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --policies) policies=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=$(mktemp -d "${TMPDIR:-/tmp}/partyhub-fsync-compare.XXXXXX")
results=()
for round in $(seq "$repeat"); do
  for policy in ${policies//,/ }; do
    export HUB_CMD=".build/release/partyhub serve --host 127.0.0.1 --port \$PORT --jwt-secret \$SECRET --data-dir \$DATADIR --chat-rate 0 --signal-rate 0 --command-rate 0 --max-connections-per-ip 0 --ip-handshake-rate 0 --inbound-message-rate 0 --party-create-rate 0 --fsync $policy"
    "$bench/compare" "$scenario" --targets hub --no-setup --out "$out/$policy-$round" -- "$@" >/dev/null 2>&1 || true
    json="$out/$policy-$round/hub.json"
    [[ -f $json ]] || { echo "no result for $policy (see $out/$policy-$round)" >&2; continue; }
    python3 - "$json" "hub-$policy" <<'PY'
import json, sys
path, label = sys.argv[1], sys.argv[2]
with open(path) as f: result = json.load(f)
result["label"] = label
with open(path, "w") as f: json.dump(result, f)
PY
    results+=("$json")
  done
done
loadgen=$("$bench/loadgen/build.sh" | tail -1)
"$loadgen" report --best-exclude none "${results[@]}"
echo "(results in $out)"

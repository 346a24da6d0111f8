#!/usr/bin/env bash
# The flood figure: a normal party's chat latency with and without a flood against the
# per-address and per-player limits. Run from the repository root:
#
#   loadtest/flood.sh [--duration 10] [--rate 50] [--workers 64] [--no-build]
#
# Builds the release server (unless --no-build) and runs it with one event loop on CPU 0 and
# the limits on (--max-connections-per-ip 256, --ip-handshake-rate 50 with a burst of 100,
# --max-sessions-per-player 8, 127.0.0.1 trusted as a proxy so X-Forwarded-For names the
# client). On CPU 1 (loadtest/flood.py): the party's probe alone for --duration seconds, then
# the attackers (upgrades from one address with --workers connections at once, and sessions of
# one player from many addresses) with the probe again. Prints one JSON object: the probe's
# figures for both phases, the attackers' counts, and the ratio of the p99s (the issue asks for
# at most 2). Exits non-zero if the party lost or reordered a chat. PORT (18094) may be set.
set -euo pipefail
duration=10 rate=50 workers=64 build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "usage: $0 [--duration S] [--rate PER_SECOND] [--workers N] [--no-build]" >&2; exit 2 ;;
  esac
done
[[ -f Package.swift && -f loadtest/flood.py ]] || { echo "run from the repository root" >&2; exit 2; }
port=${PORT:-18094}
secret=partyhub-bench-secret-0123456789
work=$(mktemp -d /tmp/partyhub-flood.XXXXXX)
server_pid="" attack_pid=""
cleanup() {
  for pid in $attack_pid $server_pid; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  [[ -n ${KEEP:-} ]] && echo "flood.sh: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

if [[ $build == 1 ]]; then
  swift build -c release --product partyhub >&2
fi
[[ -x .build/release/partyhub ]] || { echo "no .build/release/partyhub: build it (or drop --no-build)" >&2; exit 2; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "flood.sh: port $port is already in use (set PORT)" >&2; exit 2
fi
ulimit -n "$(ulimit -Hn)"

# Benchmarks on this machine take turns (the other scripts take the same lock).
exec 9>/tmp/partyhub-bench.lock
if ! flock -n 9; then
  echo "flood.sh: waiting for another benchmark to finish (/tmp/partyhub-bench.lock)" >&2
  flock -w 3600 9 || echo "flood.sh: could not get the lock; running anyway" >&2
fi

taskset -c 0 .build/release/partyhub serve --host 127.0.0.1 --port "$port" --jwt-secret "$secret" \
  --data-dir "$work/data" --threads 1 --chat-rate 0 \
  --max-connections-per-ip 256 --ip-handshake-rate 50 --ip-handshake-burst 100 --max-sessions-per-player 8 \
  --trusted-proxies 127.0.0.1 --log-level warning 2>"$work/server.log" 9>&- &
server_pid=$!
for _ in $(seq 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "flood.sh: the server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done

common=(--port "$port" --secret "$secret")
taskset -c 1 python3 loadtest/flood.py probe "${common[@]}" --duration "$duration" --rate "$rate" >"$work/baseline.json" 9>&-
# The attackers start first and outlast the probe by a second on each side.
taskset -c 1 python3 loadtest/flood.py attack "${common[@]}" --duration "$(python3 -c "print($duration + 2)")" \
  --workers "$workers" >"$work/attack.json" 9>&- &
attack_pid=$!
sleep 1
taskset -c 1 python3 loadtest/flood.py probe "${common[@]}" --duration "$duration" --rate "$rate" >"$work/flood.json" 9>&-
wait "$attack_pid"
attack_pid=""
metrics=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/metrics').read().decode())" |
  grep -E '^partyhub_(handshake_failures_total\{reason="ip_|websocket_closes_total\{code="4008")' || true)

python3 - "$work" "$metrics" <<'PY'
import json, sys
work, metrics = sys.argv[1], sys.argv[2]
baseline, flood = (json.load(open(f"{work}/{name}.json")) for name in ("baseline", "flood"))
attack = json.load(open(f"{work}/attack.json"))
ratio = round(flood["p99_ms"] / baseline["p99_ms"], 2) if baseline["p99_ms"] and flood["p99_ms"] else None
server = {line.split(" ")[0]: int(float(line.split(" ")[1])) for line in metrics.splitlines() if line}
print(json.dumps({"baseline": baseline, "flood": flood, "attack": attack, "server": server, "p99_ratio": ratio}, indent=2))
lost = any(run["missing"] or run["out_of_order"] for run in (baseline, flood))
sys.exit(1 if lost else 0)
PY

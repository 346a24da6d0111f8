#!/usr/bin/env bash
# The flood figure: a normal party's chat latency with and without a flood against the
# per-address and per-player limits. Run from the repository root:
#
#   loadtest/flood.sh [--rounds 5] [--fsync always|everysec|none] [--tls] [--duration 10] [--rate 50] [--workers 64] [--no-build]
#
# Builds the release server (unless --no-build) and runs it with one event loop on CPU 0 and
# the limits on (--max-connections-per-ip 256, --ip-handshake-rate 50 with a burst of 100,
# --max-sessions-per-player 8, 127.0.0.1 trusted as a proxy so X-Forwarded-For names the
# client). On CPU 1 (loadtest/flood.py), --rounds times: the party's probe alone for
# --duration seconds, then the attackers (upgrades from one address with --workers connections
# at once, and sessions of one player from many addresses) with the probe again. The phases
# alternate so that the disk's slow spells (every chat is synced under --fsync always, the
# default; --fsync none leaves the CPU's share alone) fall on both. The attackers run at the
# lowest CPU priority: they share the load core with the probe, whose own reads they must not
# delay (on the internet they are other machines). Each phase's latencies are pooled over the
# rounds. --tls adds a TLS listener (a certificate made with the `openssl` CLI) and a third
# attacker: TLS handshakes as fast as 16 connections allow from 127.0.0.2, which the server
# does not trust as a proxy, so it charges them at accept. Prints one JSON object: the pooled figures
# of both phases, each round's p99s, the attackers' counts, the server's refusal metrics, and
# the ratio of the pooled p99s (the issue asks for at most 2). Exits non-zero if the party lost
# or reordered a chat. PORT (18094) may be set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rounds=5 duration=10 rate=50 workers=64 build=1 fsync=always tls=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --fsync) fsync=$2; shift 2 ;;
    --tls) tls=1; shift ;;
    --duration) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "usage: $0 [--rounds N] [--fsync POLICY] [--tls] [--duration S] [--rate PER_SECOND] [--workers N] [--no-build]" >&2; exit 2 ;;
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
require_free_port flood.sh "$port"
ulimit -n "$(ulimit -Hn)"

take_bench_lock flood.sh

listen=()
attack_tls=()
if [[ $tls == 1 ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  listen=(--tls-port "$((port + 1))" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
  attack_tls=(--tls-port "$((port + 1))" --ca "$work/cert.pem")
fi
taskset -c 0 .build/release/partyhub serve --host 127.0.0.1 --port "$port" "${listen[@]}" --jwt-secret "$secret" \
  --data-dir "$work/data" --threads 1 --chat-rate 0 --fsync "$fsync" \
  --max-connections-per-ip 256 --ip-handshake-rate 50 --ip-handshake-burst 100 --max-sessions-per-player 8 \
  --trusted-proxies 127.0.0.1 --log-level warning 2>"$work/server.log" 9>&- &
server_pid=$!
wait_for_server flood.sh "$port" "$server_pid" "$work/server.log"

common=(--port "$port" --secret "$secret")
for round in $(seq "$rounds"); do
  taskset -c 1 python3 loadtest/flood.py probe "${common[@]}" --duration "$duration" --rate "$rate" >"$work/baseline-$round.json" 9>&-
  # The attackers start first and outlast the probe by a second on each side.
  taskset -c 1 nice -n 19 python3 loadtest/flood.py attack "${common[@]}" --duration "$(python3 -c "print($duration + 2)")" \
    --workers "$workers" "${attack_tls[@]}" >"$work/attack-$round.json" 9>&- &
  attack_pid=$!
  sleep 1
  taskset -c 1 python3 loadtest/flood.py probe "${common[@]}" --duration "$duration" --rate "$rate" >"$work/flood-$round.json" 9>&-
  wait "$attack_pid"
  attack_pid=""
done
metrics=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/metrics').read().decode())" |
  grep -E '^partyhub_(handshake_failures_total\{reason="ip_|websocket_closes_total\{code="4008"|tls_handshakes_total)' || true)

python3 - "$work" "$metrics" "$rounds" <<'PY'
import json, sys
work, metrics, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
load = lambda name: [json.load(open(f"{work}/{name}-{r}.json")) for r in range(1, rounds + 1)]
baseline, flood, attack = load("baseline"), load("flood"), load("attack")

def percentile(values, p):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 3) if ordered else None

def pooled(runs):
    latencies = [value for run in runs for value in run["latencies_ms"]]
    return {"chats": sum(run["chats"] for run in runs), "deliveries": len(latencies),
            "missing": sum(run["missing"] for run in runs), "out_of_order": sum(run["out_of_order"] for run in runs),
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "max_ms": max(latencies, default=None)}

alone, under = pooled(baseline), pooled(flood)
ratio = round(under["p99_ms"] / alone["p99_ms"], 2) if alone["p99_ms"] and under["p99_ms"] else None
totals = {}
for run in attack:
    for key, value in run.items():
        if isinstance(value, (int, float)):
            totals[key] = totals.get(key, 0) + value
        elif isinstance(value, dict):
            inner = totals.setdefault(key, {})
            for k, v in value.items():
                inner[k] = inner.get(k, 0) + v
server = {line.split(" ")[0]: int(float(line.split(" ")[1])) for line in metrics.splitlines() if line}
print(json.dumps({
    "baseline": alone, "flood": under,
    "rounds": [{"p99_alone_ms": b["p99_ms"], "p99_flood_ms": f["p99_ms"]} for b, f in zip(baseline, flood)],
    "attack": totals, "server": server, "p99_ratio": ratio}, indent=2))
sys.exit(1 if alone["missing"] or alone["out_of_order"] or under["missing"] or under["out_of_order"] else 0)
PY

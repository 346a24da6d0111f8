#!/usr/bin/env bash
# Persistence benchmarks on release builds (docs/BENCHMARKS.md, "Durability"):
#   1. recovery: a data directory with 1,000,000 log records after its last snapshot; the time
#      from starting `partyhub serve` to its listening line;
#   2. a 100,000-party hub: its snapshot's size and time, and the fanout load's p99 latency
#      and the loop's longest turn with a snapshot taken during the measured window, beside
#      the same run with no snapshot.
# The server runs on CPU 0 (one loop), the load generator on CPU 1. Run from the repository
# root: loadtest/persistence.sh. Fixtures are written by PersistenceFixtureTests through the
# real log writer, snapshot store and codec, in a build folder of their own (.build-fixture).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
bench=${PARTYHUB_SHARED:-../shared}/bench
work=$(mktemp -d "${TMPDIR:-/tmp}/partyhub-persistence.XXXXXX")
port=18093
server=""
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

swift build -c release >/dev/null
swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path .build-fixture >/dev/null
loadgen=$("$bench/loadgen/build.sh" | tail -1)

fixture() {  # KIND DIR
  mkdir -p "$2"
  PARTYHUB_FIXTURE_DIR=$2 PARTYHUB_FIXTURE_KIND=$1 swift test -c release -Xswiftc -enable-testing \
    --scratch-path .build-fixture --skip-build --filter PersistenceFixtureTests 2>&1 | grep '^fixture:'
}

serve() {  # DIR EXTRA-ARGS...; sets $server and prints the ms until the listening line
  local dir=$1; shift
  : >"$work/server.log"
  local start; start=$(date +%s%N)
  taskset -c 0 .build/release/partyhub serve --host 127.0.0.1 --port $port --jwt-secret bench --data-dir "$dir" \
    --threads 1 --chat-rate 0 --signal-rate 0 --command-rate 0 --max-connections-per-ip 0 --ip-handshake-rate 0 --inbound-message-rate 0 --party-create-rate 0 --reconnect-grace 1h "$@" 2>"$work/server.log" &
  server=$!
  until grep -q 'partyhub listening' "$work/server.log"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.01
  done
  echo "listening after $(( ($(date +%s%N) - start) / 1000000 )) ms; $(grep -o 'recovered.*' "$work/server.log")"
}

stop() {
  kill -TERM "$server"; wait "$server" || true; server=""
}

echo "== recovery: 1,000,000 records after the last snapshot"
fixture log "$work/log"
for run in 1 2 3; do
  rm -rf "$work/run"; cp -r "$work/log" "$work/run"
  serve "$work/run"
  stop
done

echo "== 100,000 parties: fanout with and without a snapshot in the window"
fixture parties "$work/parties"
for every in 1000000000 100000; do
  rm -rf "$work/run"; cp -r "$work/parties" "$work/run"
  serve "$work/run" --snapshot-every "$every"
  taskset -c 1 "$loadgen" fanout --url "ws://127.0.0.1:$port/api/v1/social/party/ws" --secret bench --server-pid "$server" \
    --parties 200 --size 5 --rate 20 --payload 64 --warmup 1 --duration 8 2>&1 | grep -E '^(latency|delivery)'
  curl -s "127.0.0.1:$port/metrics" | grep -E '^partyhub_(event_loop_turn_max_seconds|snapshot_bytes|snapshot_seconds|snapshots_total)'
  stop
  grep -o 'snapshot written.*' "$work/server.log" || true
done

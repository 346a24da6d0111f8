#!/usr/bin/env bash
# The service event bus figure (docs/BENCHMARKS.md, "Service events"): the release server with
# one event loop on CPU 0 (`--fsync always` unless --fsync says otherwise), the bench
# (loadtest/events_bench.py: batches posted over HTTP, the event stream read over a WebSocket)
# on CPU 1. Run from the repository root:
#
#   loadtest/events.sh [--fsync always|everysec|none] [-- BENCH-ARGS...]   (e.g. -- --batch 100 --concurrency 4)
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
fsync=always
while [[ $# -gt 0 ]]; do
  case $1 in
    --fsync) fsync=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--fsync POLICY] [-- BENCH-ARGS...]" >&2; exit 2 ;;
  esac
done
port=${PORT:-18094}
secret=partyhub-bench-secret-0123456789
work=$(mktemp -d "${TMPDIR:-/tmp}/partyhub-events.XXXXXX")
server=""
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
swift build -c release >/dev/null
taskset -c 0 .build/release/partyhub serve --host 127.0.0.1 --port "$port" --jwt-secret "$secret" --data-dir "$work/data" \
  --threads 1 --fsync "$fsync" --chat-rate 0 --signal-rate 0 --command-rate 0 --max-connections-per-ip 0 --ip-handshake-rate 0 --inbound-message-rate 0 --party-create-rate 0 --reconnect-grace 1h 2>"$work/server.log" &
server=$!
until grep -q 'partyhub listening' "$work/server.log"; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done
echo "fsync $fsync"
taskset -c 1 python3 loadtest/events_bench.py --port "$port" --secret "$secret" "$@"
ps -o rss=,times= -p "$server" | awk '{printf "server:     %.1f MiB RSS, %s s CPU since start\n", $1/1024, $2}'

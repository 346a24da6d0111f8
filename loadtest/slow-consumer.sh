#!/usr/bin/env bash
# The slow-consumer figure: the delivery latency of chatting party members, without and with a
# stalled (never reading) fifth member in each of their parties, on a server that also carries
# the shared load generator's fanout traffic. Run from the repository root after
# `swift build -c release`:
#
#   loadtest/slow-consumer.sh [--parties 20] [--duration 30] [--max-outbound 256KiB] [--background-parties 100]
#
# The hub runs on CPU 0; the load generator and the Python bots on CPU 1. Prints two JSON lines
# (stall false, then true) from loadtest/slow_consumer.py.
set -euo pipefail
parties=20 duration=30 max_outbound=256KiB background=100
while [[ $# -gt 0 ]]; do
  case $1 in
    --parties) parties=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --max-outbound) max_outbound=$2; shift 2 ;;
    --background-parties) background=$2; shift 2 ;;
    *) echo "usage: $0 [--parties N] [--duration S] [--max-outbound SIZE] [--background-parties N]" >&2; exit 2 ;;
  esac
done
root=$(pwd)
shared=${PARTYHUB_SHARED:-$root/../shared}
port=${PORT:-18092}
secret=partyhub-bench-secret-0123456789
url=ws://127.0.0.1:$port/api/v1/social/party/ws
work=$(mktemp -d /tmp/partyhub-slow.XXXXXX)
loadgen=$("$shared/bench/loadgen/build.sh")
[[ -x .build/release/partyhub ]] || { echo "build first: swift build -c release" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"

for stall in "" --stall; do
  taskset -c 0 .build/release/partyhub serve --host 127.0.0.1 --port "$port" --jwt-secret "$secret" \
    --data-dir "$work/data" --chat-rate 0 --max-connections-per-ip 0 --ip-handshake-rate 0 --inbound-message-rate 0 --party-create-rate 0 --max-outbound-bytes "$max_outbound" --log-level warning 2>"$work/server.log" &
  server=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  taskset -c 1 "$loadgen" fanout --url "$url" --secret "$secret" --parties "$background" --size 5 --rate 20 \
    --warmup 1 --duration "$((duration + 10))" --bot-offset 100000 >"$work/background.log" 2>&1 &
  background_pid=$!
  sleep 3
  taskset -c 1 python3 loadtest/slow_consumer.py --url "$url" --secret "$secret" --parties "$parties" \
    --duration "$duration" --server-pid "$server" $stall
  wait "$background_pid" || true
  kill -TERM "$server"
  wait "$server" || true
done
rm -rf "$work"

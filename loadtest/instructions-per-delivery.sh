#!/usr/bin/env bash
# Instructions per delivery: the server's user-space instructions (valgrind's callgrind, which
# counts the same on a busy or an idle machine) over a fixed closed-loop `saturate` run,
# counted only during the measured window, divided by the chat deliveries in that window.
#
#   loadtest/instructions-per-delivery.sh [hub|c-epoll] [--parties 20] [--warmup 4] [--duration 10]
#
# Run from the repository root after `swift build -c release`. The server runs on CPU 0 under
# callgrind, the shared load generator on CPU 1. Prints one line: target, instructions in the
# window, deliveries in the window, instructions per delivery. Kernel work (syscalls, TCP) is
# not counted: callgrind sees user space only.
set -euo pipefail
target=${1:-hub}
shift || true
parties=20 warmup=4 duration=10
while [[ $# -gt 0 ]]; do
  case $1 in
    --parties) parties=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "usage: $0 [hub|c-epoll] [--parties N] [--warmup S] [--duration S]" >&2; exit 2 ;;
  esac
done
root=$(pwd)
shared=${PARTYHUB_SHARED:-$root/../shared}
cache=${PARTYHUB_BENCH_CACHE:-/tmp/partyhub-bench}
port=${PORT:-18091}
secret=partyhub-bench-secret-0123456789
work=$(mktemp -d /tmp/partyhub-ipd.XXXXXX)
loadgen=$("$shared/bench/loadgen/build.sh")
case $target in
  hub)
    [[ -x .build/release/partyhub ]] || { echo "build first: swift build -c release" >&2; exit 2; }
    # Valgrind gives up on the DWARF this toolchain writes ("possibly corrupted debuginfo"):
    # a copy without it keeps the symbol table, which is all callgrind's function names need.
    objcopy --strip-debug .build/release/partyhub "$work/partyhub"
    server=("$work/partyhub" serve --host 127.0.0.1 --port "$port" --jwt-secret "$secret" --data-dir "$work/data"
      --chat-rate 0 --max-connections-per-ip 0 --ip-handshake-rate 0 --inbound-message-rate 0 --party-create-rate 0 --threads 1 --log-level warning) ;;
  c-epoll)
    "$shared/bench/peers/c-epoll/setup.sh" >/dev/null
    server=("$cache/c-epoll/partyhub-c-epoll" --port "$port" --secret "$secret") ;;
  *) echo "unknown target $target (hub, c-epoll)" >&2; exit 2 ;;
esac

taskset -c 0 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
  "${server[@]}" 2>"$work/valgrind.log" &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null || true; [[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

taskset -c 1 "$loadgen" saturate --url "ws://127.0.0.1:$port/api/v1/social/party/ws" --secret "$secret" \
  --parties "$parties" --size 5 --window 4 --warmup "$warmup" --duration "$duration" --json "$work/result.json" \
  --setup-timeout 300 --connect-timeout 30 --cmd-timeout 30 >"$work/loadgen.log" 2>&1 &
loadgen_pid=$!
# The loadgen sets the parties up, logs "warm-up", warms up, then measures: count that window.
for _ in $(seq 3000); do grep -q 'warm-up' "$work/loadgen.log" 2>/dev/null && break; sleep 0.1; done
sleep "$warmup"
callgrind_control -i on "$server_pid" >/dev/null
sleep "$duration"
callgrind_control -i off "$server_pid" >/dev/null
wait "$loadgen_pid" || { cat "$work/loadgen.log" >&2; exit 1; }
kill -TERM "$server_pid"
wait "$server_pid" || true
instructions=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$work/valgrind.log" | tail -n 1)
python3 - "$target" "$instructions" "$work/result.json" <<'PY'
import json, sys
target, instructions, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
traffic = json.load(open(path))["traffic"]
deliveries = traffic["deliveries_per_s"] * traffic["window_s"]
print(f"{target}: {instructions} instructions, {deliveries:.0f} deliveries in the window, "
      f"{instructions / deliveries:.0f} instructions per delivery")
PY

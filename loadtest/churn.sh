#!/usr/bin/env bash
# The churn figure: the party life cycle under load. Each of --groups groups of --size
# connected players creates a party, invites and accepts, joins by code, chats once each, kicks
# and leaves, over and over, one command at a time (loadtest/churn/, a Go bot). Run from the
# repository root:
#
#   loadtest/churn.sh [--groups 200] [--size 5] [--duration 15] [--warmup 3] [--fsync always|everysec|none]
#                     [--json FILE] [--plot FILE.png] [--no-build] [--tls]
#
# Builds the release server (unless --no-build), runs it with one event loop on CPU 0 and the
# bot on CPU 1, then stops the server and prints the bot's report (commands/s and latency per
# op, events/s, errors by code, the server's CPU and RSS). Exits non-zero when any command
# failed. --plot draws the run's per-second latency percentiles and throughput into a PNG
# (loadtest/plot.py, which needs matplotlib: pip install matplotlib), also for a failed run.
# PORT (18093) and PARTYHUB_BENCH_CACHE (/tmp/partyhub-bench) may be set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
groups=200 size=5 duration=15 warmup=3 json="" plot="" build=1 fsync=always tls=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --groups) groups=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    --plot) plot=$2; shift 2 ;;
    --fsync) fsync=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --tls) tls=1; shift ;;
    *) echo "usage: $0 [--groups N] [--size N] [--duration S] [--warmup S] [--fsync POLICY] [--json FILE] [--plot FILE.png] [--no-build] [--tls]" >&2; exit 2 ;;
  esac
done
[[ -f Package.swift && -d loadtest/churn ]] || { echo "run from the repository root" >&2; exit 2; }
# Checked before the run, not after it: a missing matplotlib should not cost a benchmark.
if [[ -n $plot ]] && ! python3 -c 'import matplotlib' 2>/dev/null; then
  echo "churn.sh: --plot needs matplotlib: pip install matplotlib" >&2; exit 2
fi
port=${PORT:-18093}
secret=partyhub-bench-secret-0123456789
work=$(mktemp -d /tmp/partyhub-churn.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [[ -n ${KEEP:-} ]] && echo "churn.sh: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

bot=$(loadtest/churn/build.sh)
if [[ $build == 1 ]]; then
  swift build -c release --product partyhub >&2
fi
[[ -x .build/release/partyhub ]] || { echo "no .build/release/partyhub: build it (or drop --no-build)" >&2; exit 2; }
require_free_port churn.sh "$port"
ulimit -n "$(ulimit -Hn)"

take_bench_lock churn.sh

# --tls: the same run over wss:// only, with a certificate made here that the bot trusts.
listen=(--port "$port")
scheme=ws
bot_tls=()
if [[ $tls == 1 ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  listen=(--port off --tls-port "$port" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
  scheme=wss
  bot_tls=(--ca "$work/cert.pem")
fi
taskset -c 0 .build/release/partyhub serve --host 127.0.0.1 "${listen[@]}" --jwt-secret "$secret" \
  --data-dir "$work/data" --chat-rate 0 --command-rate 0 --signal-rate 0 --max-connections-per-ip 0 --ip-handshake-rate 0 --inbound-message-rate 0 --party-create-rate 0 --threads 1 --fsync "$fsync" \
  --log-level warning 2>"$work/server.log" 9>&- &
server_pid=$!
wait_for_server churn.sh "$port" "$server_pid" "$work/server.log"

args=(--url "$scheme://127.0.0.1:$port/api/v1/social/party/ws" "${bot_tls[@]}" --secret "$secret" --groups "$groups" --size "$size"
  --duration "$duration" --warmup "$warmup" --server-pid "$server_pid")
# The plot is drawn from the JSON: a temporary one when --json is not given.
[[ -n $plot && -z $json ]] && json=$work/result.json
[[ -n $json ]] && args+=(--json "$json")
status=0
taskset -c 1 "$bot" "${args[@]}" 9>&- || status=$?

kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
if [[ $status != 0 && -s $work/server.log ]]; then
  echo "churn.sh: server log (last 20 lines):" >&2
  tail -n 20 "$work/server.log" >&2
fi
if [[ -n $plot ]]; then
  if [[ -s $json ]]; then
    python3 loadtest/plot.py "$json" "$plot" || status=$((status == 0 ? 1 : status))
  else
    echo "churn.sh: no JSON result to plot" >&2
    [[ $status == 0 ]] && status=1
  fi
fi
exit "$status"

#!/usr/bin/env bash
# The shared bench's scenarios over wss:// beside ws://, against our release server. Run from
# the repository root:
#
#   loadtest/tls-compare.sh SCENARIO [--runs 3] [--out DIR] -- LOADGEN-ARGS
#   loadtest/tls-compare.sh saturate --runs 3 -- --parties 200 --size 5 --window 4 --warmup 3 --duration 15
#   loadtest/tls-compare.sh connect  --runs 3 -- --conns 10000 --size 5 --concurrency 50 --hold 5
#
# The shared load generator's lean epoll engine speaks ws:// only; its gorilla engine dials
# wss:// with Go's crypto/tls. So both transports here use the gorilla engine (the same client
# cost on both sides of the ratio), and Go trusts the certificate this script makes with the
# `openssl` CLI through SSL_CERT_FILE. Each run starts a fresh server on CPU 0 (one loop, the
# rate and per-address limits off, as the bench's HUB_CMD in docs/BENCHMARKS.md) and the load
# generator on CPU 1, taking the bench lock and waiting for an idle machine as `compare` does.
# The transports alternate run by run, so drift on the machine falls on both. Prints the load
# generator's table over every run; the results stay in --out.
# PORT (18094) and PARTYHUB_BENCH_CACHE (/tmp/partyhub-bench) may be set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
usage() { echo "usage: $0 fanout|saturate|connect [--runs N] [--out DIR] [--fsync POLICY] -- LOADGEN-ARGS" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
scenario=$1; shift
case $scenario in fanout|saturate|connect) ;; *) usage ;; esac
runs=3 out="" fsync=always
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --fsync) fsync=$2; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
loadgen_args=("$@")
[[ -f Package.swift && -x .build/release/partyhub ]] || { echo "run from the repository root after swift build -c release" >&2; exit 2; }
bench=${BENCH:-../shared/bench}
loadgen=$("$bench/loadgen/build.sh")
port=${PORT:-18094}
secret=partyhub-bench-secret-0123456789
out=${out:-${PARTYHUB_BENCH_CACHE:-/tmp/partyhub-bench}/results/tls-$scenario-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
require_free_port tls-compare.sh "$port"
work=$(mktemp -d /tmp/partyhub-tls-compare.XXXXXX)
server_pid=""
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

take_bench_lock tls-compare.sh

results=()
for run in $(seq "$runs"); do
  for scheme in ws wss; do
    "$loadgen" quiet --timeout 300 9>&- || true
    rm -rf "$work/data"
    if [[ $scheme == wss ]]; then
      listen=(--port off --tls-port "$port" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
    else
      listen=(--port "$port")
    fi
    taskset -c 0 .build/release/partyhub serve --host 127.0.0.1 "${listen[@]}" --jwt-secret "$secret" \
      --data-dir "$work/data" --threads 1 --fsync "$fsync" --chat-rate 0 --signal-rate 0 --command-rate 0 \
      --max-connections-per-ip 0 --ip-handshake-rate 0 --inbound-message-rate 0 --party-create-rate 0 \
      --log-level warning 2>"$out/hub-$scheme-$run.server.log" 9>&- &
    server_pid=$!
    wait_for_server tls-compare.sh "$port" "$server_pid" "$out/hub-$scheme-$run.server.log"
    sleep 0.5
    label=hub-$scheme
    SSL_CERT_FILE=$work/cert.pem taskset -c 1 "$loadgen" "$scenario" --engine gorilla \
      --url "$scheme://127.0.0.1:$port/api/v1/social/party/ws" --secret "$secret" \
      --server-pid "$server_pid" --label "$label" --json "$out/$label-$run.json" "${loadgen_args[@]}" \
      >"$out/$label-$run.txt" 2>"$out/$label-$run.loadgen.log" 9>&- \
      || echo "tls-compare.sh: the load generator failed for $label run $run (see $out/$label-$run.loadgen.log)" >&2
    stop_server
    [[ -f $out/$label-$run.json ]] && results+=("$out/$label-$run.json")
    sleep 1
  done
done
((${#results[@]})) || { echo "tls-compare.sh: no results" >&2; exit 1; }
"$loadgen" report "${results[@]}" | tee "$out/table.txt"
echo "(results in $out)"

#!/usr/bin/env bash
# Checks the deploy kit against the real program on this machine (run by .ci/run):
#   systemd-analyze verify    deploy/systemd/partyhub.service
#   promtool check rules      deploy/prometheus/alerts.yml, and its unit tests (alerts_test.yml)
#   kubernetes-validate       deploy/kubernetes/*.yaml
#   settings                  partyhub starts with the env file's and the ConfigMap's PARTYHUB_*
#   metric names              every partyhub_* name in the rules and the Grafana dashboard is
#                             exported by a running server's /metrics
#   nginx end to end          Debian's nginx with deploy/nginx/partyhub.conf (ports, paths and a
#                             test certificate substituted) in front of partyhub; a party
#                             session over wss:// through it (Python websockets), and
#                             X-Forwarded-For honoured from --trusted-proxies
#   syscall filter            every system call that server made (strace, through the session,
#                             /metrics and a SIGTERM with its final snapshot) is one the unit's
#                             SystemCallFilter allows
# The Dockerfile is not built here (no container runtime can pull images on this machine).
# Usage: deploy/check.sh [PARTYHUB_BINARY]   (default .build/debug/partyhub)
# A missing tool fails the check with the command that installs it; nothing is skipped.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

binary=$(readlink -f "${1:-.build/debug/partyhub}")
step() { printf '\n--> deploy: %s\n' "$*"; }
die() { printf '\ndeploy/check.sh: FAILED: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing ($2)"; }

[[ -x $binary ]] || die "no partyhub binary at $binary (swift build)"
need systemd-analyze "apt-get install systemd"
need promtool "apt-get install prometheus"
need kubernetes-validate "python3 -m pip install kubernetes-validate"
need nginx "apt-get install nginx"
need openssl "apt-get install openssl"
need strace "apt-get install strace"
python3 -c 'import websockets.asyncio.client' 2>/dev/null || die "python3 websockets >= 13 is missing (python3 -m pip install websockets)"

work=$(mktemp -d /tmp/partyhub-deploy.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --- systemd ------------------------------------------------------------------------------
step "systemd-analyze verify deploy/systemd/partyhub.service"
# The unit names /usr/local/bin/partyhub and /etc/partyhub/partyhub.env: point them at this
# build and the example env file, so verify checks the executable it would run.
mkdir -p "$work/systemd"
sed -e "s|^ExecStart=/usr/local/bin/partyhub|ExecStart=$binary|" \
    -e "s|^EnvironmentFile=/etc/partyhub/partyhub.env|EnvironmentFile=$PWD/deploy/systemd/partyhub.env|" \
    deploy/systemd/partyhub.service >"$work/systemd/partyhub.service"
grep -q "^ExecStart=$binary serve$" "$work/systemd/partyhub.service" || die "the unit's ExecStart line changed: update deploy/check.sh"
# verify prints warnings and errors; it exits non-zero on errors. Any output at all fails too.
if ! verify_output=$(systemd-analyze verify --man=no "$work/systemd/partyhub.service" 2>&1) || [[ -n $verify_output ]]; then
  printf '%s\n' "$verify_output" >&2
  die "systemd-analyze verify complained about deploy/systemd/partyhub.service"
fi
# The timeouts the comments promise: TimeoutStopSec above the shutdown grace.
stop_timeout=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' deploy/systemd/partyhub.service)
grace=$(sed -n 's/^PARTYHUB_SHUTDOWN_GRACE=\([0-9]*\)s$/\1/p' deploy/systemd/partyhub.env)
[[ -n $stop_timeout && -n $grace && $stop_timeout -gt $grace ]] || die "TimeoutStopSec ($stop_timeout) must be above PARTYHUB_SHUTDOWN_GRACE ($grace)"
k8s_period=$(sed -n 's/^ *terminationGracePeriodSeconds: \([0-9]*\)$/\1/p' deploy/kubernetes/partyhub.yaml)
k8s_grace=$(sed -n 's/^ *PARTYHUB_SHUTDOWN_GRACE: \([0-9]*\)s$/\1/p' deploy/kubernetes/partyhub.yaml)
[[ -n $k8s_period && -n $k8s_grace && $k8s_period -gt $k8s_grace ]] ||
  die "terminationGracePeriodSeconds ($k8s_period) must be above the ConfigMap's PARTYHUB_SHUTDOWN_GRACE ($k8s_grace)"
# Every PARTYHUB_* name in deploy/ (commented-out examples too) is one the server reads: each must be accepted.
env_names=$(sed -n 's/^#\{0,1\}\(PARTYHUB_[A-Z_]*\)=.*/\1/p' deploy/systemd/partyhub.env deploy/kubernetes/*.yaml; sed -n 's/^ *#\{0,1\} *\(PARTYHUB_[A-Z_]*\): .*/\1/p' deploy/kubernetes/*.yaml
  sed -n 's/^Environment=\(PARTYHUB_[A-Z_]*\)=.*/\1/p' deploy/systemd/partyhub.service)
help=$("$binary" serve --help 2>&1 || true)
for name in $env_names; do
  flag=--$(tr 'A-Z_' 'a-z-' <<<"${name#PARTYHUB_}")
  grep -q -- "$flag " <<<"$help" || die "$name (in deploy/) matches no flag of partyhub serve ($flag)"
done
echo "ok"

# --- Prometheus rules, Kubernetes ---------------------------------------------------------
step "promtool check rules deploy/prometheus/alerts.yml"
promtool check rules deploy/prometheus/alerts.yml
step "promtool test rules deploy/prometheus/alerts_test.yml (the main alerts fire on synthetic series)"
promtool test rules deploy/prometheus/alerts_test.yml
step "kubernetes-validate --strict deploy/kubernetes/"
kubernetes-validate --strict deploy/kubernetes/*.yaml

# --- The shipped settings start a server ---------------------------------------------------
step "partyhub starts with deploy/systemd/partyhub.env and the Kubernetes ConfigMap"
start_with_env() { # start_with_env NAME FILE: FILE holds NAME=VALUE lines; the server must listen
  local name=$1 file=$2 port="" pid
  : >"$work/$name.log"
  # As systemd's EnvironmentFile and Kubernetes' envFrom give them: no shell, no other PARTYHUB_*.
  # The flags move it to loopback, a free port and a scratch directory (flags win).
  mapfile -t settings < <(grep -E '^PARTYHUB_[A-Z_]+=' "$file")
  env -i PATH="$PATH" "${settings[@]}" "$binary" serve --host 127.0.0.1 --port 0 --data-dir "$work/$name-data" 2>"$work/$name.log" &
  pid=$!
  pids+=($pid)
  for _ in $(seq 300); do
    # The settings ask for JSON logs: {"msg":"partyhub listening","address":"127.0.0.1:PORT",...}
    port=$(sed -n 's/.*partyhub listening.*[ "]address["=:]*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -n 1)
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; die "partyhub refused the settings in $file"; }
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$work/$name.log" >&2; die "partyhub with $file did not listen within 30 s"; }
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || die "/healthz with $file"
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  [[ $status -eq 0 ]] || { tail -n 20 "$work/$name.log" >&2; die "partyhub with $file exited with $status on SIGTERM"; }
  echo "ok: $file ($(grep -c . <<<"$(printf '%s\n' "${settings[@]}")") settings)"
}
start_with_env systemd-env deploy/systemd/partyhub.env
printf 'k8s-secret\n' >"$work/jwt-secret"
python3 - deploy/kubernetes/partyhub.yaml "$work/jwt-secret" >"$work/configmap.env" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc["kind"] == "ConfigMap":
        for key, value in doc["data"].items():
            if key == "PARTYHUB_JWT_SECRET_FILE":
                value = sys.argv[2]  # the Secret's mount, here a scratch file
            print(f"{key}={value}")
PY
start_with_env configmap "$work/configmap.env"

# --- The real server ----------------------------------------------------------------------
start_hub() { # start_hub NAME ARGS...: starts partyhub, sets hub_port
  local name=$1; shift
  : >"$work/$name.log"
  strace -f -qq -c -o "$work/$name.syscalls" "$binary" serve --host 127.0.0.1 --port 0 --data-dir "$work/$name-data" "$@" 2>"$work/$name.log" &
  pids+=($!)
  local pid=$! port=""
  for _ in $(seq 300); do
    port=$(sed -n 's/.*partyhub listening address=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -n 1)
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; die "partyhub exited before listening"; }
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$work/$name.log" >&2; die "partyhub did not listen within 30 s"; }
  hub_port=$port
  hub_pid=$pid
}

secret=deploy-check-$RANDOM$RANDOM
start_hub hub --jwt-secret "$secret" --trusted-proxies 127.0.0.1 --max-connections-per-ip 2
echo "partyhub listening on 127.0.0.1:$hub_port"

step "every metric the rules and the dashboard use is exported"
curl -fsS "http://127.0.0.1:$hub_port/metrics" >"$work/metrics.txt" || die "GET /metrics failed"
python3 - "$work/metrics.txt" deploy/prometheus/alerts.yml deploy/grafana/partyhub.json <<'PY'
import json, re, sys
exported = set()
for line in open(sys.argv[1]):
    match = re.match(r"# TYPE (partyhub_\w+) (\w+)", line)
    if match:
        name, kind = match.groups()
        exported.add(name)
        if kind == "histogram":
            exported.update(name + suffix for suffix in ("_bucket", "_sum", "_count"))
if len(exported) < 20:
    sys.exit(f"only {len(exported)} partyhub metrics exported: is this /metrics?")
dashboard = json.load(open(sys.argv[3]))
expressions = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
missing = {}
for source, text in ((sys.argv[2], open(sys.argv[2]).read()), (sys.argv[3], "\n".join(expressions))):
    used = set(re.findall(r"\bpartyhub_[a-z0-9_]+", text))
    if not used:
        sys.exit(f"{source} uses no partyhub metric: the check is reading the wrong thing")
    for name in sorted(used - exported):
        missing.setdefault(name, []).append(source)
    print(f"{source}: {len(used)} metric names, all exported" if not used - exported else f"{source}: {len(used)} names")
if missing:
    for name, sources in missing.items():
        print(f"not exported by /metrics: {name} (used in {', '.join(sources)})", file=sys.stderr)
    sys.exit(1)
PY

# --- nginx in front, end to end -----------------------------------------------------------
step "nginx (deploy/nginx/partyhub.conf) in front of partyhub, a party session over wss://"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null ||
  die "openssl could not make the test certificate"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nginx_port=$(free_port)
nginx_plain_port=$(free_port)
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
# The shipped config with this machine's ports and paths: loopback only, the test certificate.
sed -e "s|server 127.0.0.1:8084;|server 127.0.0.1:$hub_port;|" \
    -e "s|listen 443 ssl;|listen 127.0.0.1:$nginx_port ssl;|" \
    -e "s|listen 80;|listen 127.0.0.1:$nginx_plain_port;|" \
    -e '/listen \[::\]/d' \
    -e "s|ssl_certificate .*|ssl_certificate $work/cert.pem;|" \
    -e "s|ssl_certificate_key .*|ssl_certificate_key $work/key.pem;|" \
    -e "s|shared:partyhub_tls:10m|shared:partyhub_tls:1m|" \
    -e "s|access_log /var/log/nginx/partyhub.access.log|access_log $work/nginx/logs/partyhub.access.log|" \
    deploy/nginx/partyhub.conf >"$work/nginx/partyhub.conf"
for expected in "$hub_port;" "$nginx_port ssl;" "$work/cert.pem;" "$work/key.pem;" "$work/nginx/logs/partyhub.access.log partyhub_no_query;"; do
  grep -qF "$expected" "$work/nginx/partyhub.conf" || die "templating deploy/nginx/partyhub.conf left out $expected: update deploy/check.sh"
done
user_line=""
[[ $(id -u) -eq 0 ]] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
daemon off;
master_process on;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log info;
events { worker_connections 256; }
http {
    access_log $work/nginx/logs/access.log;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    include $work/nginx/partyhub.conf;
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -t 2>&1 || die "nginx -t refused the config"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx/logs/stderr.log" &
nginx_pid=$!
pids+=($nginx_pid)
up=""
for _ in $(seq 100); do
  if curl -fsS --cacert "$work/cert.pem" "https://127.0.0.1:$nginx_port/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/nginx/logs/"* >&2; die "nginx exited"; }
  sleep 0.1
done
[[ -n $up ]] || { cat "$work/nginx/logs/"* >&2; die "GET /healthz through nginx never answered 200"; }
echo "nginx (pid $nginx_pid) on https://127.0.0.1:$nginx_port -> partyhub on $hub_port: /healthz 200"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/cert.pem" "https://127.0.0.1:$nginx_port/metrics")
[[ $code == 404 ]] || die "/metrics through nginx answered $code, not 404"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$nginx_plain_port/healthz")
[[ $code == 308 ]] || die "plain http through nginx answered $code, not 308"

url="wss://127.0.0.1:$nginx_port/api/v1/social/party/ws"
python3 Tests/RealtimeTests/Interop/python_client.py --url "$url" --secret "$secret" --ca "$work/cert.pem" ||
  { tail -n 20 "$work/hub.log" "$work/nginx/logs/error.log" >&2; die "the party session through nginx failed"; }
python3 deploy/check/forwarded_for.py --url "$url" --secret "$secret" --ca "$work/cert.pem" ||
  { tail -n 20 "$work/hub.log" >&2; die "X-Forwarded-For through nginx"; }
if grep -q 'token=' "$work/nginx/logs/partyhub.access.log" "$work/nginx/logs/access.log"; then
  die "nginx logged a sign-in token (the upgrade's ?token=): its access log must leave out the query"
fi
grep -q '"GET /api/v1/social/party/ws HTTP/1.1" 101 ' "$work/nginx/logs/partyhub.access.log" ||
  die "nginx's partyhub access log shows no 101 upgrade: did the session go through nginx?"

step "the unit's SystemCallFilter allows every system call partyhub made"
server_pid=$(pgrep -P "$hub_pid" -x partyhub | head -n 1)
[[ -n $server_pid ]] || die "cannot find partyhub under strace (pid $hub_pid)"
kill -TERM "$server_pid"
status=0
wait "$hub_pid" || status=$?
[[ $status -eq 0 ]] || { tail -n 20 "$work/hub.log" >&2; die "partyhub under strace exited with $status on SIGTERM"; }
python3 - deploy/systemd/partyhub.service "$work/hub.syscalls" <<'PY'
import re, subprocess, sys

def expand(name):
    """The system calls a systemd syscall group (or one call) stands for."""
    if not name.startswith("@"):
        return {name}
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True, check=True).stdout
    calls = set()
    for line in out.splitlines():
        item = line.strip()
        if not item or item.startswith("#") or item == name:
            continue
        if item.startswith("@"):
            calls |= expand(item.split()[0])
        elif re.fullmatch(r"[a-z_0-9]+", item):
            calls.add(item)
    return calls

allowed, denied = set(), set()
for line in open(sys.argv[1]):
    match = re.match(r"SystemCallFilter=(~?)(.*)", line.strip())
    if match:
        for item in match.group(2).split():
            (denied if match.group(1) else allowed).update(expand(item))
if len(allowed) < 100:
    sys.exit(f"the unit's SystemCallFilter allows only {len(allowed)} calls: is it read right?")
used = set()
for line in open(sys.argv[2]):
    fields = line.split()
    if fields and fields[0][0].isdigit() and re.fullmatch(r"[a-z_0-9]+", fields[-1]) and fields[-1] != "total":
        used.add(fields[-1])
if len(used) < 20:
    sys.exit(f"strace saw only {len(used)} system calls: is its summary read right?")
refused = sorted(call for call in used if call not in allowed or call in denied)
if refused:
    sys.exit("partyhub made system calls deploy/systemd/partyhub.service would kill it for: " + ", ".join(refused))
print(f"{len(used)} system calls made, all allowed by the unit's filter ({len(allowed - denied)} allowed)")
PY

step "deploy kit: all checks passed"

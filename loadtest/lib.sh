# What the load-test scripts share; sourced (`. "$(dirname "$0")/lib.sh"`), not run.

# Exits 2 when something already listens on 127.0.0.1:PORT.
require_free_port() {  # NAME PORT
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    echo "$1: port $2 is already in use (set PORT)" >&2; exit 2
  fi
}

# Benchmarks on this machine take turns: the shared bench's compare takes the same lock. Holds
# it on descriptor 9 until the script exits (pass 9>&- to the servers and clients it starts).
take_bench_lock() {  # NAME
  exec 9>/tmp/partyhub-bench.lock
  if ! flock -n 9; then
    echo "$1: waiting for another benchmark to finish (/tmp/partyhub-bench.lock)" >&2
    flock -w 3600 9 || echo "$1: could not get the lock; running anyway" >&2
  fi
}

# Waits up to 30 s until the server accepts on 127.0.0.1:PORT; exits 1 with its log if it
# exited first (LOG may be empty).
wait_for_server() {  # NAME PORT PID [LOG]
  for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    if ! kill -0 "$3" 2>/dev/null; then
      echo "$1: the server exited:" >&2
      [[ -n ${4:-} && -f ${4:-} ]] && cat "$4" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$1: the server did not listen on $2 within 30 s" >&2; exit 1
}

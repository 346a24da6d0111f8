#!/usr/bin/env python3
"""Joins by invite code per second: members of one organization join its groups by code and
leave them again, as fast as the server answers, each answer durable before it is sent.

    group_joins.py [--binary .build/release/partyhub] [--connections 16] [--pipeline 4]
                   [--users 64] [--groups 8] [--duration 10] [--warmup 2] [--json out.json]
    group_joins.py --url http://127.0.0.1:PORT --secret SECRET ...   (a server you started)

Without --url it starts the binary itself on a free loopback port with a fresh data
directory, `--fsync always` and one loop (`--threads 1`), and stops it afterwards. Setup (not
measured): an OWNER makes the organization, adds --users members and --groups groups. Then
each of --connections kept-alive connections (raw sockets, one thread each) owns its share of
the members and sends --pipeline requests at a time: a member joins a group with its code
(typed in lower case every other time), then leaves it. Every answer is checked (200 for a
join, 204 for a leave); anything else is an error.

Prints one JSON object: joins per second (and requests per second) over the measured window,
the latency of a pipelined round (ms: p50, p99, max), errors, and how the server ran.
Python's standard library only.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from bench_tokens import token


# --- HTTP over a raw, kept-alive socket ---------------------------------------------------


class Connection:
    """One kept-alive connection: requests are written in batches and their answers read in
    order (HTTP/1.1 pipelining)."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host = f"{host}:{port}"
        self.buffer = b""

    def request_bytes(self, method, path, bearer, body=None):
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {bearer}\r\n"
        if body is None:
            return (head + "\r\n").encode()
        data = json.dumps(body).encode()
        return (head + f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data

    def send(self, data):
        self.sock.sendall(data)

    def read_response(self):
        """(status, body bytes) of the next response."""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while len(rest) < length:
            self.buffer = head + b"\r\n\r\n" + rest
            self._fill()
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
        self.buffer = rest[length:]
        return status, rest[:length]

    def call(self, method, path, bearer, body=None):
        self.send(self.request_bytes(method, path, bearer, body))
        status, raw = self.read_response()
        return status, (json.loads(raw) if raw else None)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def close(self):
        self.sock.close()


# --- The server ---------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(binary, secret, threads):
    data_dir = tempfile.mkdtemp(prefix="partyhub-group-joins-")
    port = free_port()
    command = [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--jwt-secret", secret,
               "--data-dir", data_dir, "--fsync", "always", "--threads", str(threads), "--log-level", "warning"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port, data_dir
        except OSError:
            if process.poll() is not None:
                raise SystemExit("group_joins: the server exited: " + process.stderr.read().decode(errors="replace"))
            time.sleep(0.05)
    process.kill()
    raise SystemExit("group_joins: the server did not listen within 30 s")


# --- Setup --------------------------------------------------------------------------------


def set_up(host, port, secret, users, groups):
    """The organization, its members and groups: (member ids, [(group id, code)])."""
    owner = token(secret, "gj-owner")
    connection = Connection(host, port)
    status, made = connection.call("POST", "/api/v1/organizations", owner, {"name": "Load guild"})
    if status != 201:
        raise SystemExit(f"group_joins: creating the organization answered {status}: {made}")
    organization = made["organization"]["id"]
    members = [f"gj-user-{index}" for index in range(users)]
    # Pipelined, in batches: setup is not measured but need not be slow.
    for start in range(0, len(members), 100):
        batch = members[start:start + 100]
        connection.send(b"".join(connection.request_bytes(
            "PUT", f"/api/v1/organizations/{organization}/members/{member}", owner, {"role": "MEMBER"}) for member in batch))
        for member in batch:
            status, _ = connection.read_response()
            if status != 200:
                raise SystemExit(f"group_joins: adding {member} answered {status}")
    made_groups = []
    for index in range(groups):
        status, made = connection.call("POST", f"/api/v1/organizations/{organization}/groups", owner, {"name": f"Group {index}"})
        if status != 201:
            raise SystemExit(f"group_joins: creating group {index} answered {status}: {made}")
        made_groups.append((made["group"]["id"], made["group"]["invite_code"]))
    connection.close()
    return members, made_groups


# --- Load ---------------------------------------------------------------------------------


class Worker(threading.Thread):
    """One connection: its members join a group and leave it again, --pipeline requests at a time."""

    def __init__(self, host, port, secret, members, groups, pipeline, start_at, measure_from, stop_at):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.tokens = {member: token(secret, member) for member in members}
        self.members = members
        self.groups = groups
        self.pipeline = pipeline
        self.start_at, self.measure_from, self.stop_at = start_at, measure_from, stop_at
        self.joins = self.requests = self.errors = 0
        self.rounds = []
        self.failure = None

    def run(self):
        try:
            self._run()
        except Exception as error:  # reported, not raised: the other workers go on
            self.failure = f"{type(error).__name__}: {error}"

    def _run(self):
        connection = Connection(self.host, self.port)
        # Each member is in no group; it alternates: join group g (by code), leave group g.
        state = [(member, None) for member in self.members]
        cursor = 0
        turn = 0
        while time.time() < self.start_at:
            time.sleep(0.001)
        while True:
            now = time.time()
            if now >= self.stop_at:
                break
            batch, expected = [], []
            for _ in range(self.pipeline):
                member, joined = state[cursor]
                if joined is None:
                    group_id, code = self.groups[(cursor + turn) % len(self.groups)]
                    typed = code.lower() if turn % 2 else code
                    batch.append(connection.request_bytes("POST", f"/api/v1/groups/join/{typed}", self.tokens[member]))
                    expected.append(200)
                    state[cursor] = (member, group_id)
                else:
                    batch.append(connection.request_bytes("POST", f"/api/v1/groups/{joined}/leave", self.tokens[member]))
                    expected.append(204)
                    state[cursor] = (member, None)
                cursor = (cursor + 1) % len(state)
                if cursor == 0:
                    turn += 1
            started = time.perf_counter()
            connection.send(b"".join(batch))
            statuses = [connection.read_response()[0] for _ in batch]
            elapsed = time.perf_counter() - started
            if now >= self.measure_from:
                self.rounds.append(elapsed)
                self.requests += len(statuses)
                for status, wanted in zip(statuses, expected):
                    if status != wanted:
                        self.errors += 1
                    elif wanted == 200:
                        self.joins += 1
            elif any(status != wanted for status, wanted in zip(statuses, expected)):
                self.errors += 1
        connection.close()


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description="joins by invite code per second")
    parser.add_argument("--binary", default=".build/release/partyhub", help="server to start (without --url)")
    parser.add_argument("--threads", type=int, default=1, help="the started server's event loops")
    parser.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8084 (needs --secret)")
    parser.add_argument("--secret", help="its JWT secret")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pipeline", type=int, default=4, help="requests in flight per connection")
    parser.add_argument("--users", type=int, default=64, help="members of the organization (shared out among the connections)")
    parser.add_argument("--groups", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()
    if args.users < args.connections:
        parser.error("--users must be at least --connections (each connection needs its own members)")

    process = data_dir = None
    if args.url:
        if not args.secret:
            parser.error("--url needs --secret")
        address = args.url.split("://", 1)[-1].rstrip("/")
        host, _, port = address.rpartition(":")
        port = int(port)
        secret = args.secret
    else:
        if not os.path.exists(args.binary):
            parser.error(f"{args.binary} is missing (swift build -c release, or --binary PATH)")
        secret = "group-joins-" + os.urandom(8).hex()
        process, port, data_dir = start_server(args.binary, secret, args.threads)
        host = "127.0.0.1"
    try:
        members, groups = set_up(host, port, secret, args.users, args.groups)
        start_at = time.time() + 0.2
        measure_from = start_at + args.warmup
        stop_at = measure_from + args.duration
        workers = [
            Worker(host, port, secret, members[index::args.connections], groups, args.pipeline, start_at, measure_from, stop_at)
            for index in range(args.connections)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            shutil.rmtree(data_dir, ignore_errors=True)
    rounds = [elapsed for worker in workers for elapsed in worker.rounds]
    failures = [worker.failure for worker in workers if worker.failure]
    joins = sum(worker.joins for worker in workers)
    requests = sum(worker.requests for worker in workers)
    errors = sum(worker.errors for worker in workers)
    to_ms = lambda seconds: None if seconds is None else round(seconds * 1000, 2)
    result = {
        "joins_per_second": round(joins / args.duration, 1),
        "requests_per_second": round(requests / args.duration, 1),
        "joins": joins,
        "requests": requests,
        "errors": errors,
        "failures": failures,
        "round_ms": {"p50": to_ms(percentile(rounds, 0.5)), "p99": to_ms(percentile(rounds, 0.99)), "max": to_ms(max(rounds, default=None))},
        "setup": {"connections": args.connections, "pipeline": args.pipeline, "users": args.users, "groups": args.groups,
                  "duration_s": args.duration, "warmup_s": args.warmup},
        "server": args.url or f"{args.binary} --fsync always --threads {args.threads}",
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as out:
            out.write(text + "\n")
    return 1 if errors or failures else 0


if __name__ == "__main__":
    sys.exit(main())

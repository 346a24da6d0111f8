#!/usr/bin/env python3
"""Does a slow consumer slow its party? Parties of four chatting members measure their own
delivery latency; with --stall, each party also has a fifth member whose socket never reads
(a tiny receive buffer, so its backlog builds on the server). The server must keep the four
unaffected and drop the stalled member once its unsent output passes --max-outbound-bytes.

  slow_consumer.py --url ws://127.0.0.1:PORT/api/v1/social/party/ws --secret S
                   [--parties 20] [--rate 20] [--payload 64] [--duration 15] [--stall] [--server-pid PID]

Prints one JSON object: latency percentiles of the chatting members (ms), deliveries,
seq gaps, how the stalled members ended, and the server's RSS before and after (KiB).
"""
import argparse, asyncio, base64, json, os, socket, struct, time

import websockets

from bench_tokens import token


def rss_kib(pid):
    if not pid:
        return None
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def masked_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    header = bytes([0x81])
    n = len(payload)
    header += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n)
    return header + mask + bytes(b ^ mask[i & 3] for i, b in enumerate(payload))


class StalledMember:
    """A raw socket that joins a party and then never reads again."""

    def __init__(self, host, port, path, tok):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: small window
        self.sock.connect((host, port))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path}?token={tok} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        self.sock.settimeout(5)
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def join(self, code):
        self.sock.sendall(masked_frame(json.dumps({"op": "party.join", "invite_code": code}).encode()))

    def outcome(self):
        """After the run: read what is left; the server should have closed us (1008 or EOF/RST)."""
        self.sock.settimeout(2)
        data = b""
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    return {"closed": True, "close_1008": b"\x88" in data and b"\x03\xf0" in data}
                data += chunk
        except ConnectionResetError:
            return {"closed": True, "close_1008": False, "reset": True}
        except socket.timeout:
            return {"closed": False}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--parties", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--payload", type=int, default=64)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--stall", action="store_true")
    parser.add_argument("--server-pid", type=int, default=0)
    args = parser.parse_args()
    host, port = args.url.split("//")[1].split("/")[0].split(":")
    path = "/" + args.url.split("//")[1].split("/", 1)[1]
    run = f"sc{os.getpid()}"
    latencies, gaps, received = [], [0], [0]
    measuring = {"from": None, "to": None}
    rss_before = rss_kib(args.server_pid)

    async def reader(ws):
        last = None
        async for message in ws:
            event = json.loads(message)
            if event.get("ev") == "party.chat":
                now = time.monotonic_ns()
                if last is not None and event["seq"] != last + 1:
                    gaps[0] += 1
                sent = int(event["text"].split(":", 1)[0])
                if measuring["from"] and measuring["from"] <= sent <= (measuring["to"] or 1 << 62):
                    latencies.append((now - sent) / 1e6)
                    received[0] += 1
            if "seq" in event:
                last = event["seq"]

    async def sender(ws, name, phase):
        interval = 1 / args.rate
        await asyncio.sleep(phase * interval)
        deadline = time.monotonic() + args.warmup + args.duration
        while time.monotonic() < deadline:
            stamp = time.monotonic_ns()
            text = f"{stamp}:{name}:".ljust(args.payload, "x")
            await ws.send(json.dumps({"op": "party.chat", "text": text}))
            await asyncio.sleep(interval)

    connections, stalled, tasks = [], [], []
    for p in range(args.parties):
        members = []
        for m in range(4):
            ws = await websockets.connect(f"{args.url}?token={token(args.secret, f'{run}-p{p}-m{m}')}", max_size=None)
            await ws.recv()  # session.ready
            members.append(ws)
        await members[0].send(json.dumps({"op": "party.create", "rid": 1}))
        code = json.loads(await members[0].recv())["data"]["party"]["invite_code"]
        for ws in members[1:]:
            await ws.send(json.dumps({"op": "party.join", "invite_code": code, "rid": 1}))
            while "rid" not in json.loads(await ws.recv()):
                pass
        if args.stall:
            member = StalledMember(host, int(port), path, token(args.secret, f"{run}-p{p}-stalled"))
            member.join(code)
            stalled.append(member)
        connections.append(members)
    for members in connections:
        for m, ws in enumerate(members):
            tasks.append(asyncio.create_task(reader(ws)))
            tasks.append(asyncio.create_task(sender(ws, f"m{m}", (m + 0.5) / 4)))
    await asyncio.sleep(args.warmup)
    measuring["from"] = time.monotonic_ns()
    await asyncio.sleep(args.duration)
    measuring["to"] = time.monotonic_ns()
    await asyncio.sleep(1)
    rss_after = rss_kib(args.server_pid)
    for task in tasks:
        task.cancel()
    outcomes = [member.outcome() for member in stalled]
    for members in connections:
        for ws in members:
            await ws.close()
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 3) if latencies else None
    print(json.dumps({
        "stall": args.stall, "parties": args.parties, "chatting_members": 4 * args.parties, "rate": args.rate,
        "deliveries": received[0], "seq_gaps": gaps[0],
        "p50_ms": pick(0.50), "p99_ms": pick(0.99), "p99_9_ms": pick(0.999), "max_ms": pick(1.0),
        "stalled_members": len(stalled), "stalled_closed_by_server": sum(1 for o in outcomes if o.get("closed")),
        "server_rss_kib_before": rss_before, "server_rss_kib_after": rss_after,
    }))


asyncio.run(main())

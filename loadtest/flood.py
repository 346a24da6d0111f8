#!/usr/bin/env python3
"""The flood benchmark's two halves (loadtest/flood.sh runs them):

  flood.py probe  --port P --secret S [--duration 10] [--rate 50]
      A normal party of three, forwarded for 198.51.100.7: alice chats --rate times a second
      with her send time in the text; bob and carol time each chat's arrival and check that
      every chat arrives, in order. Prints one JSON object: latency percentiles (ms), counts,
      and every latency (so runs can be pooled).

  flood.py attack --port P --secret S [--duration 10] [--workers 64]
      Upgrade attempts as fast as --workers connections allow from one address (203.0.113.66),
      accepted sessions held open (each a player of its own), plus sessions of one player
      ("mallory") from addresses of their own, each closed by the server's session cap.
      Prints one JSON object: attempts, accepted, refusals by reason, sessions closed with 4008.
      With --tls-port and --ca, also TLS handshakes as fast as --tls-workers connections allow,
      from 127.0.0.2 (an address the server does not trust as a proxy), each closed once done:
      the server must refuse those past the address's handshake rate before any TLS work.

Both send X-Forwarded-For, so the server must trust 127.0.0.1 as a proxy (--trusted-proxies).
"""
import argparse, asyncio, base64, json, os, ssl, time

import websockets

from bench_tokens import token

PATH = "/api/v1/social/party/ws"


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 3)


async def probe(args):
    def connect(player):
        return websockets.connect(
            f"ws://127.0.0.1:{args.port}{PATH}?token={token(args.secret, player)}",
            additional_headers={"X-Forwarded-For": "198.51.100.7"}, max_size=None)

    # Names of this run's own: a previous probe's players may still hold their party through
    # the reconnect grace.
    tag = os.getpid()
    async with connect(f"alice-{tag}") as alice, connect(f"bob-{tag}") as bob, connect(f"carol-{tag}") as carol:
        for ws in (alice, bob, carol):
            assert json.loads(await ws.recv())["ev"] == "session.ready"

        async def call(ws, op, rid, **fields):
            await ws.send(json.dumps({"op": op, "rid": rid, **fields}))
            while True:
                message = json.loads(await ws.recv())
                if message.get("rid") == rid and "ev" not in message:
                    return message

        reply = await call(alice, "party.create", 1)
        code = reply["data"]["party"]["invite_code"]
        for rid, ws in ((2, bob), (3, carol)):
            assert (await call(ws, "party.join", rid, invite_code=code))["ok"]
        latencies, missing, out_of_order = [], 0, 0
        sent = 0
        done = asyncio.Event()

        async def receive(ws):
            nonlocal missing, out_of_order
            expected = 0
            while expected < sent or not done.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                except asyncio.TimeoutError:
                    break
                if message.get("ev") != "party.chat":
                    continue
                number, sent_at = message["text"].split(" ")
                number = int(number)
                if number != expected:
                    out_of_order += 1
                expected = number + 1
                latencies.append((time.perf_counter() - float(sent_at)) * 1000)
            missing += max(0, sent - expected)

        async def drain(ws):  # alice's own replies and echoes
            try:
                while True:
                    await ws.recv()
            except Exception:
                pass

        receivers = [asyncio.create_task(receive(ws)) for ws in (bob, carol)]
        drainer = asyncio.create_task(drain(alice))
        interval = 1 / args.rate
        start = time.perf_counter()
        while time.perf_counter() - start < args.duration:
            await alice.send(json.dumps({"op": "party.chat", "text": f"{sent} {time.perf_counter()!r}"}))
            sent += 1
            await asyncio.sleep(max(0, start + sent * interval - time.perf_counter()))
        done.set()
        await asyncio.gather(*receivers)
        drainer.cancel()
    print(json.dumps({
        "chats": sent, "deliveries": len(latencies), "missing": missing, "out_of_order": out_of_order,
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "max_ms": round(max(latencies), 3) if latencies else None,
        "latencies_ms": [round(value, 3) for value in latencies],
    }))


async def attack(args):
    counts = {"attempts": 0, "accepted": 0, "refused_handshake_rate": 0, "refused_connections": 0,
              "other": 0, "errors": 0, "mallory_sessions": 0, "mallory_closed_4008": 0,
              "tls_attempts": 0, "tls_handshakes": 0, "tls_refused": 0}
    held = []
    watchers = []
    deadline = time.monotonic() + args.duration

    async def upgrade(player, address):
        reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {PATH}?token={token(args.secret, player)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      f"Sec-WebSocket-Version: 13\r\nX-Forwarded-For: {address}\r\n\r\n").encode())
        head = await reader.readuntil(b"\r\n\r\n")
        return reader, writer, head

    async def address_flood(worker):
        number = 0
        while time.monotonic() < deadline:
            number += 1
            counts["attempts"] += 1
            try:
                reader, writer, head = await upgrade(f"bot-{worker}-{number}", "203.0.113.66")
                if head.startswith(b"HTTP/1.1 101"):
                    counts["accepted"] += 1
                    held.append(writer)
                    continue
                body = await reader.read(200)
                if b"handshakes" in body:
                    counts["refused_handshake_rate"] += 1
                elif b"connections" in body:
                    counts["refused_connections"] += 1
                else:
                    counts["other"] += 1
                writer.close()
            except (OSError, asyncio.IncompleteReadError):
                counts["errors"] += 1

    async def player_flood():
        number = 0
        while time.monotonic() < deadline:
            number += 1
            address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
            try:
                reader, writer, head = await upgrade("mallory", address)
            except (OSError, asyncio.IncompleteReadError):
                counts["errors"] += 1
                continue
            if not head.startswith(b"HTTP/1.1 101"):
                counts["other"] += 1
                writer.close()
                continue
            counts["mallory_sessions"] += 1
            watchers.append(asyncio.create_task(await_4008(reader, writer)))
            await asyncio.sleep(0.001)

    async def await_4008(reader, writer):
        # Server frames are unmasked; a close frame is 0x88, its code the first two payload bytes.
        try:
            while True:
                first, length = await reader.readexactly(2)
                length &= 0x7F
                if length == 126:
                    length = int.from_bytes(await reader.readexactly(2), "big")
                elif length == 127:
                    length = int.from_bytes(await reader.readexactly(8), "big")
                payload = await reader.readexactly(length)
                if first & 0x0F == 8:
                    if payload[:2] == (4008).to_bytes(2, "big"):
                        counts["mallory_closed_4008"] += 1
                    break
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def tls_flood():
        context = ssl.create_default_context(cafile=args.ca)
        while time.monotonic() < deadline:
            counts["tls_attempts"] += 1
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(
                    "127.0.0.1", args.tls_port, ssl=context, local_addr=("127.0.0.2", 0)), 5)
            except (OSError, ssl.SSLError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                counts["tls_refused"] += 1
                continue
            counts["tls_handshakes"] += 1
            writer.close()

    tls = [tls_flood() for _ in range(args.tls_workers)] if args.tls_port else []
    await asyncio.gather(*(address_flood(w) for w in range(args.workers)), player_flood(), *tls)
    for writer in held:
        writer.close()
    for watcher in watchers:  # the sessions still open (the cap's last 8)
        watcher.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    print(json.dumps(counts))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["probe", "attack"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--tls-port", type=int)
    parser.add_argument("--ca")
    parser.add_argument("--tls-workers", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(probe(args) if args.mode == "probe" else attack(args))


if __name__ == "__main__":
    main()

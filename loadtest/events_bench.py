#!/usr/bin/env python3
"""The service event bus under load (docs/BENCHMARKS.md, "Service events").

Creates --parties parties in PERSONAL loot mode (their leaders sign in over the WebSocket,
create the party and leave it in its reconnect grace), then --concurrency senders post batches
of --batch `combat:loot-dropped` events (one item each, to random parties) over kept-alive
HTTP/1.1 connections, each waiting for its answer (closed loop). Every item is decided at once
(PERSONAL), so each applied event publishes one `party:loot-rolled`; a consumer on the event
stream WebSocket measures each event's lag: the time it arrives minus its `ts` (the time the hub
applied the drop). Prints events in per second, the answer latency and the stream's lag.

Python standard library plus `websockets` (installed by .ci/run). Usage:
  loadtest/events_bench.py --port 18094 --secret S [--parties 200] [--batch 100]
                           [--concurrency 4] [--duration 10] [--warmup 2]
"""
import argparse, asyncio, json, random, time

import websockets

from bench_tokens import token


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def create_party(args, index):
    url = f"ws://127.0.0.1:{args.port}/api/v1/social/party/ws?token={token(args.secret, f'leader-{index}')}"
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"op": "party.create", "rid": 1, "loot_mode": "PERSONAL"}))
        while True:
            message = json.loads(await ws.recv())
            if message.get("rid") == 1:
                if not message.get("ok"):
                    raise SystemExit(f"party.create failed: {message}")
                return message["data"]["party"]["id"]


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def sender(args, number, parties, state, service):
    reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
    sequence = 0
    while not state["stop"]:
        events = []
        for _ in range(args.batch):
            sequence += 1
            events.append({
                "event_id": f"s{number}-{sequence}", "type": "combat:loot-dropped", "party": random.choice(parties),
                "source": "bench", "items": [{"item_id": f"i{sequence}", "name": "Rusty Sword", "quality": "rare"}]})
        body = json.dumps({"events": events}).encode()
        writer.write(
            b"POST /api/v1/social/party/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {service}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        started = time.monotonic()
        status, answer = await read_response(reader)
        elapsed = time.monotonic() - started
        if status != 200:
            raise SystemExit(f"POST answered {status}: {answer[:200]!r}")
        # Counted in the bytes: parsing every answer would make this script the bottleneck sooner.
        applied = answer.count(b'"status":"applied"')
        if state["measuring"]:
            state["applied"] += applied
            state["latencies"].append(elapsed * 1000)
            state["requests"] += 1
    writer.close()


async def consumer(args, state, service, after):
    url = f"ws://127.0.0.1:{args.port}/api/v1/social/party/events/stream?after={after}&token={service}"
    async with websockets.connect(url, max_size=None, max_queue=None) as ws:
        state["consumer_ready"].set()
        async for message in ws:
            now_ms = time.time() * 1000
            # `ts` found in the text rather than by parsing the whole event (see the senders).
            if state["measuring"] and '"type":"party:loot-rolled"' in message:
                start = message.index('"ts":') + 5
                state["lags"].append(now_ms - int(message[start:message.index(",", start)]))
                state["streamed"] += 1
            if state["stop"] and state["drained"]:
                return


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--parties", type=int, default=200)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()
    service = token(args.secret, "bench-combat", role="service")
    parties = await asyncio.gather(*(create_party(args, index) for index in range(args.parties)))
    state = {"stop": False, "measuring": False, "drained": False, "applied": 0, "requests": 0, "latencies": [],
             "lags": [], "streamed": 0, "consumer_ready": asyncio.Event()}
    # From the start: only the parties' own events come before, and only loot-rolled is timed.
    after = 0
    consuming = asyncio.create_task(consumer(args, state, service, after))
    await state["consumer_ready"].wait()
    senders = [asyncio.create_task(sender(args, number, parties, state, service)) for number in range(args.concurrency)]
    await asyncio.sleep(args.warmup)
    state["measuring"] = True
    started = time.monotonic()
    await asyncio.sleep(args.duration)
    state["measuring"] = False
    elapsed = time.monotonic() - started
    state["stop"] = True
    await asyncio.gather(*senders)
    state["drained"] = True
    consuming.cancel()
    latencies, lags = state["latencies"], state["lags"]
    print(f"events in:  {state['applied'] / elapsed:,.0f} applied/s in {state['requests'] / elapsed:,.1f} requests/s "
          f"of {args.batch} ({args.concurrency} senders, {args.parties} parties)")
    print(f"answer:     p50 {percentile(latencies, 0.5):.2f}  p99 {percentile(latencies, 0.99):.2f}  "
          f"max {max(latencies, default=float('nan')):.2f} ms")
    print(f"stream lag: p50 {percentile(lags, 0.5):.2f}  p99 {percentile(lags, 0.99):.2f}  "
          f"max {max(lags, default=float('nan')):.2f} ms over {state['streamed']:,} party:loot-rolled events")


asyncio.run(main())

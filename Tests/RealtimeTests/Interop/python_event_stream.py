#!/usr/bin/env python3
"""Interop check of the published event stream with a third-party client: PyPI `websockets`.

    python3 python_event_stream.py --base ws://127.0.0.1:PORT --secret SECRET

A player (a `websockets` connection to the party endpoint) creates and leaves five parties:
fifteen events. A service then follows /api/v1/social/party/events/stream?after=0 and must get
offsets 1-15 (party:created, party:member-left, party:disbanded each time), the same JSON as
GET /api/v1/social/party/events serves; the player makes one more party and leaves it, and the
three events arrive live; then nothing more (the client reads on past the expected end), and
the service closes with 1000. Resuming after offset 16 gives exactly 17 and 18. A player's
token on the stream is refused with 403. Exits 0 when every step matched docs/PROTOCOL.md
("Events out"), 1 with a message on the first mismatch, 2 on bad usage or a missing
`websockets`.
"""

import argparse
import asyncio
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_common import Mismatch, check, import_websockets  # noqa: E402
from interop_common import connect_options as websocket_options  # noqa: E402
from interop_common import mint_token as mint  # noqa: E402

websockets, ConnectionClosed, ws_connect = import_websockets("python_event_stream")

STEP_TIMEOUT = 5.0
QUIET = 0.5  # how long "nothing more" is waited for


def mint_token(secret, subject, role=None):
    return mint(secret, subject, role=role)


def connect_options():
    return websocket_options(ws_connect, STEP_TIMEOUT)


async def play_rounds(base, secret, rounds, first_rid):
    """One player creates and leaves `rounds` parties, waiting for each reply."""
    ws = await ws_connect(base + "/api/v1/social/party/ws?token=" + mint_token(secret, "streamer"), **connect_options())
    ready = json.loads(await asyncio.wait_for(ws.recv(), STEP_TIMEOUT))
    check(ready.get("ev") == "session.ready", "the player was not greeted with session.ready", ready)
    rid = first_rid
    for _ in range(rounds):
        for op in ("party.create", "party.leave"):
            rid += 1
            await ws.send(json.dumps({"op": op, "rid": rid}))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), STEP_TIMEOUT))
                if message.get("rid") == rid:
                    check(message.get("ok") is True, f"{op} was refused", message)
                    break
    await ws.close()
    return rid


async def read_events(stream, count, what):
    events = []
    for _ in range(count):
        raw = await asyncio.wait_for(stream.recv(), STEP_TIMEOUT)
        check(isinstance(raw, str), f"{what}: the stream sent a binary frame", repr(raw))
        events.append(json.loads(raw))
    return events


async def expect_nothing_more(stream, what):
    try:
        extra = await asyncio.wait_for(stream.recv(), QUIET)
    except asyncio.TimeoutError:
        return
    raise Mismatch(f"{what}: an event past the expected end", extra)


def check_rounds(events, first_offset, what):
    check([e.get("offset") for e in events] == list(range(first_offset, first_offset + len(events))),
          f"{what}: offsets are not consecutive from {first_offset}", [e.get("offset") for e in events])
    for index in range(0, len(events), 3):
        created, left, disbanded = events[index:index + 3]
        check(created.get("type") == "party:created" and created.get("leader") == "streamer"
              and created.get("max_members") == 5 and created.get("loot_mode") == "NEED_GREED",
              f"{what}: not a party:created", created)
        check(left.get("type") == "party:member-left" and left.get("player") == "streamer"
              and left.get("reason") == "left" and left.get("party") == created.get("party"),
              f"{what}: not the leader's party:member-left", left)
        check(disbanded.get("type") == "party:disbanded" and disbanded.get("reason") == "empty"
              and disbanded.get("party") == created.get("party"), f"{what}: not a party:disbanded (empty)", disbanded)
        check(isinstance(created.get("ts"), int) and created["ts"] <= left["ts"] <= disbanded["ts"],
              f"{what}: ts is not a non-decreasing Unix ms time", events[index:index + 3])


def page(base, secret, after, limit):
    url = base.replace("ws://", "http://", 1) + f"/api/v1/social/party/events?after={after}&limit={limit}"
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + mint_token(secret, "analytics", "service")})
    with urllib.request.urlopen(request, timeout=STEP_TIMEOUT) as response:
        check(response.status == 200, "GET .../events did not answer 200", response.status)
        return json.loads(response.read())


def stream_url(base, secret, after, role="service"):
    return base + f"/api/v1/social/party/events/stream?after={after}&token=" + mint_token(secret, "analytics", role)


async def run(base, secret):
    rid = await play_rounds(base, secret, 5, 0)

    stream = await ws_connect(stream_url(base, secret, 0), **connect_options())
    caught_up = await read_events(stream, 15, "catching up")
    check_rounds(caught_up, 1, "catching up")
    served = page(base, secret, 0, 1000)
    check(served.get("events") == caught_up and served.get("next") == 15,
          "GET .../events does not serve what the stream sent", served)

    await play_rounds(base, secret, 1, rid)
    live = await read_events(stream, 3, "live")
    check_rounds(live, 16, "live")
    await expect_nothing_more(stream, "after the live events")
    await stream.close()
    check(stream.close_code == 1000, f"the stream's close was not clean (code {stream.close_code})")

    resumed = await ws_connect(stream_url(base, secret, 16), **connect_options())
    again = await read_events(resumed, 2, "resuming after 16")
    check(again == live[1:], "resuming after offset 16 did not give 17 and 18 as before", again)
    await expect_nothing_more(resumed, "after resuming")
    await resumed.close()
    check(resumed.close_code == 1000, f"the resumed stream's close was not clean (code {resumed.close_code})")

    try:
        refused = await ws_connect(stream_url(base, secret, 0, role=None), **connect_options())
        await refused.close()
        raise Mismatch("a player's token was let onto the stream")
    except Mismatch:
        raise
    except Exception as error:  # InvalidStatus (new) or InvalidStatusCode (legacy)
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None) or getattr(error, "status_code", None)
        check(status == 403, "a player's token on the stream was not refused with 403", str(error))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="ws://HOST:PORT")
    parser.add_argument("--secret", required=True)
    arguments = parser.parse_args()
    try:
        asyncio.run(asyncio.wait_for(run(arguments.base, arguments.secret), 30))
    except Mismatch as mismatch:
        print("python_event_stream: " + str(mismatch), file=sys.stderr)
        sys.exit(1)
    except (ConnectionClosed, OSError, asyncio.TimeoutError) as error:
        print(f"python_event_stream: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    print("python_event_stream: ok")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Interop check of the party protocol with a third-party client: PyPI `websockets` (asyncio).

    python3 python_client.py --url ws://127.0.0.1:PORT/api/v1/social/party/ws --secret SECRET
    python3 python_client.py --url wss://127.0.0.1:PORT/api/v1/social/party/ws --secret SECRET --ca ROOT.pem

Two players sign in with HS256 tokens minted here, A creates a party, B joins with the invite
code, A chats (raw UTF-8 and \\u-escaped JSON, with an emoji, a quote and a backslash), B
leaves, and both close with 1000. Exits 0 when every step matched PROTOCOL-CORE.md, 1 with a
message on the first mismatch, 2 on bad usage or a missing `websockets`.
"""

import argparse
import asyncio
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_common import Mismatch, check, import_websockets, mint_token  # noqa: E402
from interop_common import connect_options as websocket_options  # noqa: E402

websockets, ConnectionClosed, ws_connect = import_websockets("python_client")

OVERALL_TIMEOUT = 20.0
STEP_TIMEOUT = 5.0
INVITE_CODE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$")


TRUSTED_ROOT = None  # --ca: the PEM root a wss:// server's chain must lead to


def connect_options():
    return websocket_options(ws_connect, STEP_TIMEOUT, TRUSTED_ROOT)


class Player:
    """One connection: a reader task files every message; `expect` waits for a matching one."""

    def __init__(self, name):
        self.name = name
        self.ws = None
        self.inbox = []
        self.arrived = asyncio.Event()
        self.reader = None
        self.next_rid = 0

    async def open(self, url, secret):
        self.ws = await ws_connect(url + "?token=" + mint_token(secret, self.name, name=self.name), **connect_options())
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            async for message in self.ws:
                self.inbox.append(message)
                self.arrived.set()
        except ConnectionClosed:
            pass

    async def expect(self, predicate, what):
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            for index, raw in enumerate(self.inbox):
                check(isinstance(raw, str), f"{self.name}: the server sent a binary frame", repr(raw))
                try:
                    message = json.loads(raw)
                except ValueError:
                    raise Mismatch(f"{self.name}: the server sent invalid JSON: {raw!r}")
                check(isinstance(message, dict), f"{self.name}: the server sent a non-object", message)
                if predicate(message):
                    del self.inbox[index]
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.reader.done():
                raise Mismatch(f"{self.name}: no {what} within {STEP_TIMEOUT:.0f} s; unmatched: {self.inbox}")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def event(self, name):
        return await self.expect(lambda m: m.get("ev") == name, f"'{name}' event")

    async def command(self, body, ascii_only=False):
        self.next_rid += 1
        rid = self.next_rid
        await self.ws.send(json.dumps(dict(body, rid=rid), ensure_ascii=ascii_only))
        return await self.expect(lambda m: m.get("rid") == rid, f"reply to {body['op']} (rid {rid})")

    def extra_replies(self):
        """Replies left unread: the server must answer each command exactly once."""
        return [raw for raw in self.inbox if isinstance(raw, str) and "rid" in json.loads(raw)]

    async def close(self):
        await self.ws.close()  # code 1000; waits for the server's close frame and the TCP close
        await asyncio.wait_for(self.reader, STEP_TIMEOUT)
        check(self.ws.close_code == 1000, f"{self.name}: the close was not clean (code {self.ws.close_code})")


def check_party(party, what, members, leader):
    check(isinstance(party, dict), what + ": no party in the reply", party)
    check(isinstance(party.get("id"), str) and party["id"], what + ": party.id is not a non-empty string", party)
    check(isinstance(party.get("invite_code"), str) and INVITE_CODE.match(party["invite_code"]),
          what + ": invite_code is not 8 characters of the alphabet", party)
    check(party.get("leader") == leader, what + f": leader is not {leader}", party)
    check(party.get("members") == members, what + f": members are not {members}", party)
    check(party.get("max_members") == 5, what + ": max_members is not 5", party)


async def scenario(url, secret):
    run = f"py{os.getpid()}"
    a, b = Player(f"{run}-a"), Player(f"{run}-b")
    await a.open(url, secret)
    await b.open(url, secret)
    for player in (a, b):
        ready = await player.event("session.ready")
        check(ready.get("player") == player.name, f"{player.name}: session.ready names another player", ready)
    print(f"ok   both connected: session.ready for {a.name} and {b.name}")

    reply = await a.command({"op": "party.create"})
    check(reply.get("ok") is True, "party.create failed", reply)
    party = reply.get("data", {}).get("party")
    check_party(party, "party.create", [a.name], a.name)
    party_id, code = party["id"], party["invite_code"]
    print(f"ok   party.create -> {party_id} invite {code}")

    reply = await b.command({"op": "party.join", "invite_code": code})
    check(reply.get("ok") is True, "party.join failed", reply)
    joined = reply.get("data", {}).get("party")
    check_party(joined, "party.join", [a.name, b.name], a.name)
    check(joined["id"] == party_id and joined["invite_code"] == code, "party.join returned another party", joined)
    seen = [await p.event("party.member_joined") for p in (a, b)]
    for event in seen:
        check(event.get("party") == party_id and event.get("player") == b.name,
              "member_joined names the wrong party or player", event)
        check(isinstance(event.get("seq"), int) and not isinstance(event.get("seq"), bool),
              "member_joined seq is not an integer", event)
    check(seen[0]["seq"] == seen[1]["seq"], "A and B see member_joined with different seq", seen)
    seq = seen[0]["seq"]
    print(f"ok   party.join -> both see member_joined {b.name} seq {seq}")

    texts = [
        ("hello from python websockets", False),
        ("héllo wörld — 你好 🎉 \"quoted\" back\\slash / tab\tnew\nline \u0001", False),  # raw UTF-8
        ("escaped: 🎉 é \"q\" \\ \u2028 end", True),  # \uXXXX escapes, a surrogate pair for the emoji
    ]
    for text, ascii_only in texts:
        before = int(time.time() * 1000)
        reply = await a.command({"op": "party.chat", "text": text}, ascii_only=ascii_only)
        check(reply.get("ok") is True, "party.chat failed", reply)
        events = [await p.event("party.chat") for p in (a, b)]
        for player, event in zip((a, b), events):
            check(event.get("party") == party_id, f"{player.name}: chat event of the wrong party", event)
            check(event.get("seq") == seq + 1, f"{player.name}: chat seq is not {seq + 1}", event)
            check(event.get("from") == a.name, f"{player.name}: chat from is not {a.name}", event)
            check(event.get("text") == text, f"{player.name}: chat text did not round-trip; sent {text!r}, got",
                  event.get("text"))
            ts = event.get("ts")
            check(isinstance(ts, int) and not isinstance(ts, bool) and abs(ts - before) < 60_000,
                  f"{player.name}: chat ts is not the current unix ms", event)
        seq += 1
        print(f"ok   party.chat ({'escaped' if ascii_only else 'raw UTF-8'}) {text!r} -> both see it, seq {seq}")

    reply = await b.command({"op": "party.leave"})
    check(reply.get("ok") is True, "party.leave failed", reply)
    for player in (a, b):
        event = await player.event("party.member_left")
        check(event.get("party") == party_id and event.get("player") == b.name and event.get("seq") == seq + 1,
              f"{player.name}: member_left is not {b.name} at seq {seq + 1}", event)
    seq += 1
    print(f"ok   party.leave -> both see member_left {b.name} seq {seq}")

    await asyncio.sleep(0.1)  # let a duplicate reply, if any, arrive
    for player in (a, b):
        check(not player.extra_replies(), f"{player.name}: more than one reply to a command", player.extra_replies())
    await asyncio.gather(a.close(), b.close())
    print("ok   both closed cleanly with 1000")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:PORT/api/v1/social/party/ws")
    parser.add_argument("--secret", required=True, help="the server's HS256 secret")
    parser.add_argument("--ca", help="for wss://: the PEM root the server's certificate chain must lead to")
    args = parser.parse_args()
    global TRUSTED_ROOT
    TRUSTED_ROOT = args.ca
    print(f"python_client: websockets {getattr(websockets, '__version__', '?')} -> {args.url}")
    try:
        asyncio.run(asyncio.wait_for(scenario(args.url, args.secret), OVERALL_TIMEOUT))
    except Mismatch as error:
        print(f"FAIL {error}", file=sys.stderr)
        return 1
    except asyncio.TimeoutError:
        print(f"FAIL the scenario did not finish within {OVERALL_TIMEOUT:.0f} s", file=sys.stderr)
        return 1
    except Exception as error:  # connection refused, handshake rejected, closed early, ...
        print(f"FAIL {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print("python_client: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks that the hub behind nginx tells clients apart by the address nginx forwards.

    python3 forwarded_for.py --url wss://127.0.0.1:PORT/api/v1/social/party/ws --secret S --ca CA.pem

Run against a hub started with --trusted-proxies 127.0.0.1 --max-connections-per-ip 2 behind
deploy/nginx/partyhub.conf listening on 127.0.0.1. The client connects to nginx from 127.0.0.2,
each time sending a different forged X-Forwarded-For: two WebSockets open, the third is refused
with 429 (the hub counts them all under 127.0.0.2, the address nginx saw, not the forged ones);
one from 127.0.0.3 then opens (so they are not all counted under nginx's own address).
Exits 0 on success, 1 with a message otherwise.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import ssl
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token(secret, subject):
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": subject, "exp": int(time.time()) + 600}).encode())
    signature = hmac.new(secret.encode(), (header + "." + payload).encode(), hashlib.sha256).digest()
    return header + "." + payload + "." + b64url(signature)


async def open_as(args, context, subject, source, forged):
    ws = await connect(f"{args.url}?token={token(args.secret, subject)}", ssl=context,
                       additional_headers={"X-Forwarded-For": forged}, open_timeout=5, proxy=None,
                       local_addr=(source, 0))
    ready = json.loads(await asyncio.wait_for(ws.recv(), 5))
    if ready.get("ev") != "session.ready" or ready.get("player") != subject:
        raise SystemExit(f"forwarded_for: expected session.ready for {subject}, got {ready}")
    return ws


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--ca", required=True)
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.ca)
    held = [await open_as(args, context, "xff_a", "127.0.0.2", "10.0.0.1"),
            await open_as(args, context, "xff_b", "127.0.0.2", "10.0.0.2")]
    try:
        await open_as(args, context, "xff_c", "127.0.0.2", "10.0.0.3")
        print("forwarded_for: FAILED: a third WebSocket from 127.0.0.2 opened past --max-connections-per-ip 2: "
              "the hub believed the client's forged X-Forwarded-For", file=sys.stderr)
        return 1
    except InvalidStatus as refused:
        if refused.response.status_code != 429:
            print(f"forwarded_for: FAILED: the third from 127.0.0.2 got {refused.response.status_code}, not 429",
                  file=sys.stderr)
            return 1
    try:
        held.append(await open_as(args, context, "xff_d", "127.0.0.3", "10.0.0.1"))
    except InvalidStatus as refused:
        print(f"forwarded_for: FAILED: 127.0.0.3 was refused ({refused.response.status_code}): the hub does not "
              "see the address nginx forwards", file=sys.stderr)
        return 1
    for ws in held:
        await ws.close()
    print("forwarded_for: ok (127.0.0.2 held 2, forged X-Forwarded-For or not, and was refused a third with 429; "
          "127.0.0.3 opened)")
    return 0


sys.exit(asyncio.run(main()))

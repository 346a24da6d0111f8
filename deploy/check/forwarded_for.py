#!/usr/bin/env python3
"""Checks that the hub behind nginx tells clients apart by the address nginx forwards.

    python3 forwarded_for.py --url wss://127.0.0.1:PORT/api/v1/social/party/ws --secret S --ca CA.pem

Run against a hub started with --trusted-proxies 127.0.0.1 --max-connections-per-ip 2 behind
deploy/nginx/partyhub.conf. Two WebSockets claiming client 10.0.0.1 open; a third from 10.0.0.1
is refused with 429; one from 10.0.0.2 opens. Were X-Forwarded-For ignored (or not passed on),
all four would count as nginx's own address and the fourth would be refused too.
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


async def open_as(args, context, subject, client):
    ws = await connect(f"{args.url}?token={token(args.secret, subject)}", ssl=context,
                       additional_headers={"X-Forwarded-For": client}, open_timeout=5, proxy=None)
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
    held = [await open_as(args, context, "xff_a", "10.0.0.1"), await open_as(args, context, "xff_b", "10.0.0.1")]
    try:
        await open_as(args, context, "xff_c", "10.0.0.1")
        print("forwarded_for: FAILED: a third WebSocket from 10.0.0.1 opened past --max-connections-per-ip 2",
              file=sys.stderr)
        return 1
    except InvalidStatus as refused:
        if refused.response.status_code != 429:
            print(f"forwarded_for: FAILED: the third from 10.0.0.1 got {refused.response.status_code}, not 429",
                  file=sys.stderr)
            return 1
    try:
        held.append(await open_as(args, context, "xff_d", "10.0.0.2"))
    except InvalidStatus as refused:
        print(f"forwarded_for: FAILED: 10.0.0.2 was refused ({refused.response.status_code}): the hub does not "
              "see the address nginx forwards", file=sys.stderr)
        return 1
    for ws in held:
        await ws.close()
    print("forwarded_for: ok (10.0.0.1 held 2 and was refused a third with 429; 10.0.0.2 opened)")
    return 0


sys.exit(asyncio.run(main()))

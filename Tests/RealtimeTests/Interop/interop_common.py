"""What the Python interop checks share: the mismatch they stop on, HS256 tokens minted
with the standard library (as a game's backend would), and Python `websockets` with the
options every check wants, across its releases."""

import base64
import hashlib
import hmac
import inspect
import json
import ssl
import sys
import time


class Mismatch(Exception):
    pass


def check(condition, what, detail=None):
    if not condition:
        raise Mismatch(what + ("" if detail is None else ": " + json.dumps(detail, ensure_ascii=False)))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint_token(secret, subject, ttl=3600, **claims):
    """An HS256 token for `subject`; extra claims (role="service", scope="read", ...) as given."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = {"sub": subject, "exp": int(time.time()) + ttl, "iat": int(time.time())}
    body.update({key: value for key, value in claims.items() if value is not None})
    payload = b64url(json.dumps(body, separators=(",", ":")).encode())
    signing_input = (header + "." + payload).encode("ascii")
    return header + "." + payload + "." + b64url(hmac.new(secret.encode(), signing_input, hashlib.sha256).digest())


def import_websockets(program):
    """(websockets, ConnectionClosed, connect), or exit 2 naming `program` when the package is missing."""
    try:
        import websockets
        from websockets.exceptions import ConnectionClosed
    except ImportError:
        print(f"{program}: the `websockets` package is missing (python3 -m pip install websockets)", file=sys.stderr)
        sys.exit(2)
    try:  # websockets >= 13: the new asyncio implementation
        from websockets.asyncio.client import connect
    except ImportError:  # older releases: the legacy client
        connect = websockets.connect
    return websockets, ConnectionClosed, connect


def connect_options(connect, timeout, trusted_root=None):
    """Keyword arguments for `connect`: timeouts, no proxy (this is loopback), and with
    `trusted_root` (a PEM file) a TLS context that verifies the chain and the address, like a
    browser."""
    options = {"open_timeout": timeout, "close_timeout": timeout}
    if trusted_root is not None:
        options["ssl"] = ssl.create_default_context(cafile=trusted_root)
    try:
        if "proxy" in inspect.signature(connect).parameters:
            options["proxy"] = None  # websockets >= 15 would honour *_PROXY
    except (TypeError, ValueError):
        pass
    return options

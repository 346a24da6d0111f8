"""HS256 tokens for the load-test scripts, minted with the standard library as a game's
backend would: the player's (or a service's, with role="service") for one hour."""
import base64, hashlib, hmac, json, time


def token(secret, subject, role=None):
    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    claims = {"sub": subject, "exp": int(time.time()) + 3600}
    if role:
        claims["role"] = role
    signing = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(claims).encode())
    return signing + "." + b64(hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest())

"""A Web Push service of our own, on loopback, that checks what a real one checks.

It plays both ends a browser relies on: ``Browser`` makes a subscription's
keys the way a browser does (a P-256 key pair and a 16-byte auth secret,
RFC 8291), and ``PushService`` receives the server's POSTs, verifies the
VAPID token (RFC 8292: an ES256 JWT whose signature must check against the
``k`` key, which must be the server's public key; ``aud`` must be this
service's origin; ``exp`` must be in the future and within 24 hours) and
decrypts the aes128gcm body (RFC 8188) with the browser's private key. Each
message is kept with its wall-clock arrival time. It can be told to answer
with another status (503: down, 410: gone).

The verification is written here from the RFCs with ``cryptography`` and
``http_ece`` on purpose: using pywebpush on both sides would prove nothing.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Browser:
    """A subscription's keys, made as a browser makes them."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def subscription(self, endpoint: str) -> dict:
        return {"endpoint": endpoint, "expirationTime": None,
                "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                version="aes128gcm")


class Rejected(Exception):
    pass


def verify_vapid(header: str, expected_key: str, audience: str, now: float) -> dict:
    """Check ``Authorization: vapid t=<jwt>, k=<key>``; the JWT's claims."""
    if not header.startswith("vapid "):
        raise Rejected("not a vapid authorization")
    params = dict(part.strip().split("=", 1) for part in header[6:].split(","))
    token, key = params["t"], params["k"]
    if key != expected_key:
        raise Rejected("signed with another key than the server's")
    head_b64, claims_b64, sig_b64 = token.split(".")
    head = json.loads(b64url_decode(head_b64))
    if head.get("alg") != "ES256":
        raise Rejected(f"alg {head.get('alg')}")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    sig = b64url_decode(sig_b64)
    if len(sig) != 64:
        raise Rejected("signature is not r||s")
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Rejected("bad signature") from None
    claims = json.loads(b64url_decode(claims_b64))
    if claims.get("aud") != audience:
        raise Rejected(f"aud {claims.get('aud')!r} is not {audience!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or not now < exp <= now + 24 * 3600:
        raise Rejected(f"exp {exp!r} out of range")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise Rejected("sub must be a mailto: or https: URL")
    return claims


@dataclass
class Received:
    path: str
    payload: dict
    claims: dict
    headers: dict
    at: float


@dataclass
class PushService:
    server_key: str = ""  # the pygotchi server's VAPID public key, once known
    browsers: dict[str, Browser] = field(default_factory=dict)  # path -> keys
    received: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    status: int = 201  # what to answer to valid messages
    attempts: int = 0

    def __post_init__(self) -> None:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                service.attempts += 1
                code = service.handle(self.path, dict(self.headers.items()), body)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def new_browser(self, name: str) -> tuple[Browser, dict]:
        browser = Browser()
        path = f"/push/{name}"
        self.browsers[path] = browser
        return browser, browser.subscription(self.origin + path)

    def handle(self, path: str, headers: dict, body: bytes) -> int:
        headers = {k.lower(): v for k, v in headers.items()}
        try:
            browser = self.browsers.get(path)
            if browser is None:
                raise Rejected(f"no subscription at {path}")
            claims = verify_vapid(headers.get("authorization", ""), self.server_key,
                                  self.origin, time.time())
            if headers.get("content-encoding") != "aes128gcm":
                raise Rejected("content-encoding is not aes128gcm")
            if "ttl" not in headers:
                raise Rejected("no TTL header")
            payload = json.loads(browser.decrypt(body))
        except Rejected as exc:
            self.rejected.append(str(exc))
            return 403
        except Exception as exc:  # undecryptable
            self.rejected.append(f"{type(exc).__name__}: {exc}")
            return 400
        if self.status >= 300:
            return self.status
        self.received.append(Received(path, payload, claims, headers, time.time()))
        return self.status

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

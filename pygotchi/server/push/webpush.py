"""Deliver one Web Push message (RFC 8030) to one browser subscription.

``pywebpush`` encrypts the payload for the browser (RFC 8291, aes128gcm) and
``py_vapid`` signs the VAPID token (RFC 8292); the request itself goes out
through urllib3 connected to an address ``netguard.resolve`` checked just
now, with TLS verified against the endpoint's host name, no redirects
followed and a short timeout.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import urllib3
from pywebpush import WebPusher

from pygotchi.server.push.netguard import Blocked, check_url, resolve
from pygotchi.server.push.vapid import VapidKeys

TIMEOUT = urllib3.Timeout(connect=5.0, read=10.0)
TOKEN_LIFETIME = 12 * 3600
GONE = (404, 410)


class Gone(Exception):
    """The push service says this subscription no longer exists: drop it."""


class Failed(Exception):
    """Not delivered this time (service down, refused, blocked...): try again later."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def send(sub: Subscription, payload: dict, keys: VapidKeys, contact: str,
         allowed: frozenset[str], ttl: int = 3600, urgency: str = "high") -> int:
    """Post ``payload`` (JSON) to the subscription; its HTTP status, or Gone / Failed."""
    try:
        parts = check_url(sub.endpoint, allowed)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(parts.hostname or "", port, allowed)
    except Blocked as exc:
        raise Failed(str(exc)) from None
    body = WebPusher({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh,
                                                         "auth": sub.auth}}).encode(
        json.dumps(payload, separators=(",", ":")).encode(), "aes128gcm")["body"]
    audience = f"{parts.scheme}://{parts.netloc}"
    headers = {
        "Authorization": keys.authorization(audience, contact, TOKEN_LIFETIME, time.time()),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(ttl),
        "Urgency": urgency,
        "Host": parts.netloc,
    }
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    host = parts.hostname or ""
    pool_class = urllib3.HTTPSConnectionPool if parts.scheme == "https" else \
        urllib3.HTTPConnectionPool
    extra = {"server_hostname": host, "assert_hostname": host, "cert_reqs": "CERT_REQUIRED"} \
        if parts.scheme == "https" else {}
    pool = pool_class(addresses[0], port, timeout=TIMEOUT, retries=False, maxsize=1, **extra)
    try:
        response = pool.urlopen("POST", target, body=body, headers=headers, redirect=False,
                                assert_same_host=False, preload_content=False)
        response.read(4096)
        response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        raise Failed(f"the push service cannot be reached ({type(exc).__name__})") from None
    finally:
        pool.close()
    if response.status in GONE:
        raise Gone(f"the push service says the subscription is gone ({response.status})")
    if not 200 <= response.status < 300:
        raise Failed(f"the push service answered {response.status}")
    return response.status

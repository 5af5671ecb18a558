"""The server's Web Push identity (VAPID, RFC 8292): a P-256 key pair made at first start.

The private key lives beside the server's other keys in the data directory
(``vapid.pem``, mode 0600), or in the database when it is shared (PostgreSQL:
every process must sign with the key browsers subscribed to); browsers
subscribe with its public half (``GET /api/push/key``), and push services
accept only messages it signed.
Losing it means every browser must subscribe again, so it is never rotated
by itself.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

from pygotchi.store import Database
from pygotchi.store import keys as key_store

FILENAME = "vapid.pem"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _new_pem() -> bytes:
    key = Vapid02()
    key.generate_keys()
    return key.private_pem()


class VapidKeys:
    def __init__(self, key: Vapid02) -> None:
        self.key = key
        raw = key.public_key.public_bytes(serialization.Encoding.X962,
                                          serialization.PublicFormat.UncompressedPoint)
        self.public_key = b64url(raw)  # the browser's applicationServerKey

    @classmethod
    def load_or_create(cls, data_dir: Path, db: Database | None = None) -> VapidKeys:
        if db is not None and db.shared:
            with db.session() as s:
                pem = key_store.get_or_create(s, key_store.VAPID, lambda: _new_pem().decode())
            return cls(Vapid02.from_pem(pem.encode()))
        path = Path(data_dir) / FILENAME
        if not path.exists():
            pem = _new_pem()
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
            tmp.replace(path)
        return cls(Vapid02.from_pem(path.read_bytes()))

    def authorization(self, audience: str, contact: str, lifetime: int, now: float) -> str:
        """The ``Authorization: vapid t=<JWT>, k=<public key>`` header for one push service."""
        claims = {"aud": audience, "exp": int(now) + lifetime, "sub": contact}
        return self.key.sign(claims)["Authorization"]

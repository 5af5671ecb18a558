"""ROM images in the database, for servers that share a PostgreSQL.

Every process must be able to load any pet, so the bytes cannot be files on one
host. The interface is ``RomFiles``'s (the data directory's ROM folder, used
with SQLite): written under the sha256 of the bytes, once, before the library
row that names them; read back checked against that sha256.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql

from pygotchi.store.db import Database
from pygotchi.store.models import RomImage
from pygotchi.store.romfiles import check_sha256


class RomBlobs:
    def __init__(self, db: Database) -> None:
        self.db = db

    def where(self, sha256: str) -> str:
        """Where the ROM is kept, for messages."""
        return f"the database (rom_images, {check_sha256(sha256)})"

    def exists(self, sha256: str) -> bool:
        check_sha256(sha256)
        with self.db.session() as s:
            return s.scalar(select(RomImage.sha256).where(RomImage.sha256 == sha256)) \
                is not None

    def write(self, data: bytes) -> str:
        """Store ``data`` under its sha256 (once; concurrent writers agree) and return it."""
        sha = hashlib.sha256(data).hexdigest()
        with self.db.session() as s:
            s.execute(postgresql.insert(RomImage).values(sha256=sha, data=data)
                      .on_conflict_do_nothing(index_elements=["sha256"]))
            s.commit()
        return sha

    def read(self, sha256: str) -> bytes:
        check_sha256(sha256)
        with self.db.session() as s:
            data = s.scalar(select(RomImage.data).where(RomImage.sha256 == sha256))
        if data is None:
            raise FileNotFoundError(f"ROM {sha256} is not in the database")
        data = bytes(data)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise OSError(f"ROM {sha256} in the database is damaged (its sha256 does not match)")
        return data

    def delete(self, sha256: str) -> None:
        check_sha256(sha256)
        with self.db.session() as s:
            s.execute(delete(RomImage).where(RomImage.sha256 == sha256))
            s.commit()

    def sweep_incoming(self) -> None:
        """Nothing to sweep: a write is one transaction, never half done."""

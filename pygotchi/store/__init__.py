"""Persistence: the SQLite (or PostgreSQL) database and the content-addressed ROM images.

The database is the state of record: users, sessions, API tokens, the ROM
library and every pet with its latest checkpoint. ROM images are stored once
under their sha256 and shared by every pet that runs them: as files in the data
directory with SQLite, in the database with PostgreSQL (every process must
read them). The schema is created and upgraded by Alembic migrations
(``pygotchi.store.migrate``) that run when the server starts.
"""

from pygotchi.store.db import Database
from pygotchi.store.romblobs import RomBlobs
from pygotchi.store.romfiles import RomFiles

RomStore = RomFiles | RomBlobs


def rom_store(db: Database, rom_dir) -> RomStore:
    """Where this server keeps ROM images: the database when it is shared, else files."""
    return RomBlobs(db) if db.shared else RomFiles(rom_dir)


__all__ = ["Database", "RomBlobs", "RomFiles", "RomStore", "rom_store"]

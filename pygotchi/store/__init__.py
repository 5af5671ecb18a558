"""Persistence: the SQLite (or PostgreSQL) database and the content-addressed ROM files.

The database is the state of record: users, sessions, API tokens, the ROM
library and every pet with its latest checkpoint. ROM images live as files
named by their sha256 in the data directory, stored once and shared by every
pet that runs them. The schema is created and upgraded by Alembic migrations
(``pygotchi.store.migrate``) that run when the server starts.
"""

from pygotchi.store.db import Database
from pygotchi.store.romfiles import RomFiles

__all__ = ["Database", "RomFiles"]

"""Persistence: migrations match the models, ROM files are written atomically."""

from __future__ import annotations

import hashlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import update

from pygotchi.store import RomFiles
from pygotchi.store import pets as pet_store
from pygotchi.store import users as user_store
from pygotchi.store.migrate import current_revision, head_revision
from pygotchi.store.models import Base, Pet
from pygotchi.store.pets import Checkpoint
from tests.server.databases import open_database


def test_migrations_build_exactly_the_models(tmp_path):
    db = open_database(tmp_path)
    db.migrate()
    db.migrate()  # running again changes nothing
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []
    db.close()


def database_with_pets(tmp_path, count: int):
    """A migrated database with pets p0..p{count-1}, each at state b"s", version 0."""
    from pygotchi.store import roms

    db = open_database(tmp_path)
    db.migrate()
    with db.session() as s:
        user = user_store.create_user(s, "a", "hash", "player")
        roms.add_rom(s, sha256="0" * 64, name="r", model="p1", chip="E0C6S46", words=6144)
        for i in range(count):
            pet_store.create_pet(s, pet_id=f"p{i}", owner_id=user.id, rom_sha256="0" * 64,
                                 name="n", catch_up="catch_up", state=b"s", tick=0, at=1.0)
        s.commit()
    return db


def test_checkpoints_are_one_transaction_and_skip_deleted_pets(tmp_path):
    db = database_with_pets(tmp_path, 3)
    with db.session() as s:
        n = pet_store.save_checkpoints(s, [Checkpoint("p0", b"x", 10, 2.0),
                                           Checkpoint("gone", b"y", 5, 2.0),
                                           Checkpoint("p2", b"z", 20, 3.0)])
        s.commit()
    assert n == ["p0", "p2"]
    with db.session() as s:
        got = {p.id: (p.state, p.state_tick, p.state_at) for p in pet_store.all_pets(s)}
    assert got == {"p0": (b"x", 10, 2.0), "p1": (b"s", 0, 1.0), "p2": (b"z", 20, 3.0)}
    db.close()


def test_a_checkpoint_older_than_the_row_is_skipped_and_the_rest_written(tmp_path):
    # The batch is one executemany: which pets it wrote is read back when it wrote fewer.
    db = database_with_pets(tmp_path, 4)
    with db.session() as s:
        s.execute(update(Pet).where(Pet.id.in_(["p1", "p2"])).values(state_version=3))
        s.commit()
    with db.session() as s:
        written = pet_store.save_checkpoints(s, [
            Checkpoint("p0", b"a", 10, 2.0, version=0),
            Checkpoint("p1", b"b", 10, 2.0, version=2),  # a change saved version 3 meanwhile
            Checkpoint("p2", b"c", 10, 2.0, version=3),
            Checkpoint("p3", b"d", 10, 2.0, version=5)])
        s.commit()
    assert written == ["p0", "p2", "p3"]
    with db.session() as s:
        got = {p.id: (p.state, p.state_version) for p in pet_store.all_pets(s)}
    assert got == {"p0": (b"a", 0), "p1": (b"s", 3), "p2": (b"c", 3), "p3": (b"d", 5)}
    with db.session() as s:  # all written: no read-back needed, the same answer
        assert pet_store.save_checkpoints(s, [Checkpoint("p0", b"e", 11, 2.0)]) == ["p0"]
        assert pet_store.save_checkpoints(s, []) == []
    db.close()


def test_rom_files(tmp_path):
    files = RomFiles(tmp_path / "roms")
    data = b"\x01\x02" * 100
    sha = files.write(data)
    assert sha == hashlib.sha256(data).hexdigest() and files.read(sha) == data
    assert files.write(data) == sha  # stored once
    assert [p.name for p in (tmp_path / "roms").iterdir()] == [f"{sha}.bin"]
    files.path(sha).write_bytes(b"damaged")
    with pytest.raises(OSError, match="damaged"):
        files.read(sha)
    with pytest.raises(ValueError):
        files.path("../../etc/passwd")
    (tmp_path / "roms" / ".incoming-x.tmp").write_bytes(b"half")
    files.sweep_incoming()
    assert not list((tmp_path / "roms").glob(".incoming-*"))

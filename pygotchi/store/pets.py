"""Pets and their checkpoints.

A pet row is created in one committed transaction together with its initial
machine state, so from the moment the API answers "created" the pet exists
on disk. Checkpoints overwrite the state columns of many pets in one
transaction: all or nothing, never a half-written pet.

Optimistic concurrency: each checkpoint carries the ``state_version`` of the
state it was taken from, and is written only over that version or an older
one. A change that must survive (an uploaded state, a reset, a pause) raises
the version and is saved before it is acknowledged; a snapshot taken before it
but committed after it finds a newer version in the row and is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Update, bindparam, delete, func, select
from sqlalchemy.orm import Session

from pygotchi.store.models import AUTOPILOT_MINUTES, AUTOPILOT_OFF, Pet, utcnow


@dataclass(frozen=True)
class Checkpoint:
    """A pet's machine state and the wall-clock instant it belongs to."""

    pet_id: str
    state: bytes
    tick: int
    at: float  # Unix seconds
    version: int = 0  # the state_version this state belongs to
    paused: bool = False


@dataclass(frozen=True)
class BrokenPet:
    """A pet row that cannot be read whole (a damaged database): what can be read, and why.

    One unreadable value (a ``created_at`` that is not a date...) must cost that
    pet only, never the listing of its owner's pets or the server's start-up.
    """

    id: str
    owner_id: int
    name: str
    rom_sha256: str
    error: str
    paused: bool = True
    catch_up: str = "catch_up"
    state_tick: int = 0
    created_at: None = None
    autopilot: str = AUTOPILOT_OFF
    autopilot_minutes: int = AUTOPILOT_MINUTES


# What a damaged value raises while a row is turned into Python objects.
UNREADABLE = (ValueError, TypeError, OverflowError, ArithmeticError)


def _broken(s: Session, pet_id: str, exc: Exception) -> BrokenPet | None:
    row = s.execute(select(Pet.id, Pet.owner_id, Pet.name, Pet.rom_sha256)
                    .where(Pet.id == pet_id)).one_or_none()
    if row is None:
        return None
    text = [v if isinstance(v, str) else "?" for v in (row.name, row.rom_sha256)]
    return BrokenPet(pet_id, int(row.owner_id), text[0], text[1],
                     f"its database row could not be read ({type(exc).__name__}: {exc})")


def _load(s: Session, pet_id: str) -> Pet | BrokenPet | None:
    try:
        return s.get(Pet, pet_id)
    except UNREADABLE as exc:
        return _broken(s, pet_id, exc)


def _load_many(s: Session, query) -> list[Pet | BrokenPet]:
    """The rows ``query`` selects; one by one, as far as readable, if any is damaged."""
    try:
        return list(s.scalars(query))
    except UNREADABLE:
        ids = list(s.scalars(query.with_only_columns(Pet.id)))
        return [p for p in (_load(s, i) for i in ids) if p is not None]


def create_pet(s: Session, *, pet_id: str, owner_id: int, rom_sha256: str, name: str,
               catch_up: str, state: bytes, tick: int, at: float) -> Pet:
    pet = Pet(id=pet_id, owner_id=owner_id, rom_sha256=rom_sha256, name=name, paused=False,
              catch_up=catch_up, state=state, state_tick=tick, state_at=at)
    s.add(pet)
    s.flush()
    return pet


def get_pet(s: Session, pet_id: str, owner_id: int) -> Pet | BrokenPet | None:
    """The pet if it belongs to ``owner_id``; None for unknown and foreign pets alike."""
    if s.scalar(select(Pet.owner_id).where(Pet.id == pet_id)) != owner_id:
        return None
    return _load(s, pet_id)


def list_pets(s: Session, owner_id: int) -> list[Pet | BrokenPet]:
    return _load_many(s, select(Pet).where(Pet.owner_id == owner_id)
                      .order_by(Pet.created_at, Pet.id))


def delete_pet(s: Session, pet_id: str) -> None:
    s.execute(delete(Pet).where(Pet.id == pet_id))


def count_pets(s: Session, owner_id: int) -> int:
    return s.scalar(select(func.count()).select_from(Pet).where(Pet.owner_id == owner_id)) or 0


def all_pets(s: Session) -> list[Pet | BrokenPet]:
    return _load_many(s, select(Pet).order_by(Pet.created_at, Pet.id))


def pet_ids_of(s: Session, owner_id: int) -> list[str]:
    return list(s.scalars(select(Pet.id).where(Pet.owner_id == owner_id)))


def _checkpoint_update() -> Update:
    table = Pet.__table__
    return (table.update()
            .where(table.c.id == bindparam("b_id"),
                   table.c.state_version <= bindparam("b_version"))
            .values(state=bindparam("b_state"), state_tick=bindparam("b_tick"),
                    state_at=bindparam("b_at"), state_version=bindparam("b_version"),
                    paused=bindparam("b_paused"), updated_at=bindparam("b_now")))


# dialect -> the compiled statement, its parameter order if positional, and the
# driver's conversion of updated_at (None: none needed)
_CHECKPOINT_SQL: dict[str, tuple[str, tuple[str, ...] | None, Callable | None]] = {}


def save_checkpoints(s: Session, checkpoints: Iterable[Checkpoint]) -> list[str]:
    """Write many checkpoints in one executemany; the ids of the pets written.

    A pet is skipped when it was deleted, or when its row already holds a newer
    ``state_version`` than the checkpoint (the checkpoint is out of date).

    Every running pet passes here every few seconds, so the statement is compiled
    once per dialect and run through the driver: per row, SQLAlchemy's own
    executemany spent three times what the database did (bytes, ints, floats and
    booleans need no conversion; the one timestamp is converted once).
    """
    checkpoints = list(checkpoints)
    if not checkpoints:
        return []
    connection = s.connection()
    dialect = connection.dialect
    if dialect.name not in _CHECKPOINT_SQL:
        compiled = _checkpoint_update().compile(dialect=dialect)
        _CHECKPOINT_SQL[dialect.name] = (
            str(compiled), tuple(compiled.positiontup or ()) if compiled.positional else None,
            Pet.__table__.c.updated_at.type.bind_processor(dialect))
    sql, order, stamp = _CHECKPOINT_SQL[dialect.name]
    now = stamp(utcnow()) if stamp is not None else utcnow()
    rows = [{"b_id": c.pet_id, "b_state": c.state, "b_tick": c.tick, "b_at": c.at,
             "b_version": c.version, "b_paused": c.paused, "b_now": now} for c in checkpoints]
    params = [tuple(row[name] for name in order) for row in rows] if order is not None \
        else rows
    result = connection.exec_driver_sql(sql, params)
    if result.rowcount == len(checkpoints):
        return [c.pet_id for c in checkpoints]
    # Some were skipped (deleted, or saved meanwhile with a newer version): in this
    # transaction a written row holds exactly the checkpoint's version.
    table = Pet.__table__
    versions = dict(connection.execute(
        select(table.c.id, table.c.state_version)
        .where(table.c.id.in_([c.pet_id for c in checkpoints]))).all())
    return [c.pet_id for c in checkpoints if versions.get(c.pet_id) == c.version]

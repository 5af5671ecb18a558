"""Pets and their checkpoints.

A pet row is created in one committed transaction together with its initial
machine state, so from the moment the API answers "created" the pet exists
on disk. Checkpoints overwrite the state columns of many pets in one
transaction: all or nothing, never a half-written pet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from pygotchi.store.models import Pet, utcnow


@dataclass(frozen=True)
class Checkpoint:
    """A pet's machine state and the wall-clock instant it belongs to."""

    pet_id: str
    state: bytes
    tick: int
    at: float  # Unix seconds


def create_pet(s: Session, *, pet_id: str, owner_id: int, rom_sha256: str, name: str,
               catch_up: str, state: bytes, tick: int, at: float) -> Pet:
    pet = Pet(id=pet_id, owner_id=owner_id, rom_sha256=rom_sha256, name=name, paused=False,
              catch_up=catch_up, state=state, state_tick=tick, state_at=at)
    s.add(pet)
    s.flush()
    return pet


def get_pet(s: Session, pet_id: str, owner_id: int) -> Pet | None:
    """The pet if it belongs to ``owner_id``; None for unknown and foreign pets alike."""
    return s.scalar(select(Pet).where(Pet.id == pet_id, Pet.owner_id == owner_id))


def list_pets(s: Session, owner_id: int) -> list[Pet]:
    return list(s.scalars(select(Pet).where(Pet.owner_id == owner_id)
                          .order_by(Pet.created_at, Pet.id)))


def count_pets(s: Session, owner_id: int) -> int:
    return s.scalar(select(func.count()).select_from(Pet).where(Pet.owner_id == owner_id)) or 0


def all_pets(s: Session) -> list[Pet]:
    return list(s.scalars(select(Pet).order_by(Pet.created_at, Pet.id)))


def pet_ids_of(s: Session, owner_id: int) -> list[str]:
    return list(s.scalars(select(Pet.id).where(Pet.owner_id == owner_id)))


def save_checkpoints(s: Session, checkpoints: Iterable[Checkpoint]) -> int:
    """Write many checkpoints (one UPDATE each; deleted pets are skipped)."""
    now = utcnow()
    rows = [{"b_id": c.pet_id, "b_state": c.state, "b_tick": c.tick, "b_at": c.at,
             "b_now": now} for c in checkpoints]
    if not rows:
        return 0
    table = Pet.__table__
    stmt = (table.update().where(table.c.id == bindparam("b_id"))
            .values(state=bindparam("b_state"), state_tick=bindparam("b_tick"),
                    state_at=bindparam("b_at"), updated_at=bindparam("b_now")))
    s.connection().execute(stmt, rows)
    return len(rows)

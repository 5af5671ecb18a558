"""Restore points: saving them, and keeping each pet's within its schedule and bound.

Automatic points are thinned by the pet's own (emulated) age, not by the wall
clock: a paused pet keeps its points however long it sleeps, and a pet that
caught up on a day of downtime has that day's hourly points. Ages are counted
in whole hours and days of the pet's life (hour ``tick // hour_ticks``): one
point is kept for each of the last ``hourly_hours`` hours (the present one
included), then one for each of the last ``daily_days`` days; within an hour
(or day) the newest point wins, so after a restore the points of the abandoned
future are replaced as the pet lives those hours again. Undo points (the pet just before a restore)
keep the newest ``UNDO_KEEP``; named points are the owner's and are never
removed by the server. On top of that, a pet's points never hold more than
``max_bytes``: the oldest automatic points go first, then the oldest undo
points.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pygotchi.store.models import (
    RESTORE_AUTO,
    RESTORE_NAMED,
    RESTORE_UNDO,
    InstanceOption,
    Pet,
    RestorePoint,
    User,
)

UNDO_KEEP = 10  # undo points kept per pet
PLAYERS_MAY_RESTORE = "players_may_restore"


@dataclass(frozen=True)
class Retention:
    """How long automatic points live, and how much a pet's points may hold.

    ``hour_ticks`` is an hour of emulated time (the server passes the machine's rate:
    the store knows nothing of the emulator).
    """

    hour_ticks: int
    hourly_hours: int = 48
    daily_days: int = 30
    max_bytes: int = 512 * 1024
    undo_keep: int = UNDO_KEEP


def add(s: Session, *, pet_id: str, kind: str, name: str, state: bytes, tick: int, at: float,
        frame: bytes) -> RestorePoint:
    point = RestorePoint(pet_id=pet_id, kind=kind, name=name, state=state, tick=tick, at=at,
                         frame=frame, size=len(state) + len(frame))
    s.add(point)
    s.flush()
    return point


def listing(s: Session, pet_id: str) -> list[RestorePoint]:
    """A pet's points, newest first (by when they were made)."""
    return list(s.scalars(select(RestorePoint).where(RestorePoint.pet_id == pet_id)
                          .order_by(RestorePoint.id.desc())))


def get(s: Session, pet_id: str, point_id: int) -> RestorePoint | None:
    point = s.get(RestorePoint, point_id) if 0 < point_id < 2**63 else None
    return point if point is not None and point.pet_id == pet_id else None


def remove(s: Session, point_id: int) -> None:
    s.execute(delete(RestorePoint).where(RestorePoint.id == point_id))


def named_usage(s: Session, pet_id: str) -> tuple[int, int]:
    """(named points, their bytes) of one pet."""
    row = s.execute(select(func.count(), func.coalesce(func.sum(RestorePoint.size), 0))
                    .where(RestorePoint.pet_id == pet_id,
                           RestorePoint.kind == RESTORE_NAMED)).one()
    return int(row[0]), int(row[1])


def usage_by_pet(s: Session, limit: int) -> list[tuple[str, str, str, int, int]]:
    """(pet id, pet name, owner, points, bytes) of the pets with the most bytes first."""
    size = func.coalesce(func.sum(RestorePoint.size), 0)
    query = (select(Pet.id, Pet.name, User.username, func.count(RestorePoint.id), size)
             .join(RestorePoint, RestorePoint.pet_id == Pet.id)
             .join(User, User.id == Pet.owner_id)
             .group_by(Pet.id, Pet.name, User.username)
             .order_by(size.desc(), Pet.id).limit(limit))
    return [(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in s.execute(query)]


def totals(s: Session) -> tuple[int, int, int]:
    """(pets with points, points, bytes) over the whole server."""
    row = s.execute(select(func.count(func.distinct(RestorePoint.pet_id)), func.count(),
                           func.coalesce(func.sum(RestorePoint.size), 0))).one()
    return int(row[0]), int(row[1]), int(row[2])


def doomed(points: list[tuple[int, str, int, int]], now_tick: int,
           keep: Retention) -> list[int]:
    """The ids to remove from one pet's points, given as (id, kind, tick, size).

    Pure, so the schedule can be checked without a database: see the module's
    docstring for the rules.
    """
    hour, day = keep.hour_ticks, 24 * keep.hour_ticks
    this_hour, today = now_tick // hour, now_tick // day
    seen: set[tuple[str, int]] = set()
    undo = 0
    drop: list[int] = []
    kept: list[tuple[int, str, int]] = []  # (id, kind, size), newest first
    for point_id, kind, tick, size in sorted(points, reverse=True):
        if kind == RESTORE_AUTO:
            if this_hour - tick // hour < keep.hourly_hours:
                bucket = ("h", tick // hour)
            elif today - tick // day < keep.daily_days:
                bucket = ("d", tick // day)
            else:
                drop.append(point_id)
                continue
            if bucket in seen:
                drop.append(point_id)
                continue
            seen.add(bucket)
        elif kind == RESTORE_UNDO:
            undo += 1
            if undo > keep.undo_keep:
                drop.append(point_id)
                continue
        kept.append((point_id, kind, size))
    total = sum(size for _, _, size in kept)
    for kind in (RESTORE_AUTO, RESTORE_UNDO):
        for point_id, k, size in reversed(kept):  # oldest first
            if total <= keep.max_bytes:
                break
            if k == kind:
                drop.append(point_id)
                total -= size
    return drop


def thin(s: Session, pet_id: str, now_tick: int, keep: Retention) -> int:
    """Apply the schedule and the bound to one pet's points; how many were removed."""
    rows = s.execute(select(RestorePoint.id, RestorePoint.kind, RestorePoint.tick,
                            RestorePoint.size).where(RestorePoint.pet_id == pet_id)).all()
    drop = doomed([tuple(r) for r in rows], now_tick, keep)
    if drop:
        s.execute(delete(RestorePoint).where(RestorePoint.id.in_(drop)))
    return len(drop)


# --- options administrators change at run time -----------------------------------------

def option(s: Session, key: str, default: object) -> object:
    row = s.get(InstanceOption, key)
    return default if row is None else row.value.get("value", default)


def set_option(s: Session, key: str, value: object) -> None:
    s.merge(InstanceOption(key=key, value={"value": value}))


def players_may_restore(s: Session) -> bool:
    return bool(option(s, PLAYERS_MAY_RESTORE, True))

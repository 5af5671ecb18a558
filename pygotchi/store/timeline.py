"""A pet's timeline rows, and the notification choices read with them."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pygotchi.store.models import PetAlerts, PetEvent, UserAlerts

KEEP = 10_000  # events kept per pet
THIN = ("beeps",)  # what goes first when a pet has more


def page(s: Session, pet_id: str, before: int | None, limit: int) -> list[PetEvent]:
    """Newest first, ``limit`` events older than the event id ``before``."""
    query = select(PetEvent).where(PetEvent.pet_id == pet_id)
    if before is not None:
        query = query.where(PetEvent.id < before)
    return list(s.scalars(query.order_by(PetEvent.id.desc()).limit(limit)))


def trim(s: Session, pet_id: str, keep: int = KEEP) -> int:
    """Bound a pet's timeline to ``keep`` events: beeps go first, then the oldest."""
    count = s.scalar(select(func.count()).select_from(PetEvent)
                     .where(PetEvent.pet_id == pet_id)) or 0
    excess = count - keep
    removed = 0
    for kinds in (THIN, None):
        if excess <= 0:
            break
        query = select(PetEvent.id).where(PetEvent.pet_id == pet_id)
        if kinds:
            query = query.where(PetEvent.kind.in_(kinds))
        ids = list(s.scalars(query.order_by(PetEvent.id).limit(excess)))
        if ids:
            s.execute(delete(PetEvent).where(PetEvent.id.in_(ids)))
            removed += len(ids)
            excess -= len(ids)
    return removed


def pet_alerts(s: Session, pet_id: str) -> PetAlerts:
    row = s.get(PetAlerts, pet_id)
    return row if row is not None else PetAlerts(pet_id=pet_id, calls=True, missed=True,
                                                  muted_until=None)


def user_alerts(s: Session, user_id: int) -> UserAlerts:
    row = s.get(UserAlerts, user_id)
    return row if row is not None else UserAlerts(user_id=user_id, quiet_from=None,
                                                   quiet_to=None, time_zone="UTC")

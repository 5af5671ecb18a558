"""Who hears of a pet's event, and how: the rules between a call and a notification.

* a ``call`` (or a call from the past still open, ``calling``) notifies the
  owner on every device and channel, unless the pet's calls are off, the pet
  is muted, or it is the owner's quiet hours (in their own time zone);
* a call that ends unanswered may send a "missed" one (per pet, default on);
  it carries the call's tag, so a browser replaces the call's notification
  with it: never two notifications standing for one call;
* everything is written to the outbox in the transaction that records the
  event, and the courier delivers it from there.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from pygotchi.server.petevents import PetEvent
from pygotchi.store import timeline
from pygotchi.store.models import NotifyChannel, OutboxMessage, PushSubscription

KINDS = frozenset({"call", "calling", "call_ended"})  # the events that may notify


def in_quiet_hours(quiet_from: int | None, quiet_to: int | None, zone: str, now: float) -> bool:
    """Whether ``now`` falls in [from, to) minutes of the day in ``zone`` (may wrap midnight)."""
    if quiet_from is None or quiet_to is None or quiet_from == quiet_to:
        return False
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    local = datetime.fromtimestamp(now, tz)
    minute = local.hour * 60 + local.minute
    if quiet_from < quiet_to:
        return quiet_from <= minute < quiet_to
    return minute >= quiet_from or minute < quiet_to


def message_for(kind: str, pet, event: PetEvent, call_tick: int) -> dict:
    if kind == "missed":
        title, body = f"{pet.name} needed you", "A call went unanswered."
    elif kind == "test":
        title, body = "pygotchi", "Notifications work on this device."
    else:
        title, body = f"{pet.name} is calling", "Its attention icon is on: have a look."
    return {"kind": kind, "pet": pet.id, "title": title, "body": body,
            "url": f"/#/pets/{pet.id}", "tag": f"pygotchi-{pet.id}-{call_tick}",
            "at": round(event.at, 3), "tick": event.tick}


def targets(s: Session, user_id: int) -> tuple[list[int], list[int]]:
    """The user's devices and channels (ids)."""
    subs = list(s.scalars(select(PushSubscription.id)
                          .where(PushSubscription.user_id == user_id)))
    chans = list(s.scalars(select(NotifyChannel.id).where(NotifyChannel.user_id == user_id)))
    return subs, chans


def enqueue(s: Session, user_id: int, payload: dict, now: float,
            to: tuple[list[int], list[int]] | None = None) -> int:
    """One outbox message per device and channel of ``user_id``."""
    subs, chans = to if to is not None else targets(s, user_id)
    for sub_id in subs:
        s.add(OutboxMessage(user_id=user_id, subscription_id=sub_id, payload=payload,
                            created_at=now, next_at=now, attempts=0))
    for channel_id in chans:
        s.add(OutboxMessage(user_id=user_id, channel_id=channel_id, payload=payload,
                            created_at=now, next_at=now, attempts=0))
    return len(subs) + len(chans)


def plan(s: Session, pet, event: PetEvent, call_tick: int, now: float,
         cache: dict | None = None) -> dict:
    """Queue what ``event`` calls for; returns what happened, for the timeline.

    ``pet`` has the pet's ``id``, ``owner_id`` and ``name``; ``cache`` keeps each
    user's devices and channels for the length of one transaction.
    """
    if event.kind in ("call", "calling"):
        kind = "call"
    elif event.kind == "call_ended" and not event.data.get("answered") \
            and "why" not in event.data:
        kind = "missed"
    else:
        return {}
    if not event.notify:
        return {"notified": 0, "silenced": "it happened while the pet caught up"}
    cache = {} if cache is None else cache
    to = cache.get(pet.owner_id)
    if to is None:
        to = cache[pet.owner_id] = targets(s, pet.owner_id)
    if not to[0] and not to[1]:
        return {"notified": 0}  # nowhere to send it
    alerts = timeline.pet_alerts(s, pet.id)
    if kind == "call" and not alerts.calls or kind == "missed" and not alerts.missed:
        return {"notified": 0, "silenced": "off for this pet"} if kind == "call" else {}
    if alerts.muted_until is not None and alerts.muted_until > now:
        return {"notified": 0, "silenced": "muted"}
    user = timeline.user_alerts(s, pet.owner_id)
    if in_quiet_hours(user.quiet_from, user.quiet_to, user.time_zone, now):
        return {"notified": 0, "silenced": "quiet hours"}
    return {"notified": enqueue(s, pet.owner_id, message_for(kind, pet, event, call_tick), now,
                                to)}

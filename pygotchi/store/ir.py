"""Saved IR lab items: conversations and frame lists, each owned by one user.

Every query takes the owner: an item of someone else is simply not found, so
routes cannot leak another person's captures by forgetting a check.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pygotchi.store.models import IrItem, utcnow


def create_item(s: Session, *, owner_id: int, name: str, notes: str, kind: str, source: str,
                frames: Sequence[str | None]) -> IrItem:
    now = utcnow()
    item = IrItem(owner_id=owner_id, name=name, notes=notes, kind=kind, source=source,
                  frames=list(frames), created_at=now, updated_at=now)
    s.add(item)
    s.flush()
    return item


def get_item(s: Session, item_id: int, owner_id: int) -> IrItem | None:
    """The item if it belongs to ``owner_id``; None for unknown and foreign items alike."""
    return s.scalar(select(IrItem).where(IrItem.id == item_id, IrItem.owner_id == owner_id))


def list_items(s: Session, owner_id: int) -> list[IrItem]:
    """Newest first, as a person looks for what they just recorded."""
    return list(s.scalars(select(IrItem).where(IrItem.owner_id == owner_id)
                          .order_by(IrItem.updated_at.desc(), IrItem.id.desc())))


def count_items(s: Session, owner_id: int) -> int:
    return s.scalar(select(func.count()).select_from(IrItem)
                    .where(IrItem.owner_id == owner_id)) or 0


def touch(item: IrItem) -> None:
    item.updated_at = utcnow()

"""The debugger's labels: a user's names for program addresses of one ROM."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pygotchi.store.models import DebugLabel

MAX_LABELS = 4096  # per user and ROM: far more than a ROM has routines


def labels(s: Session, user_id: int, rom_sha256: str) -> dict[int, str]:
    rows = s.scalars(select(DebugLabel).where(DebugLabel.user_id == user_id,
                                              DebugLabel.rom_sha256 == rom_sha256))
    return {row.address: row.name for row in rows}


def set_label(s: Session, user_id: int, rom_sha256: str, address: int, name: str) -> bool:
    """Name ``address``; False if the user already has MAX_LABELS labels for this ROM."""
    row = s.scalar(select(DebugLabel).where(DebugLabel.user_id == user_id,
                                            DebugLabel.rom_sha256 == rom_sha256,
                                            DebugLabel.address == address))
    if row is not None:
        row.name = name
        return True
    count = s.scalar(select(func.count()).select_from(DebugLabel).where(
        DebugLabel.user_id == user_id, DebugLabel.rom_sha256 == rom_sha256)) or 0
    if count >= MAX_LABELS:
        return False
    s.add(DebugLabel(user_id=user_id, rom_sha256=rom_sha256, address=address, name=name))
    return True


def delete_label(s: Session, user_id: int, rom_sha256: str, address: int) -> None:
    s.execute(delete(DebugLabel).where(DebugLabel.user_id == user_id,
                                       DebugLabel.rom_sha256 == rom_sha256,
                                       DebugLabel.address == address))

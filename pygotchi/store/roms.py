"""The ROM library: one row per distinct ROM, whatever the number of pets running it."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pygotchi.store.models import Pet, RomRecord


def list_roms(s: Session) -> list[RomRecord]:
    return list(s.scalars(select(RomRecord).order_by(RomRecord.builtin.desc(),
                                                     RomRecord.uploaded_at)))


def get_rom(s: Session, sha256: str) -> RomRecord | None:
    return s.get(RomRecord, sha256)


def find_builtin(s: Session) -> RomRecord | None:
    return s.scalar(select(RomRecord).where(RomRecord.builtin.is_(True)))


def add_rom(s: Session, *, sha256: str, name: str, model: str, chip: str, words: int,
            builtin: bool = False, uploaded_by: int | None = None) -> tuple[RomRecord, bool]:
    """Add a ROM unless it is there already; (record, created)."""
    existing = s.get(RomRecord, sha256)
    if existing is not None:
        return existing, False
    record = RomRecord(sha256=sha256, name=name, model=model, chip=chip, words=words,
                       builtin=builtin, uploaded_by=uploaded_by)
    try:
        with s.begin_nested():  # servers starting together all install the demo ROM
            s.add(record)
    except IntegrityError:
        existing = s.get(RomRecord, sha256)
        if existing is None:
            raise
        return existing, False
    return record, True


def set_builtin(s: Session, sha256: str) -> None:
    """Make ``sha256`` the one built-in ROM; an older demo stays as an ordinary ROM."""
    s.execute(update(RomRecord).where(RomRecord.builtin.is_(True), RomRecord.sha256 != sha256)
              .values(builtin=False))
    s.execute(update(RomRecord).where(RomRecord.sha256 == sha256).values(builtin=True))


def pets_using(s: Session, sha256: str) -> int:
    return s.scalar(select(func.count()).select_from(Pet).where(Pet.rom_sha256 == sha256)) or 0


def delete_rom(s: Session, sha256: str) -> None:
    record = s.get(RomRecord, sha256)
    if record is not None:
        s.delete(record)

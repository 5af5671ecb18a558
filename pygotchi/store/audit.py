"""The audit log: security events, written in the same transaction as what they record.

Adding the event to the caller's session means the change and its record are
committed together or not at all (the table is its own outbox). Pages are read
newest first with a keyset (``before`` = the smallest id already shown), so a
page stays cheap however long the log grows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pygotchi.store.models import AuditEvent, utcnow

# The kinds of event, and what each one records. The web app shows them by name.
KINDS = (
    "signin", "signin_failed", "signout", "session_ended", "password_changed",
    "password_reset", "totp_enabled", "totp_disabled", "token_created", "token_revoked",
    "user_created", "user_changed", "user_deleted", "rom_added", "rom_deleted",
    "pet_deleted", "pet_reset", "pet_state_loaded", "pet_restored", "pet_forked",
    "restores_changed", "setup_failed",
)


def add_event(s: Session, kind: str, *, actor_id: int | None = None, actor: str = "",
              subject: str = "", address: str = "", **detail: Any) -> AuditEvent:
    """Add one event to the session (the caller commits it with the change)."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    record = AuditEvent(kind=kind, actor_id=actor_id, actor=actor[:32], subject=subject[:100],
                        address=address[:64], detail=detail)
    s.add(record)
    return record


def page(s: Session, *, before: int | None = None, limit: int = 50,
         kind: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    if kind:
        query = query.where(AuditEvent.kind == kind)
    return list(s.scalars(query))


def purge_older_than(s: Session, days: float) -> int:
    """Forget events older than ``days`` (the log must not grow without end)."""
    result = s.execute(delete(AuditEvent).where(AuditEvent.at < utcnow() - timedelta(days=days)))
    return result.rowcount or 0
